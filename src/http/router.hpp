// Maps a method and a path to a handler. Patterns are literal segments and
// `{name}` placeholders: "/api/v1/areas/{id}/boundary". When two patterns
// match, the one with more literal segments wins, so "/areas/tree" beats
// "/areas/{id}" whatever the order of registration.
//
// Thread safety: routes are added during start-up only; match() is then
// called from many threads.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace cg::http {

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  std::vector<bool> placeholder;      // per segment: a `{name}`
  int literal_count = 0;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  void get(std::string pattern, Handler h) { add("GET", std::move(pattern), std::move(h)); }
  void post(std::string pattern, Handler h) { add("POST", std::move(pattern), std::move(h)); }
  void put(std::string pattern, Handler h) { add("PUT", std::move(pattern), std::move(h)); }
  void patch(std::string pattern, Handler h) { add("PATCH", std::move(pattern), std::move(h)); }
  void del(std::string pattern, Handler h) { add("DELETE", std::move(pattern), std::move(h)); }

  enum class Outcome { matched, wrong_method, no_route };
  struct Match {
    Outcome outcome = Outcome::no_route;
    const Route* route = nullptr;
    std::vector<std::string> allowed_methods;  // for 405
  };
  // Fills req.params and req.route on a match.
  Match match(Request& req) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  // Indexes into routes_ by segment count, in the order of registration:
  // a request is compared with the routes of its length only.
  std::vector<std::vector<std::size_t>> by_length_;
};

}  // namespace cg::http
