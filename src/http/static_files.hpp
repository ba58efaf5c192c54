// Serves the built web UI (web/dist): correct content types, long caching for
// hashed assets, no caching for index.html, and index.html for client-side
// routes such as /console/residents.
//
// Thread safety: stateless after construction; serve() is safe from any thread.
#pragma once

#include <optional>
#include <string>

#include "http/message.hpp"

namespace cg::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  // A response for GET/HEAD of `path`, or nullopt when it is not ours to serve
  // (API paths and the like).
  std::optional<Response> serve(const Request& req) const;

 private:
  std::optional<Response> file(const std::string& relative, bool immutable, bool gzip_ok) const;
  std::string root_;
};

std::string content_type_for(std::string_view path);

}  // namespace cg::http
