// Small pieces several API test suites set up the same way: the wall clock of
// the seeded world's city, one-line database reads, and a resident who signs
// in on the mobile app by phone and SMS code.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "support/test_app.hpp"

namespace cg::test {

// Epoch ms of a China Standard Time wall-clock moment.
std::int64_t cst(int y, unsigned m, unsigned d, int hour, int minute = 0);

// `s` percent-encoded for a query string (every byte but RFC 3986's unreserved).
std::string url_encode(std::string_view s);

// A JSON string as std::string.
std::string str(const boost::json::value& v);

// The first column of the first row of `sql` (a COUNT(*), an id).
std::int64_t scalar(TestApp& app, const std::string& sql);

// The id of the case category with `code` (e.g. "GY01").
std::int64_t case_category(TestApp& app, const std::string& code);

// A resident signed in by phone: the session cookie on every request and the
// CSRF header on every write, as the mobile app sends them.
struct Resident {
  Client client;
  std::string cookie, csrf;
  // `body` is sent as JSON except on GET (no body).
  HttpResponse send(const std::string& method, const std::string& path,
                    const boost::json::value& body,
                    std::map<std::string, std::string> extra_headers = {});
  HttpResponse get(const std::string& path);
  HttpResponse post(const std::string& path, const boost::json::value& body = boost::json::object{},
                    std::map<std::string, std::string> extra_headers = {});
  HttpResponse upload(const std::string& bytes);  // a photo to /api/v1/files
};

// `registrar` (a community worker) records a resident of grid1's household
// with `phone` and `name` (`fields` add to or replace the defaults: female,
// head of household, registered residence), who then signs in by SMS code.
// Fails the test on any error.
Resident sign_in_resident(TestApp& app, Client registrar, const std::string& phone,
                          const std::string& name, const boost::json::object& fields = {});

}  // namespace cg::test
