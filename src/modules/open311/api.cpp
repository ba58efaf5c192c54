// HTTP routes of the Open311 module: the GeoReport v2 endpoints under
// /open311/v2 (public reads, filing with an api_key, answers in JSON or XML
// and errors in the specification's format) and the admin API of client keys
// under /api/v1/open311/clients. See docs/api-open311.md.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <set>

#include "app/api.hpp"
#include "app/app.hpp"
#include "core/text.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "modules/open311/module.hpp"
#include "modules/open311/render.hpp"
#include "modules/open311/service.hpp"

namespace cg::open311 {
namespace {

namespace json = boost::json;
using http::Need;

constexpr std::string_view kBase = "/open311/v2/";
constexpr std::size_t kMaxParamChars = 4000;

// ---- answers ---------------------------------------------------------------------

http::Response answer(Format format, int status, std::string_view root, const json::value& doc) {
  http::Response res;
  res.status = status;
  if (format == Format::xml) {
    res.content_type = "text/xml; charset=utf-8";
    res.body = to_xml(root, doc);
  } else {
    res.body = json::serialize(doc);
  }
  return res;
}

http::Response error_answer(Format format, const Error& e) {
  json::array list = errors_json(e);
  const int status = static_cast<int>(list.front().at("code").as_int64());
  return answer(format, status, "errors", list);
}

// "SR01.json" → ("SR01", json); nullopt for another or no extension.
std::optional<std::pair<std::string, Format>> split_format(const std::string& name) {
  const auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return std::nullopt;
  const std::string ext = name.substr(dot + 1);
  if (ext != "json" && ext != "xml") return std::nullopt;
  return std::pair{name.substr(0, dot), ext == "xml" ? Format::xml : Format::json};
}

Error unknown_format() {
  return errors::not_found("地址应以 .json 或 .xml 结尾");
}

// The address clients should use, from the Host header when it is a plain host[:port].
std::string base_url(const http::Request& req, const App& app) {
  const std::string_view host = req.header("host");
  const bool sane = !host.empty() && host.size() <= 255 && std::ranges::all_of(host, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
  return "http://" +
         (sane ? std::string(host) : fmt::format("{}:{}", app.config.host, app.config.port));
}

// ---- reading parameters ---------------------------------------------------------------

// Form decoding (application/x-www-form-urlencoded): '+' is a space, %XX a
// byte; nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int v = 0;
      auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (r.ec != std::errc() || r.ptr != s.data() + i + 3) return std::nullopt;
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool has_control_chars(std::string_view s, bool allow_newlines) {
  return std::ranges::any_of(s, [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7F;
  });
}

// The parameters of a POST: the form body and the query string together.
Result<std::multimap<std::string, std::string>> form_params(const http::Request& req) {
  std::multimap<std::string, std::string> out(req.query.begin(), req.query.end());
  if (!req.body.empty()) {
    const std::string_view type = req.header("content-type");
    if (type.substr(0, 33) != "application/x-www-form-urlencoded")
      return fail(errors::invalid_field("Content-Type", "format",
                                        "请求体应为 application/x-www-form-urlencoded 表单"));
    std::string_view body = req.body;
    while (!body.empty()) {
      const auto amp = body.find('&');
      const std::string_view pair = body.substr(0, amp);
      body = amp == std::string_view::npos ? "" : body.substr(amp + 1);
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      auto key = percent_decode(pair.substr(0, eq));
      auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
      if (!key || !value)
        return fail(errors::invalid_field("body", "format", "表单编码有误（百分号转义无效）"));
      out.emplace(std::move(*key), std::move(*value));
    }
  }
  return out;
}

class FormReader : public http::FieldErrors {
 public:
  explicit FormReader(const std::multimap<std::string, std::string>& params) : params_(params) {}

  // Text of at most `max_chars` characters ("" when absent).
  std::string text(const std::string& name, std::size_t max_chars, bool multiline = false) {
    asked_.insert(name);
    if (params_.count(name) > 1) {
      add_error(name, "duplicate", "参数重复");
      return "";
    }
    auto it = params_.find(name);
    if (it == params_.end()) return "";
    const std::string& v = it->second;
    if (!is_valid_utf8(v) || has_control_chars(v, multiline)) {
      add_error(name, "format", "含有无效字符");
      return "";
    }
    if (utf8_length(v) > max_chars) {
      add_error(name, "length", fmt::format("不能超过{}个字符", max_chars));
      return "";
    }
    return std::string(trim(v));
  }

  std::optional<double> number(const std::string& name, double min, double max) {
    const std::string v = text(name, 40);
    if (v.empty()) return std::nullopt;
    double d = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), d);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(d) || d < min ||
        d > max) {
      add_error(name, "range", fmt::format("应为{}到{}之间的数字", min, max));
      return std::nullopt;
    }
    return d;
  }

