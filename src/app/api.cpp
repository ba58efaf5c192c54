#include "app/api.hpp"

#include <charconv>

#include "app/app.hpp"
#include "modules/auth/service.hpp"

namespace cg::api {
namespace {

bool is_safe_method(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

http::Response render(const http::Request& req, Reply reply) {
  if (reply) return std::move(*reply);
  return http::problem_response(reply.error(), req);
}

}  // namespace

http::Response guarded(App& app, http::Request& req,
                       const std::function<Reply(const auth::Actor&)>& body) {
  std::string_view authorization = req.header("authorization");
  bool bearer = authorization.substr(0, 7) == "Bearer ";
  std::string_view token = bearer ? authorization.substr(7) : req.cookie(kSessionCookie);
  auto principal = app.auth->principal_for_token(token, !bearer);
  if (!principal) return http::problem_response(principal.error(), req);
  // A cookie is sent by the browser on its own; a write must also prove it
  // came from our page by echoing the session's CSRF token.
  if (principal->via_cookie && !is_safe_method(req.method) &&
      req.header("x-csrf-token") != principal->csrf_token) {
    return http::problem_response(
        {403, "csrf", "请求校验失败", "缺少或错误的 X-CSRF-Token 请求头，请刷新页面后重试", {}},
        req);
  }
  auth::Actor actor{std::move(*principal), req.remote_address, req.request_id};
  return render(req, body(actor));
}

http::Response open(http::Request& req, const std::function<Reply()>& body) {
  return render(req, body());
}

Result<std::int64_t> id_param(const http::Request& req, const std::string& name) {
  auto it = req.params.find(name);
  std::int64_t id = 0;
  if (it != req.params.end()) {
    const std::string& s = it->second;
    auto r = std::from_chars(s.data(), s.data() + s.size(), id);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && id > 0) return id;
  }
  return fail(errors::not_found());
}

}  // namespace cg::api
