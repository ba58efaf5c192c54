// The steps every authenticated endpoint shares: find the caller from the
// session cookie or bearer token, insist on the CSRF header for cookie-borne
// writes, run the handler body, and render its error as a problem document.
#pragma once

#include <functional>

#include "core/error.hpp"
#include "http/json.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "modules/auth/model.hpp"

namespace cg {
class App;
}

namespace cg::api {

using Reply = Result<http::Response>;

inline constexpr const char* kSessionCookie = "cg_session";

http::Response guarded(App& app, http::Request& req,
                       const std::function<Reply(const auth::Actor&)>& body);
// A route handler that runs the member `method` of `self` behind guarded():
// `(self->*method)(req, actor)`. The form every module's routes take, so a
// module writes `api::guard(app_, this, &Module::list)` and nothing more.
template <class Self, class Method>
http::Handler guard(App& app, Self* self, Method method) {
  return [&app, self, method](http::Request& req) {
    return guarded(app, req, [&](const auth::Actor& actor) { return (self->*method)(req, actor); });
  };
}

// For endpoints open to anyone (sign-in, OpenAPI).
http::Response open(http::Request& req, const std::function<Reply()>& body);

// Parses the JSON body and hands a Fields reader to `read`; the reader's
// errors (and `read`'s own) come back as one validation problem.
template <class T>
Result<T> read_body(const http::Request& req, const std::function<T(http::Fields&)>& read) {
  auto object = http::json_body(req);
  if (!object) return fail(object.error());
  http::Fields fields(*object);
  T value = read(fields);
  if (auto done = fields.finish(); !done) return fail(done.error());
  return value;
}

// "id" path parameter as a positive integer, or 404 (a malformed id names no record).
Result<std::int64_t> id_param(const http::Request& req, const std::string& name = "id");

}  // namespace cg::api