  std::optional<std::int64_t> id(const std::string& name) {
    const std::string v = text(name, 20);
    if (v.empty()) return std::nullopt;
    std::int64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || n <= 0) {
      add_error(name, "format", "应为正整数");
      return std::nullopt;
    }
    return n;
  }

  bool sent(const std::string& name) const { return params_.count(name) > 0; }

  // Every parameter nobody asked for is an error, so a misspelt one is not silently lost.
  Status finish() {
    for (const auto& [name, value] : params_) {
      if (!asked_.count(name)) add_error(name, "unknown", "不支持的参数");
    }
    return FieldErrors::finish();
  }

 private:
  const std::multimap<std::string, std::string>& params_;
  std::set<std::string> asked_;
};

Result<Submission> read_submission(FormReader& f) {
  Submission s;
  s.service_code = f.text("service_code", 20);
  if (s.service_code.empty()) f.add_error("service_code", "required", "请提供 service_code");
  s.lat = f.number("lat", -90, 90);
  s.lng = f.number("long", -180, 180);
  s.address = f.text("address_string", 200);
  s.building_id = f.id("address_id");
  s.description = f.text("description", 2000, true);
  const std::string title = f.text("attribute[title]", 60);
  if (!title.empty()) {
    if (utf8_length(title) < 2)
      f.add_error("attribute[title]", "length", "标题应为2到60个字符");
    else
      s.title = title;
  }
  const std::string priority = f.text("attribute[priority]", 10);
  if (!priority.empty()) {
    if (priority != "normal" && priority != "urgent")
      f.add_error("attribute[priority]", "enum", "取值无效，可选：normal、urgent");
    else
      s.priority = priority;
  }
  const std::string first = f.text("first_name", 20), last = f.text("last_name", 20);
  s.reporter_name = last + first;  // Chinese order: family name first
  s.reporter_phone = f.text("phone", 32);
  // Accepted as the specification defines them, and not kept: CivicGrid has no
  // use for them and keeps no personal data it does not need.
  for (const char* unused : {"jurisdiction_id", "email", "device_id", "account_id", "media_url"})
    f.text(unused, 200);
  // Judged on what was sent, so a malformed lat is one error, not three.
  if (f.sent("lat") != f.sent("long"))
    f.add_error(f.sent("lat") ? "long" : "lat", "required", "经纬度（lat、long）需同时提供");
  if (!f.sent("lat") && !f.sent("long") && !f.sent("address_string") && !f.sent("address_id"))
    f.add_error("lat", "required", "请提供位置：经纬度（lat、long）、address_string 或 address_id");
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  return s;
}

// GET requests: the spec's filters. Unknown parameters are ignored, as
// clients commonly send their own (api_key, paging); known ones are checked.
Result<RequestQuery> read_query(const http::Request& req, std::chrono::minutes offset) {
  http::FieldErrors f;
  RequestQuery q;
  auto param = [&](const char* name) -> std::optional<std::string> {
    auto v = req.query_param(name);
    if (v && (v->size() > kMaxParamChars || !is_valid_utf8(*v) || has_control_chars(*v, false))) {
      f.add_error(name, "format", "参数无效");
      return std::nullopt;
    }
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  if (auto ids = param("service_request_id")) {
    std::string_view rest = *ids;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view part = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
      std::int64_t id = 0;
      auto r = std::from_chars(part.data(), part.data() + part.size(), id);
      if (r.ec != std::errc() || r.ptr != part.data() + part.size() || id <= 0) {
        f.add_error("service_request_id", "format", "应为以逗号分隔的服务请求编号");
        break;
      }
      q.ids.push_back(id);
    }
    if (q.ids.size() > kMaxIds)
      f.add_error("service_request_id", "range", fmt::format("一次最多查询{}个编号", kMaxIds));
  }
  q.service_code = param("service_code");
  if (q.service_code && q.service_code->size() > 20)
    f.add_error("service_code", "length", "服务代码不能超过20个字符");
  for (const char* name : {"start_date", "end_date"}) {
    if (auto v = param(name)) {
      auto ms = parse_datetime(*v, offset);
      if (!ms) f.add_error(name, "format", "应为 W3C 日期时间，例如 2026-11-23T09:00:00+08:00");
      (std::string_view(name) == "start_date" ? q.start : q.end) = ms;
    }
  }
  if (auto status = param("status")) {
    if (*status != "open" && *status != "closed")
      f.add_error("status", "enum", "取值无效，可选：open、closed");
    else
      q.status = *status;
  }
  if (auto ext = param("extensions")) {
    if (*ext == "true" || *ext == "1")
      q.extensions = true;
    else if (*ext != "false" && *ext != "0")
      f.add_error("extensions", "enum", "取值无效，可选：true、false");
  }
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  return q;
}

