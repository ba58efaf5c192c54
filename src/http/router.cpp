#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace cg::http {
namespace {

// The segments of a path, views into `path` (or into the pattern).
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  parts.reserve(8);
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_placeholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Compared from the last segment: the literals that tell routes apart
// ("residents", "tags", "export") come after the shared "/api/v1".
bool segments_match(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = parts.size(); i-- > 0;) {
    const std::string& seg = route.segments[i];
    if (route.placeholder[i]) {
      if (parts[i].empty()) return false;
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  Route route{std::move(method), std::move(pattern), std::move(handler), {}, {}, 0};
  for (std::string_view seg : split_path(route.pattern)) {
    route.segments.emplace_back(seg);
    route.placeholder.push_back(is_placeholder(seg));
    if (!route.placeholder.back()) ++route.literal_count;
  }
  if (by_length_.size() <= route.segments.size()) by_length_.resize(route.segments.size() + 1);
  by_length_[route.segments.size()].push_back(routes_.size());
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Request& req) const {
  const std::vector<std::string_view> parts = split_path(req.path);
  Match result;
  if (parts.size() >= by_length_.size()) return result;
  const Route* best = nullptr;
  for (std::size_t index : by_length_[parts.size()]) {
    const Route& route = routes_[index];
    if (!segments_match(route, parts, nullptr)) continue;
    bool same_method =
        route.method == req.method || (req.method == "HEAD" && route.method == "GET");
    if (!same_method) {
      result.allowed_methods.push_back(route.method);
      continue;
    }
    if (!best || route.literal_count > best->literal_count) best = &route;
  }
  if (best) {
    req.params.clear();
    segments_match(*best, parts, &req.params);
    req.route = best->pattern;
    result.outcome = Outcome::matched;
    result.route = best;
  } else if (!result.allowed_methods.empty()) {
    result.outcome = Outcome::wrong_method;
  }
  return result;
}

}  // namespace cg::http
