#include "http/message.hpp"

namespace cg::http {

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Request::query_params(std::string_view name) const {
  std::vector<std::string> values;
  auto [first, last] = query.equal_range(std::string(name));
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

std::string_view Request::cookie(std::string_view name) const {
  std::string_view all = header("cookie");
  while (!all.empty()) {
    std::size_t end = all.find(';');
    std::string_view pair = all.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (end == std::string_view::npos) break;
    all.remove_prefix(end + 1);
  }
  return {};
}

namespace {
bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u != 0x7F);
}

// The opaque-tag of the entity-tag `tag` ([W/] DQUOTE *etagc DQUOTE), or nullopt.
std::optional<std::string_view> opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') return std::nullopt;
  for (char c : tag.substr(1, tag.size() - 2))
    if (!is_etagc(c)) return std::nullopt;
  return tag;
}
}  // namespace

bool none_match(std::string_view if_none_match, std::string_view etag) {
  const std::optional<std::string_view> mine = opaque_tag(etag);
  std::string_view rest = if_none_match;
  bool any = false, matched = false;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!item.empty() && is_ows(item.front())) item.remove_prefix(1);
    while (!item.empty() && is_ows(item.back())) item.remove_suffix(1);
    if (item.empty()) continue;  // empty list elements are allowed
    if (item == "*") {
      if (any || !rest.empty()) return true;  // "*" stands alone
      return false;
    }
    const auto tag = opaque_tag(item);
    if (!tag) return true;  // malformed: the whole condition is ignored
    any = true;
    if (mine && *tag == *mine) matched = true;
  }
  return !matched;
}

}  // namespace cg::http