bool extensions_asked(const http::Request& req) {
  const auto v = req.query_param("extensions");
  return v && (*v == "true" || *v == "1");
}

// ---- the admin API's JSON ---------------------------------------------------------------

json::object client_json(const Client& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"key_prefix", c.key_prefix},
          {"area", {{"id", c.area_id}, {"name", c.area_name}}},
          {"issued_by",
           {{"user_id", c.issued_by ? json::value(*c.issued_by) : nullptr},
            {"name", c.issued_by_name}}},
          {"issued_at", c.issued_at},
          {"revoked", c.revoked},
          {"revoked_at", c.revoked_at ? json::value(*c.revoked_at) : nullptr}};
}

// ---- the module ---------------------------------------------------------------------------

class Open311Module : public Module {
 public:
  Open311Module(App& app, cases::CaseService& cases) : app_(app), service_(app, cases) {}
  std::string_view name() const override { return "open311"; }
  void add_routes(http::Router& router) override;

 private:
  // A GeoReport endpoint answering in `format`; its errors in the spec's format.
  using Body = Result<http::Response> (Open311Module::*)(http::Request&, Format);
  http::Handler bind(Body fn, Format format) {
    return [this, fn, format](http::Request& req) {
      auto res = (this->*fn)(req, format);
      return res ? std::move(*res) : error_answer(format, res.error());
    };
  }
  // A GeoReport endpoint whose last segment is "<name>.<format>".
  using NamedBody = Result<http::Response> (Open311Module::*)(http::Request&, const std::string&,
                                                              Format);
  http::Handler bind_named(NamedBody fn, std::string param) {
    return [this, fn, param](http::Request& req) {
      auto split = split_format(req.params[param]);
      if (!split) return error_answer(Format::json, unknown_format());
      auto res = (this->*fn)(req, split->first, split->second);
      return res ? std::move(*res) : error_answer(split->second, res.error());
    };
  }
  using AdminBody = api::Reply (Open311Module::*)(http::Request&, const auth::Actor&);
  http::Handler bind_admin(AdminBody fn) { return api::guard(app_, this, fn); }

  Result<http::Response> discovery(http::Request& req, Format format);
  Result<http::Response> services(http::Request& req, Format format);
  Result<http::Response> definition(http::Request& req, const std::string& code, Format format);
  Result<http::Response> list(http::Request& req, Format format);
  Result<http::Response> submit(http::Request& req, Format format);
  Result<http::Response> one(http::Request& req, const std::string& id, Format format);
  Result<http::Response> token(http::Request& req, const std::string& token, Format format);

  api::Reply issue(http::Request& req, const auth::Actor& actor);
  api::Reply clients(http::Request& req, const auth::Actor& actor);
  api::Reply revoke(http::Request& req, const auth::Actor& actor);

  App& app_;
  Open311Service service_;
};

void Open311Module::add_routes(http::Router& router) {
  using Self = Open311Module;
  const std::string base(kBase);
  for (auto [ext, format] : {std::pair{"json", Format::json}, std::pair{"xml", Format::xml}}) {
    router.get(base + "discovery." + ext, bind(&Self::discovery, format));
    router.get(base + "services." + ext, bind(&Self::services, format));
    router.get(base + "requests." + ext, bind(&Self::list, format));
    router.post(base + "requests." + ext, bind(&Self::submit, format));
  }
  router.get(base + "services/{service_code}", bind_named(&Self::definition, "service_code"));
  router.get(base + "requests/{service_request_id}", bind_named(&Self::one, "service_request_id"));
  router.get(base + "tokens/{token}", bind_named(&Self::token, "token"));
  router.get("/api/v1/open311/clients", bind_admin(&Self::clients));
  router.post("/api/v1/open311/clients", bind_admin(&Self::issue));
  router.post("/api/v1/open311/clients/{id}/revoke", bind_admin(&Self::revoke));
}

