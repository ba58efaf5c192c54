#include "http/json.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <iterator>

#include "core/text.hpp"

namespace cg::http {
namespace {

std::size_t utf8_chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (std::string_view item : items) {
    if (!out.empty()) out += "、";
    out += item;
  }
  return out;
}

}  // namespace

Response json_response(int status, const json::value& body) {
  Response res;
  res.status = status;
  res.body = json::serialize(body);
  return res;
}

Response json_response(int status, JsonWriter&& body) {
  Response res;
  res.status = status;
  res.body = std::move(body).take();
  return res;
}

Response no_content() {
  Response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

Response problem_response(const Error& error, const Request& req) {
  json::object doc;
  doc["type"] = "/problems/" + error.type;
  doc["title"] = error.title;
  doc["status"] = error.status;
  if (!error.detail.empty()) doc["detail"] = error.detail;
  doc["instance"] = req.path;
  doc["request_id"] = req.request_id;
  if (!error.errors.empty()) {
    json::array fields;
    for (const FieldError& f : error.errors) {
      fields.push_back(json::object{{"field", f.field}, {"code", f.code}, {"message", f.message}});
    }
    doc["errors"] = std::move(fields);
  }
  Response res = json_response(error.status, doc);
  res.content_type = "application/problem+json; charset=utf-8";
  return res;
}

Result<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value value = json::parse(text, ec, {}, options);
  if (ec) return fail(errors::malformed_json("JSON 解析失败：" + ec.message()));
  return value;
}

Result<json::object> json_body(const Request& req) {
  std::string_view type = req.header("content-type");
  if (type.substr(0, 16) != "application/json") {
    return fail(errors::unsupported_media_type("请求体须为 application/json"));
  }
  auto value = parse_json(req.body);
  if (!value) return fail(value.error());
  if (!value->is_object()) return fail(errors::malformed_json("请求体须为 JSON 对象"));
  return std::move(value->as_object());
}

bool is_valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return r.ec == std::errc() && r.ptr == s.data() + pos + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return false;
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max_day = days[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max_day;
}

// ---- FieldErrors -----------------------------------------------------------

void FieldErrors::add_error(std::string field, std::string code, std::string message) {
  errors_.push_back({std::move(field), std::move(code), std::move(message)});
}

template <class T>
bool FieldErrors::in_range(std::string_view field, T value, T min, T max) {
  if (value >= min && value <= max) return true;
  add_error(std::string(field), "range", fmt::format("取值应在 {} 到 {} 之间", min, max));
  return false;
}
template bool FieldErrors::in_range(std::string_view, std::int64_t, std::int64_t, std::int64_t);
template bool FieldErrors::in_range(std::string_view, double, double, double);

Status FieldErrors::finish() {
  if (!errors_.empty()) return fail(errors::validation(std::move(errors_)));
  return {};
}

// ---- Fields ----------------------------------------------------------------

bool Fields::has(std::string_view name) const {
  auto it = object_.find(name);
  return it != object_.end() && !it->value().is_null();
}

