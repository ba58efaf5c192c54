// API test harness: a real CivicGrid server (open_app + http::Server) on a
// free port, on a fresh database of the engine chosen by the environment:
//   CIVICGRID_TEST_DB unset or "sqlite"  → a temporary SQLite file
//   CIVICGRID_TEST_DB=postgresql://…     → a new database created on that server
// and a small HTTP client with a cookie jar and the CSRF header.
//
// Each TestApp is seeded with the same small world (see World) so that tests
// read as stories: "the grid worker of 八厂 grid 1 cannot see 文峰's residents".
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cg {
class App;
}

namespace cg::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  // The parsed body (parsed once, kept), so chains like
  // res.json().at("items").as_array() refer to a value that outlives them.
  const boost::json::value& json() const;
  std::string header(const std::string& lower_name) const;

 private:
  mutable std::optional<boost::json::value> parsed_;
};

// Blocking HTTP/1.1 client over a plain socket (one request per connection,
// so tests never depend on keep-alive state). Remembers the session cookie
// and the CSRF token from sign-in.
class Client {
 public:
  explicit Client(int port) : port_(port) {}
  HttpResponse get(const std::string& path);
  HttpResponse del(const std::string& path);
  HttpResponse post(const std::string& path, const boost::json::value& body);
  HttpResponse patch(const std::string& path, const boost::json::value& body);
  HttpResponse put(const std::string& path, const boost::json::value& body);
  HttpResponse send(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& content_type,
                    const std::map<std::string, std::string>& extra_headers = {});
  // Signs in with username/password; fails the test on error.
  void login(const std::string& username, const std::string& password = kPassword);
  void set_bearer(const std::string& token) { bearer_ = token; }
  void drop_csrf() { csrf_.clear(); }
  const std::string& csrf() const { return csrf_; }

  static constexpr const char* kPassword = "Test@Pass2026!";

 private:
  int port_;
  std::string cookie_;
  std::string csrf_;
  std::string bearer_;
};

// Ids of the seeded world.
//   南通市(city) → 崇川区(district) → 新城桥街道(street) → 八厂社区 → grid1, grid2
//                                                      → 文峰社区 → grid3
//                                 → 秦灶街道(street2)  → 苏阳社区 → grid4
// Each grid has one building "1幢" with one household "1单元 101室".
// Users (password Client::kPassword): admin (platform_admin @city),
// street_admin (@street), bachang_worker (community_worker @八厂),
// grid1_worker (@grid1), grid2_worker (@grid2), wenfeng_worker (@文峰),
// suyang_worker (@苏阳), handler1 (handler @八厂), party1 (party_secretary @八厂).
struct World {
  std::int64_t city = 0, district = 0, street = 0, bachang = 0, grid1 = 0, grid2 = 0, wenfeng = 0,
               grid3 = 0, street2 = 0, suyang = 0, grid4 = 0;
  std::map<std::int64_t, std::int64_t> building_of_grid;
  std::map<std::int64_t, std::int64_t> household_of_grid;
  std::map<std::string, std::int64_t> users;
};

class TestApp {
 public:
  TestApp();
  // `with_world` false: an empty (migrated) database, for tests that generate their own data.
  explicit TestApp(bool with_world);
  ~TestApp();
  App& app() { return *app_; }
  int port() const;
  Client client() const { return Client(port()); }
  // A client already signed in as `username`.
  Client as(const std::string& username) const;
  const World& world() const { return world_; }
  bool postgres() const;
  const std::string& db_url() const;
  std::string data_dir() const;
  // Messages the built-in SMS sender would have sent (phone → last code).
  std::string last_sms_code(const std::string& phone) const;
  // Uploads test_png(variant) as `username` and returns the file id.
  std::string upload_photo(const std::string& username, int variant = 0) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<App> app_;
  World world_;
};

// A real 64 x 48 PNG whose pixels (and so content hash) depend on `variant`.
std::string test_png(int variant = 0);

// True when the suite runs on PostgreSQL (for skipping engine-specific checks).
bool testing_postgres();

}  // namespace cg::test
