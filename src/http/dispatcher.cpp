#include "http/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>

#include "http/json.hpp"

namespace cg::http {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

void add_security_headers(Response& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", kCsp);
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

std::string request_id_for(const Request& req) {
  std::string_view given = req.header("x-request-id");
  if (sane_request_id(given)) return std::string(given);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string id(16, '0');
  std::uint64_t bits = rng();
  for (char& c : id) {
    c = hex[bits & 0xF];
    bits >>= 4;
  }
  return id;
}

Response Dispatcher::route(Request& req) const {
  if (req.path == "/healthz") {
    req.route = "/healthz";
    bool up = healthy_();
    return json_response(up ? 200 : 503, json::object{{"status", up ? "ok" : "unavailable"}});
  }
  if (req.path == "/metrics") {
    req.route = "/metrics";
    Response res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = metrics_.render();
    return res;
  }
  Router::Match match = router_.match(req);
  if (match.outcome == Router::Outcome::matched) return match.route->handler(req);
  if (match.outcome == Router::Outcome::wrong_method) {
    req.route = "(405)";
    std::string allow;
    for (const std::string& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
    Response res = problem_response(
        {405, "method-not-allowed", "不支持的请求方法", "此地址不支持 " + req.method, {}}, req);
    res.set_header("Allow", allow);
    return res;
  }
  if (web_) {
    if (auto res = web_->serve(req)) {
      req.route = "(static)";
      return *res;
    }
  }
  req.route = "(404)";
  return problem_response({404, "no-such-endpoint", "地址不存在", "没有这个地址：" + req.path, {}},
                          req);
}

Response Dispatcher::handle(Request& req) const {
  auto started = std::chrono::steady_clock::now();
  req.request_id = request_id_for(req);
  Response res;
  try {
    res = route(req);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} failed: {}", req.request_id, req.method, req.path, e.what());
    res = problem_response(errors::internal(), req);
  }
  add_security_headers(res);
  res.set_header("X-Request-Id", req.request_id);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe(req.method, req.route.empty() ? "(unknown)" : req.route, res.status, seconds);
  spdlog::info("{} {} {} {} {:.1f}ms {}B id={}", req.remote_address, req.method, req.target,
               res.status, seconds * 1000, res.body.size(), req.request_id);
  return res;
}

}  // namespace cg::http