Result<http::Response> Open311Module::discovery(http::Request& req, Format format) {
  return answer(format, 200, "discovery", discovery_json(base_url(req, app_)));
}

Result<http::Response> Open311Module::services(http::Request&, Format format) {
  json::array list;
  for (const Service& s : service_.services()) list.push_back(service_json(s));
  return answer(format, 200, "services", list);
}

Result<http::Response> Open311Module::definition(http::Request&, const std::string& code,
                                                 Format format) {
  auto s = service_.service(code);
  if (!s) return fail(s.error());
  return answer(format, 200, "service_definition", definition_json(*s));
}

Result<http::Response> Open311Module::list(http::Request& req, Format format) {
  const auto offset = service_.utc_offset();
  auto q = read_query(req, offset);
  if (!q) return fail(q.error());
  auto found = service_.requests(*q);
  if (!found) return fail(found.error());
  json::array list;
  for (const ServiceRequest& r : *found) list.push_back(request_json(r, offset, q->extensions));
  return answer(format, 200, "service_requests", list);
}

Result<http::Response> Open311Module::one(http::Request& req, const std::string& id,
                                          Format format) {
  std::int64_t n = 0;
  auto r = std::from_chars(id.data(), id.data() + id.size(), n);
  if (r.ec != std::errc() || r.ptr != id.data() + id.size() || n <= 0)
    return fail(errors::not_found(fmt::format("服务请求 {} 不存在", id.substr(0, 20))));
  const bool extensions = extensions_asked(req);
  auto found = service_.request(n, extensions);
  if (!found) return fail(found.error());
  return answer(format, 200, "service_requests",
                json::array{request_json(*found, service_.utc_offset(), extensions)});
}

Result<http::Response> Open311Module::token(http::Request&, const std::string& token,
                                            Format format) {
  const bool plausible = token.size() <= 64 && std::ranges::all_of(token, [](char c) {
                           return std::isxdigit(static_cast<unsigned char>(c));
                         });
  if (!plausible) return fail(errors::not_found("令牌不存在"));
  auto id = service_.token(token);
  if (!id) return fail(id.error());
  return answer(
      format, 200, "service_requests",
      json::array{json::object{{"service_request_id", std::to_string(*id)}, {"token", token}}});
}

Result<http::Response> Open311Module::submit(http::Request& req, Format format) {
  auto params = form_params(req);
  if (!params) return fail(params.error());
  // The key first: a caller without one learns nothing about the rest.
  FormReader f(*params);
  auto client = service_.client_for_key(f.text("api_key", 100));
  if (!client) return fail(client.error());
  auto input = read_submission(f);
  if (!input) return fail(input.error());
  auto receipt = service_.submit(*client, *input, req.remote_address, req.request_id);
  if (!receipt) return fail(receipt.error());
  return answer(format, 200, "service_requests",
                json::array{json::object{{"service_request_id", std::to_string(receipt->case_id)},
                                         {"token", receipt->token},
                                         {"service_notice", receipt->service_notice},
                                         {"account_id", nullptr}}});
}

api::Reply Open311Module::issue(http::Request& req, const auth::Actor& actor) {
  auto in = api::read_body<NewClient>(req, [](http::Fields& f) {
    return NewClient{f.text("name", Need::required, 50, 2).value_or(""),
                     f.integer("area_id", Need::required, 1).value_or(0)};
  });
  if (!in) return fail(in.error());
  auto issued = service_.issue(actor, *in);
  if (!issued) return fail(issued.error());
  json::object o = client_json(issued->client);
  o["api_key"] = issued->api_key;
  return http::created(o);
}

api::Reply Open311Module::clients(http::Request&, const auth::Actor& actor) {
  auto list = service_.clients(actor);
  if (!list) return fail(list.error());
  json::array items;
  for (const Client& c : *list) items.push_back(client_json(c));
  return http::ok(json::object{{"items", std::move(items)}});
}

api::Reply Open311Module::revoke(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto c = service_.revoke(actor, *id);
  if (!c) return fail(c.error());
  return http::ok(client_json(*c));
}

}  // namespace

std::unique_ptr<Module> make_module(App& app, cases::CaseService& cases) {
  return std::make_unique<Open311Module>(app, cases);
}

}  // namespace cg::open311
