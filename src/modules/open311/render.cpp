#include "modules/open311/render.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <map>

namespace cg::open311 {
namespace {

namespace json = boost::json;

constexpr const char* kSpecification = "http://wiki.open311.org/GeoReport_v2";
constexpr const char* kChangeset = "2026-11-23T00:00:00+08:00";

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

template <class T>
json::value or_null(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

// The element that repeats inside an array element, as the specification names it.
std::string_view item_of(std::string_view array_name) {
  static const std::map<std::string_view, std::string_view> items = {
      {"services", "service"},     {"service_requests", "request"},
      {"attributes", "attribute"}, {"values", "value"},
      {"endpoints", "endpoint"},   {"formats", "format"},
      {"errors", "error"},         {"timeline", "event"}};
  auto it = items.find(array_name);
  return it == items.end() ? std::string_view("item") : it->second;
}

bool xml_allowed(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Escapes markup; drops bytes that are not valid UTF-8 and characters XML 1.0 forbids.
void append_escaped(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80         ? 1
                            : (b >> 5) == 6  ? 2
                            : (b >> 4) == 14 ? 3
                            : (b >> 3) == 30 ? 4
                                             : 0;
    if (len == 0 || i + len > s.size()) {
      ++i;
      continue;
    }
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cont = static_cast<unsigned char>(s[i + k]);
      if ((cont >> 6) != 2) ok = false;
      c = (c << 6) | (cont & 0x3F);
    }
    if (!ok || !xml_allowed(c)) {
      i += ok ? len : 1;
      continue;
    }
    switch (s[i]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.append(s.substr(i, len));
    }
    i += len;
  }
}

void append_element(std::string& out, std::string_view name, const json::value& v) {
  if (v.is_null()) {
    fmt::format_to(std::back_inserter(out), "<{}/>", name);
    return;
  }
  fmt::format_to(std::back_inserter(out), "<{}>", name);
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) append_element(out, key, child);
  } else if (v.is_array()) {
    for (const json::value& child : v.as_array()) append_element(out, item_of(name), child);
  } else if (v.is_string()) {
    append_escaped(out, v.as_string());
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_double()) {
    fmt::format_to(std::back_inserter(out), "{}", v.as_double());
  } else {
    out += json::serialize(v);
  }
  fmt::format_to(std::back_inserter(out), "</{}>", name);
}

std::string open311_field(const std::string& field) {
  static const std::map<std::string, std::string> names = {{"title", "attribute[title]"},
                                                           {"priority", "attribute[priority]"},
                                                           {"lng", "long"},
                                                           {"reporter_phone", "phone"},
                                                           {"reporter_name", "first_name"},
                                                           {"grid_id", "address_id"},
                                                           {"building_id", "address_id"},
                                                           {"category_id", "service_code"},
                                                           {"address", "address_string"}};
  auto it = names.find(field);
  return it == names.end() ? field : it->second;
}

int open311_status(int status) {
  return status == 403 || status == 404 ? status : 400;
}

}  // namespace

std::string format_datetime(std::int64_t epoch_ms, std::chrono::minutes offset) {
  using namespace std::chrono;
  const auto local = sys_time<milliseconds>(milliseconds(epoch_ms)) + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<seconds>(local - day));
  const auto off = offset.count();
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), off < 0 ? '-' : '+',
                     std::abs(off) / 60, std::abs(off) % 60);
}

