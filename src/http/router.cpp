#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace cg::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_placeholder(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool segments_match(const Route& route, const std::vector<std::string>& parts,
                    std::map<std::string, std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (is_placeholder(seg)) {
      if (parts[i].empty()) return false;
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = parts[i];
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
  Route route{std::move(method), std::move(pattern), std::move(handler), {}, 0};
  route.segments = split_path(route.pattern);
  route.literal_count =
      static_cast<int>(std::count_if(route.segments.begin(), route.segments.end(),
                                     [](const std::string& s) { return !is_placeholder(s); }));
  routes_.push_back(std::move(route));
}

Router::Match Router::match(Request& req) const {
  std::vector<std::string> parts = split_path(req.path);
  Match result;
  const Route* best = nullptr;
  for (const Route& route : routes_) {
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