const json::value* Fields::lookup(std::string_view name, Need need) {
  asked_.emplace(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->value().is_null()) {
    if (need == Need::required) add_error(std::string(name), "required", "此项为必填项");
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> Fields::text(std::string_view name, Need need, std::size_t max_chars,
                                        std::size_t min_chars) {
  const json::value* v = lookup(name, need);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    add_error(std::string(name), "type", "应为字符串");
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (s.empty() && need == Need::optional && min_chars >= 1) {
    add_error(std::string(name), "empty", "此项不能为空");
    return std::nullopt;
  }
  std::size_t n = utf8_chars(s);
  if (n < min_chars) {
    add_error(std::string(name), min_chars == 1 ? "required" : "too-short",
              min_chars == 1 ? "此项不能为空" : fmt::format("至少需要{}个字符", min_chars));
    return std::nullopt;
  }
  if (n > max_chars) {
    add_error(std::string(name), "too-long", fmt::format("长度不能超过{}个字符", max_chars));
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> Fields::integer(std::string_view name, Need need, std::int64_t min,
                                            std::int64_t max) {
  const json::value* v = lookup(name, need);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->as_int64();
  } else if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
    n = static_cast<std::int64_t>(v->as_uint64());
  } else {
    add_error(std::string(name), "type", "应为整数");
    return std::nullopt;
  }
  if (!in_range(name, n, min, max)) return std::nullopt;
  return n;
}

std::optional<double> Fields::number(std::string_view name, Need need, double min, double max) {
  const json::value* v = lookup(name, need);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    add_error(std::string(name), "type", "应为数字");
    return std::nullopt;
  }
  double d = v->to_number<double>();
  if (!std::isfinite(d)) {
    add_error(std::string(name), "type", "应为有限的数字");
    return std::nullopt;
  }
  if (!in_range(name, d, min, max)) return std::nullopt;
  return d;
}

std::optional<bool> Fields::boolean(std::string_view name, Need need) {
  const json::value* v = lookup(name, need);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    add_error(std::string(name), "type", "应为 true 或 false");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::string> Fields::one_of(std::string_view name, Need need,
                                          std::initializer_list<std::string_view> allowed) {
  auto s = text(name, need, 64);
  if (!s) return std::nullopt;
  for (std::string_view a : allowed) {
    if (a == *s) return s;
  }
  add_error(std::string(name), "enum", "取值无效，可选：" + join(allowed));
  return std::nullopt;
}

std::optional<std::string> Fields::date(std::string_view name, Need need) {
  auto s = text(name, need, 10);
  if (!s) return std::nullopt;
  if (!is_valid_date(*s)) {
    add_error(std::string(name), "date", "日期无效，格式应为 YYYY-MM-DD");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> Fields::text_list(std::string_view name, Need need,
                                                          std::size_t max_items,
                                                          std::size_t max_chars) {
  const json::value* v = lookup(name, need);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    add_error(std::string(name), "type", "应为字符串数组");
    return std::nullopt;
  }
  const json::array& items = v->as_array();
  if (items.size() > max_items) {
    add_error(std::string(name), "too-many", fmt::format("最多{}项", max_items));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const json::value& item : items) {
    if (!item.is_string() || item.as_string().empty() || utf8_chars(item.as_string()) > max_chars) {
      add_error(std::string(name), "type",
                fmt::format("每项应为不超过{}个字符的非空字符串", max_chars));
      return std::nullopt;
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

std::optional<std::vector<std::int64_t>> Fields::id_list(std::string_view name, Need need,
                                                         std::size_t max_items) {
  const json::value* v = lookup(name, need);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->as_array().size() > max_items) {
    add_error(std::string(name), "type", fmt::format("应为不超过{}个编号的数组", max_items));
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  for (const json::value& item : v->as_array()) {
    if (!item.is_int64() || item.as_int64() < 1) {
      add_error(std::string(name), "type", "每项应为正整数编号");
      return std::nullopt;
    }
    out.push_back(item.as_int64());
  }
  return out;
}

const json::value* Fields::raw(std::string_view name, Need need) {
  return lookup(name, need);
}

Status Fields::finish() {
  for (const auto& [key, value] : object_) {
    if (!asked_.contains(std::string_view(key))) {
      add_error(std::string(key), "unknown", "不支持的字段");
    }
  }
  return FieldErrors::finish();
}

// ---- QueryFields -----------------------------------------------------------

std::optional<std::string> QueryFields::single(std::string_view name) {
  auto [first, last] = req_.query.equal_range(std::string(name));
  if (first == last) return std::nullopt;
  if (std::next(first) != last) {
    add_error(std::string(name), "repeated", "参数只能出现一次");
    return std::nullopt;
  }
  if (!is_valid_utf8(first->second)) {
    add_error(std::string(name), "encoding", "应为 UTF-8 文本");
    return std::nullopt;
  }
  return first->second;
}

std::optional<std::string> QueryFields::text(std::string_view name, std::size_t max_chars) {
  auto v = single(name);
  if (!v || v->empty()) return std::nullopt;
  if (utf8_chars(*v) > max_chars) {
    add_error(std::string(name), "too-long", fmt::format("长度不能超过{}个字符", max_chars));
    return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> QueryFields::integer(std::string_view name, std::int64_t min,
                                                 std::int64_t max) {
  auto v = single(name);
  if (!v || v->empty()) return std::nullopt;
  std::int64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size()) {
    add_error(std::string(name), "type", "应为整数");
    return std::nullopt;
  }
  if (!in_range(name, n, min, max)) return std::nullopt;
  return n;
}

std::optional<double> QueryFields::number(std::string_view name, double min, double max) {
  auto v = single(name);
  if (!v || v->empty()) return std::nullopt;
  double d = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), d);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size() || !std::isfinite(d)) {
    add_error(std::string(name), "type", "应为数字");
    return std::nullopt;
  }
  if (!in_range(name, d, min, max)) return std::nullopt;
  return d;
}

std::optional<std::string> QueryFields::one_of(std::string_view name,
                                               std::initializer_list<std::string_view> allowed) {
  auto v = text(name, 64);
  if (!v) return std::nullopt;
  for (std::string_view a : allowed) {
    if (a == *v) return v;
  }
  add_error(std::string(name), "enum", "取值无效，可选：" + join(allowed));
  return std::nullopt;
}

std::optional<bool> QueryFields::boolean(std::string_view name) {
  auto v = text(name, 8);
  if (!v) return std::nullopt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  add_error(std::string(name), "type", "应为 true 或 false");
  return std::nullopt;
}

}  // namespace cg::http
