// Every route, fed hostile and malformed input by a signed-in user, answers
// with a clear 4xx problem document — never a 5xx, never a crash — and the
// database is unchanged afterwards.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/app.hpp"
#include "db/db.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

std::string replace_params(const std::string& pattern, const std::string& value) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      out += value;
      i = pattern.find('}', i);
    } else {
      out += pattern[i];
    }
  }
  return out;
}

// Row counts of the tables a write could touch, to prove nothing changed.
std::map<std::string, std::int64_t> table_counts(App& app) {
  std::map<std::string, std::int64_t> counts;
  app.db->read([&](db::Conn& c) {
    for (const char* table : {"areas",
                              "buildings",
                              "households",
                              "residents",
                              "resident_tags",
                              "tags",
                              "users",
                              "role_grants",
                              "cases",
                              "case_events",
                              "files",
                              "file_uploads",
                              "case_photos",
                              "notifications",
                              "open311_clients",
                              "open311_tokens",
                              "volunteers",
                              "volunteer_teams",
                              "volunteer_activities",
                              "volunteer_signups",
                              "volunteer_attendance",
                              "volunteer_backfills",
                              "points_transfers",
                              "volunteer_gifts",
                              "volunteer_redemptions",
                              "volunteer_certificates"}) {
      counts[table] = c.query(std::string("SELECT COUNT(*) FROM ") + table).front().i64(0);
    }
  });
  return counts;
}

TEST(Hostile, EveryRouteRefusesHostileInputCleanly) {
  TestApp app;
  auto before = table_counts(app.app());
  auto admin = app.as("admin");
  const std::vector<std::string> ids = {"0",
                                        "-1",
                                        "abc",
                                        "1%20OR%201=1",
                                        "99999999999999999999",
                                        "%00",
                                        "1;DROP%20TABLE%20residents"};
  std::string nested(40, '[');
  nested += std::string(40, ']');
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"", "application/json"},
      {"null", "application/json"},
      {"[]", "application/json"},
      {"\"text\"", "application/json"},
      {"{\"name\":", "application/json"},
      {nested, "application/json"},
      {"{\"name\": {\"$gt\": \"\"}, \"household_id\": \"1 OR 1=1\", \"area_id\": 1e309}",
       "application/json"},
      {"{\"name\": \"" + std::string(5000, 'x') + "\"}", "application/json"},
      {"name=x", "application/x-www-form-urlencoded"},
  };
  int requests = 0;
  for (const auto& route : app.app().router.routes()) {
    bool has_id = route.pattern.find('{') != std::string::npos;
    std::vector<std::string> paths;
    if (has_id) {
      for (const auto& id : ids) paths.push_back(replace_params(route.pattern, id));
    } else {
      paths.push_back(route.pattern);
    }
    for (const auto& path : paths) {
      if (route.method == "GET" || route.method == "DELETE") {
        // Hostile query strings too.
        for (const std::string& query : std::vector<std::string>{
                 "", "?q=" + url_encode("' OR 1=1 --"), "?area=-5&limit=100000&cursor=%FF%FE",
                 "?lat=999&lng=abc&depth=-1&format=exe&tag=" + url_encode("<script>")}) {
          if (route.method == "DELETE" && !has_id) continue;
          if (route.pattern == "/api/v1/auth/logout") continue;
          // A request there opens an event stream that does not end; its
          // hostile input is tested in notify_test.cpp.
          if (route.pattern == "/api/v1/notifications/stream") continue;
          auto res = admin.send(route.method, path + query, "", "");
          ++requests;
          EXPECT_LT(res.status, 500) << route.method << " " << path << query << ": " << res.body;
        }
      } else {
        if (route.pattern == "/api/v1/auth/logout") continue;
        for (const auto& [body, type] : bodies) {
          auto res = admin.send(route.method, path, body, type);
          ++requests;
          EXPECT_GE(res.status, 400)
              << route.method << " " << path << " body " << body.substr(0, 60);
          EXPECT_LT(res.status, 500)
              << route.method << " " << path << " body " << body.substr(0, 60) << ": " << res.body;
          if (res.status >= 400) {
            // Open311 answers errors in its own format (a JSON array or <errors>).
            const bool open311 = route.pattern.starts_with("/open311/");
            const std::string type = res.header("content-type");
            if (open311) {
              EXPECT_TRUE(type.starts_with("application/json") || type.starts_with("text/xml"))
                  << route.method << " " << path << ": " << type;
            } else {
              EXPECT_EQ(type.rfind("application/problem+json", 0), 0u)
                  << route.method << " " << path;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(requests, 200);
  EXPECT_EQ(table_counts(app.app()), before);
}

TEST(Hostile, UnauthenticatedCallersGet401OnEveryProtectedRoute) {
  TestApp app;
  auto anonymous = app.client();
  const std::set<std::string> open_routes = {"/api/v1/auth/login", "/api/v1/auth/sms-code",
                                             "/api/v1/auth/sms-login", "/api/v1/openapi.json",
                                             "/api/v1/volunteer-certificates/{number}"};
  for (const auto& route : app.app().router.routes()) {
    // Open311 reads are public and filing takes an api_key (see open311_test.cpp).
    if (open_routes.count(route.pattern) || route.pattern.starts_with("/open311/")) continue;
    auto res = anonymous.send(route.method, replace_params(route.pattern, "1"),
                              route.method == "GET" ? "" : "{}", "application/json");
    EXPECT_EQ(res.status, 401) << route.method << " " << route.pattern;
  }
}

}  // namespace
}  // namespace cg::test