std::optional<std::int64_t> parse_datetime(std::string_view s, std::chrono::minutes offset) {
  using namespace std::chrono;
  auto number = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    if (at + len > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  auto y = number(0, 4), mo = number(5, 2), d = number(8, 2);
  if (!y || !mo || !d || s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const year_month_day ymd{year(*y), month(unsigned(*mo)), day(unsigned(*d))};
  if (!ymd.ok() || *y < 1970 || *y > 2100) return std::nullopt;
  int h = 0, mi = 0, sec = 0;
  std::size_t at = 10;
  if (s.size() > 10) {
    auto hh = number(11, 2), mm = number(14, 2), ss = number(17, 2);
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !hh || !mm || !ss || s[13] != ':' ||
        s[16] != ':' || *hh > 23 || *mm > 59 || *ss > 60)
      return std::nullopt;
    h = *hh, mi = *mm, sec = *ss;
    at = 19;
    if (at < s.size() && s[at] == '.') {
      ++at;
      const std::size_t digits_from = at;
      while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
      if (at == digits_from || at - digits_from > 9) return std::nullopt;
    }
  }
  minutes zone = offset;
  if (at < s.size()) {
    if ((s[at] == 'Z' || s[at] == 'z') && at + 1 == s.size()) {
      zone = minutes(0);
    } else if ((s[at] == '+' || s[at] == '-') && at + 6 == s.size() && s[at + 3] == ':') {
      auto zh = number(at + 1, 2), zm = number(at + 4, 2);
      if (!zh || !zm || *zh > 14 || *zm > 59) return std::nullopt;
      zone = minutes(*zh * 60 + *zm) * (s[at] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  const auto local = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  return duration_cast<milliseconds>((local - zone).time_since_epoch()).count();
}

json::object service_json(const Service& s) {
  // Every service has the two attributes of its definition (title, priority).
  return {{"service_code", s.code}, {"service_name", s.name}, {"description", s.description},
          {"metadata", true},       {"type", "realtime"},     {"keywords", s.keywords},
          {"group", s.group}};
}

json::object definition_json(const Service& s) {
  json::array attributes;
  attributes.push_back({{"variable", true},
                        {"code", "title"},
                        {"datatype", "string"},
                        {"required", false},
                        {"datatype_description", "2到60个字符；不填时使用服务名称"},
                        {"order", 1},
                        {"description", "标题：一句话概括问题"}});
  attributes.push_back(
      {{"variable", true},
       {"code", "priority"},
       {"datatype", "singlevaluelist"},
       {"required", false},
       {"datatype_description", nullptr},
       {"order", 2},
       {"description", "紧急程度（默认一般）"},
       {"values", json::array{json::object{{"key", "normal"}, {"name", "一般"}},
                              json::object{{"key", "urgent"}, {"name", "紧急"}}}}});
  return {{"service_code", s.code}, {"attributes", std::move(attributes)}};
}

json::object request_json(const ServiceRequest& r, std::chrono::minutes offset, bool extensions) {
  json::object o{
      {"service_request_id", std::to_string(r.id)},
      {"status", r.status},
      {"status_notes", text_or_null(r.status_notes)},
      {"service_name", r.service_name},
      {"service_code", r.service_code},
      {"description", text_or_null(r.description)},
      {"agency_responsible", text_or_null(r.agency_responsible)},
      {"service_notice", text_or_null(r.service_notice)},
      {"requested_datetime", format_datetime(r.requested_at, offset)},
      {"updated_datetime", format_datetime(r.updated_at, offset)},
      {"expected_datetime",
       r.expected_at ? json::value(format_datetime(*r.expected_at, offset)) : json::value(nullptr)},
      {"address", text_or_null(r.address)},
      {"address_id", r.address_id ? json::value(std::to_string(*r.address_id)) : nullptr},
      {"zipcode", nullptr},
      {"lat", or_null(r.lat)},
      {"long", or_null(r.lng)},
      {"media_url", nullptr}};
  if (extensions) {
    json::array timeline;
    for (const PublicEvent& e : r.timeline) {
      timeline.push_back(
          {{"datetime", format_datetime(e.at, offset)},
           {"action", e.action},
           {"action_name", e.action_name},
           {"case_status", e.status},
           {"status", e.status == "rejected" || e.status == "merged" || e.status == "closed"
                          ? "closed"
                          : "open"},
           {"role", e.role},
           {"note", text_or_null(e.note)}});
    }
    o["extended_attributes"] = {{"case_number", r.number},
                                {"case_status", r.case_status},
                                {"grid", r.grid_name},
                                {"timeline", std::move(timeline)}};
  }
  return o;
}

json::object discovery_json(const std::string& base_url) {
  json::object endpoint{{"specification", kSpecification},
                        {"url", base_url + "/open311/v2"},
                        {"changeset", kChangeset},
                        {"type", "production"},
                        {"formats", json::array{"application/json", "text/xml"}}};
  return {{"changeset", kChangeset},
          {"contact", "请联系所在街道的平台管理员申请 api_key"},
          {"key_service", base_url + "/console"},
          {"endpoints", json::array{std::move(endpoint)}}};
}

std::string to_xml(std::string_view root, const json::value& doc) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)";
  append_element(out, root, doc);
  return out;
}

json::array errors_json(const Error& e) {
  const int code = open311_status(e.status);
  json::array out;
  for (const FieldError& f : e.errors) {
    out.push_back({{"code", code},
                   {"description", fmt::format("{}：{}", open311_field(f.field), f.message)}});
  }
  if (out.empty()) out.push_back({{"code", code}, {"description", e.detail}});
  return out;
}

}  // namespace cg::open311
