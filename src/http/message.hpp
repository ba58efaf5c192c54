// Framework-free HTTP request and response, the only HTTP types modules see.
// (Boost.Beast stays inside http/server.cpp.)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cg::http {

struct Request {
  std::string method;                             // "GET", "POST", …
  std::string path;                               // decoded path, without the query string
  std::string target;                             // raw target as received
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_address;
  std::string request_id;
  std::map<std::string, std::string> params;  // {name} segments of the matched route
  std::string route;                          // the matched route pattern, for metrics

  // Header value by lower-case name, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
  // First value of a query parameter.
  std::optional<std::string> query_param(std::string_view name) const;
  std::vector<std::string> query_params(std::string_view name) const;
  std::string_view cookie(std::string_view name) const;
  const std::string& param(const std::string& name) const { return params.at(name); }
};

// The body of a response that stays open to send server-sent events
// (text/event-stream), for pages that update live. The handler answers at
// once with one of these; after writing the headers the server calls start()
// with a sink that the source may call from any thread, any number of times,
// to send bytes (complete "event:"/"data:" frames); the sink returns false
// once the connection is gone. The server calls stop() exactly once when the
// connection ends (client gone, write failed, server stopping); after that the
// sink ignores what it is given. The server itself sends a comment line every
// few seconds, which is how a vanished client is noticed.
class EventSource {
 public:
  using Sink = std::function<bool(std::string bytes)>;
  virtual ~EventSource() = default;
  virtual void start(Sink sink) = 0;
  virtual void stop() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set for an event stream; body is then ignored.
  std::shared_ptr<EventSource> events;

  Response& set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The condition of If-None-Match (RFC 9110 §13.1.2) for a representation
// tagged `etag` (quotes included): false when the header's value is "*" or
// lists `etag` (weak comparison: W/ ignored), true otherwise. A value that is
// not a list of entity-tags is ignored (true), as an absent one is.
bool none_match(std::string_view if_none_match, std::string_view etag);

}  // namespace cg::http
