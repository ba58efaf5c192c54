// Framework-free HTTP request and response, the only HTTP types modules see.
// (Boost.Beast stays inside http/server.cpp.)
#pragma once

#include <map>
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

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A file to send instead of body (static assets); body stays empty.
  std::string file_path;

  Response& set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

}  // namespace cg::http
