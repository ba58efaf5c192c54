// Turns one parsed request into one response, whatever the transport: request
// id, built-in endpoints (/healthz, /metrics), the router, the web UI, 404/405,
// problem documents for exceptions, security headers, metrics and the access log.
//
// Thread safety: handle() is called concurrently from the worker pool.
#pragma once

#include <functional>

#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

namespace cg::http {

class Dispatcher {
 public:
  Dispatcher(const Router& router, const StaticFiles* web, Metrics& metrics,
             std::function<bool()> database_healthy)
      : router_(router), web_(web), metrics_(metrics), healthy_(std::move(database_healthy)) {}

  Response handle(Request& req) const;

 private:
  Response route(Request& req) const;
  const Router& router_;
  const StaticFiles* web_;
  Metrics& metrics_;
  std::function<bool()> healthy_;
};

// Random 16-hex-digit id, or the caller's X-Request-Id when it is sane.
std::string request_id_for(const Request& req);

}  // namespace cg::http
