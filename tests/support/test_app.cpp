#include "support/test_app.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <regex>
#include <stdexcept>

#include <spdlog/spdlog.h>
#include "app/app.hpp"
#include "core/image.hpp"
#include "core/password.hpp"
#include "db/db.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "modules/auth/service.hpp"

namespace cg::test {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// ---- raw HTTP over a socket -------------------------------------------------

std::string send_all(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) before reading everything
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return response;
}

HttpResponse parse_response(const std::string& raw) {
  HttpResponse res;
  std::size_t header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos) throw std::runtime_error("no HTTP response: " + raw);
  std::string head = raw.substr(0, header_end);
  res.body = raw.substr(header_end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  res.status = std::stoi(status_line.substr(9, 3));
  std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (res.headers.count(name)) {
        res.headers[name] += ", " + value;
      } else {
        res.headers[name] = value;
      }
    }
    pos = end + 2;
  }
  return res;
}

// ---- throwaway PostgreSQL databases ----------------------------------------

std::string with_database(const std::string& url, const std::string& dbname) {
  // postgresql://user@host:port/DB?params → replace DB
  std::size_t scheme = url.find("://");
  std::size_t slash = url.find('/', scheme + 3);
  std::size_t query = url.find('?', scheme + 3);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  std::string params = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + dbname + params;
}

void pg_admin(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string err = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("postgres: " + err);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  std::string err = PQerrorMessage(conn);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error("postgres: " + err);
}

class CapturingSms : public auth::SmsSender {
 public:
  void send(const std::string& phone, const std::string& text) override {
    std::lock_guard lock(mutex_);
    std::smatch m;
    static const std::regex six_digits("(\\d{6})");
    if (std::regex_search(text, m, six_digits)) codes_[phone] = m[1];
  }
  std::string code(const std::string& phone) {
    std::lock_guard lock(mutex_);
    return codes_.count(phone) ? codes_[phone] : "";
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> codes_;
};

std::atomic<int> next_db{0};

}  // namespace

bool testing_postgres() {
  return env("CIVICGRID_TEST_DB").rfind("postgres", 0) == 0;
}

// ---- HttpResponse / Client ---------------------------------------------------

const boost::json::value& HttpResponse::json() const {
  if (!parsed_) parsed_ = boost::json::parse(body);
  return *parsed_;
}

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse Client::send(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& content_type,
                          const std::map<std::string, std::string>& extra_headers) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!content_type.empty()) req += "Content-Type: " + content_type + "\r\n";
  if (!cookie_.empty()) req += "Cookie: cg_session=" + cookie_ + "\r\n";
  if (!csrf_.empty() && method != "GET") req += "X-CSRF-Token: " + csrf_ + "\r\n";
  if (!bearer_.empty()) req += "Authorization: Bearer " + bearer_ + "\r\n";
  for (const auto& [name, value] : extra_headers) req += name + ": " + value + "\r\n";
  if (method != "GET" || !body.empty()) {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  return parse_response(send_all(port_, req));
}

HttpResponse Client::get(const std::string& path) {
  return send("GET", path, "", "");
}
HttpResponse Client::del(const std::string& path) {
  return send("DELETE", path, "", "");
}
HttpResponse Client::post(const std::string& path, const boost::json::value& body) {
  return send("POST", path, boost::json::serialize(body), "application/json");
}
HttpResponse Client::patch(const std::string& path, const boost::json::value& body) {
  return send("PATCH", path, boost::json::serialize(body), "application/json");
}
HttpResponse Client::put(const std::string& path, const boost::json::value& body) {
  return send("PUT", path, boost::json::serialize(body), "application/json");
}

void Client::login(const std::string& username, const std::string& password) {
  HttpResponse res = post("/api/v1/auth/login", {{"username", username}, {"password", password}});
  ASSERT_EQ(res.status, 200) << "login " << username << ": " << res.body;
  std::string set_cookie = res.header("set-cookie");
  std::size_t start = set_cookie.find("cg_session=") + 11;
  cookie_ = set_cookie.substr(start, set_cookie.find(';', start) - start);
  csrf_ = std::string(res.json().at("csrf_token").as_string());
}

// ---- TestApp -------------------------------------------------------------------

struct TestApp::Impl {
  std::filesystem::path dir;
  std::string pg_admin_url;
  std::string pg_dbname;
  std::unique_ptr<http::Dispatcher> dispatcher;
  std::unique_ptr<http::Server> server;
  CapturingSms* sms = nullptr;
};

namespace {

std::int64_t insert_area(db::Conn& c, std::optional<std::int64_t> parent, const std::string& level,
                         const std::string& code, const std::string& name,
                         const std::string& parent_path, std::optional<std::int64_t> street) {
  std::int64_t now = now_ms();
  std::int64_t id =
      c.query(
           "INSERT INTO areas (parent_id, level, code, name, path, street_id, created_at, "
           "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
           {parent, level, code, name, "pending:" + code, street, now})
          .front()
          .i64(0);
  c.exec("UPDATE areas SET path = $1 WHERE id = $2", {parent_path + std::to_string(id) + "/", id});
  if (level == "street") c.exec("UPDATE areas SET street_id = $1 WHERE id = $1", {id});
  return id;
}

std::string path_of(db::Conn& c, std::int64_t id) {
  return c.query("SELECT path FROM areas WHERE id = $1", {id}).front().text(0);
}

World seed_world(App& app) {
  World w;
  std::string hash = *hash_password(Client::kPassword, PasswordHashCost::minimal());
  app.db->write([&](db::Conn& c) {
    auto child = [&](std::int64_t parent, const std::string& level, const std::string& code,
                     const std::string& name, std::optional<std::int64_t> street) {
      return insert_area(c, parent, level, code, name, path_of(c, parent), street);
    };
    w.city = insert_area(c, std::nullopt, "city", "3206", "南通市", "/", std::nullopt);
    w.district = child(w.city, "district", "320602", "崇川区", std::nullopt);
    w.street = child(w.district, "street", "320602011", "新城桥街道", std::nullopt);
    w.bachang = child(w.street, "community", "320602011001", "八厂社区", w.street);
    w.grid1 = child(w.bachang, "grid", "320602011001001", "八厂社区第一网格", w.street);
    w.grid2 = child(w.bachang, "grid", "320602011001002", "八厂社区第二网格", w.street);
    w.wenfeng = child(w.street, "community", "320602011002", "文峰社区", w.street);
    w.grid3 = child(w.wenfeng, "grid", "320602011002001", "文峰社区第一网格", w.street);
    w.street2 = child(w.district, "street", "320602012", "秦灶街道", std::nullopt);
    w.suyang = child(w.street2, "community", "320602012001", "苏阳社区", w.street2);
    w.grid4 = child(w.suyang, "grid", "320602012001001", "苏阳社区第一网格", w.street2);
    std::int64_t now = now_ms();
    for (std::int64_t grid : {w.grid1, w.grid2, w.grid3, w.grid4}) {
      std::string path = path_of(c, grid);
      auto street = c.query("SELECT street_id FROM areas WHERE id = $1", {grid}).front().i64(0);
      std::int64_t b = c.query(
                            "INSERT INTO buildings (grid_id, street_id, path, name, address, "
                            "created_at, updated_at) VALUES ($1, $2, $3, '1幢', '', $4, $4) "
                            "RETURNING id",
                            {grid, street, path, now})
                           .front()
                           .i64(0);
      std::int64_t h = c.query(
                            "INSERT INTO households (building_id, grid_id, street_id, path, "
                            "unit, floor, room, created_at, updated_at) VALUES ($1, $2, $3, "
                            "$4, '1单元', 1, '101', $5, $5) RETURNING id",
                            {b, grid, street, path, now})
                           .front()
                           .i64(0);
      w.building_of_grid[grid] = b;
      w.household_of_grid[grid] = h;
    }
    struct U {
      const char* username;
      const char* name;
      auth::Role role;
      std::int64_t area;
    };
    const U users[] = {
        {"admin", "平台管理员", auth::Role::platform_admin, w.city},
        {"street_admin", "新城桥街道管理员", auth::Role::street_admin, w.street},
        {"bachang_worker", "八厂社区工作者", auth::Role::community_worker, w.bachang},
        {"grid1_worker", "八厂一网格员", auth::Role::grid_worker, w.grid1},
        {"grid2_worker", "八厂二网格员", auth::Role::grid_worker, w.grid2},
        {"wenfeng_worker", "文峰社区工作者", auth::Role::community_worker, w.wenfeng},
        {"suyang_worker", "苏阳社区工作者", auth::Role::community_worker, w.suyang},
        {"handler1", "物业维修员", auth::Role::handler, w.bachang},
        {"party1", "八厂党支部书记", auth::Role::party_secretary, w.bachang},
    };
    for (const U& u : users) {
      auth::NewUser nu{u.username, u.name, Client::kPassword, {{u.role, u.area}}};
      w.users[u.username] = app.auth->create_user_unchecked(c, nu, hash);
    }
  });
  return w;
}

}  // namespace

TestApp::TestApp() : TestApp(true) {}

TestApp::TestApp(bool with_world) : impl_(std::make_unique<Impl>()) {
  // The access log of hundreds of requests would bury the test report.
  spdlog::set_level(spdlog::level::warn);
  impl_->dir =
      std::filesystem::temp_directory_path() /
      ("civicgrid-test-" + std::to_string(::getpid()) + "-" + std::to_string(next_db.fetch_add(1)));
  std::filesystem::create_directories(impl_->dir);
  Config config;
  config.data_dir = impl_->dir.string();
  config.db_readers = 4;
  config.log_level = "warn";
  if (testing_postgres()) {
    impl_->pg_admin_url = env("CIVICGRID_TEST_DB");
    impl_->pg_dbname =
        "cgtest_" + std::to_string(::getpid()) + "_" + std::to_string(next_db.fetch_add(1));
    pg_admin(impl_->pg_admin_url, "CREATE DATABASE " + impl_->pg_dbname);
    config.db_url = with_database(impl_->pg_admin_url, impl_->pg_dbname);
  } else {
    config.db_url = "sqlite:" + (impl_->dir / "test.db").string();
  }
  app_ = open_app(config);
  app_->auth->set_password_cost(PasswordHashCost::minimal());
  auto sms = std::make_unique<CapturingSms>();
  impl_->sms = sms.get();
  app_->auth->set_sms_sender(std::move(sms));
  if (with_world) world_ = seed_world(*app_);
  impl_->dispatcher =
      std::make_unique<http::Dispatcher>(app_->router, nullptr, app_->metrics, [] { return true; });
  http::ServerOptions options;
  options.port = 0;
  options.threads = 4;
  options.body_limit = 12 * 1024 * 1024;
  impl_->server = std::make_unique<http::Server>(
      options, [this](http::Request& req) { return impl_->dispatcher->handle(req); });
  impl_->server->start();
}

TestApp::~TestApp() {
  impl_->server->stop();
  app_->db->close();
  app_.reset();
  if (!impl_->pg_dbname.empty()) {
    try {
      pg_admin(impl_->pg_admin_url, "DROP DATABASE IF EXISTS " + impl_->pg_dbname);
    } catch (const std::exception&) {
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(impl_->dir, ec);
}

int TestApp::port() const {
  return impl_->server->port();
}

Client TestApp::as(const std::string& username) const {
  Client c(port());
  c.login(username);
  return c;
}

bool TestApp::postgres() const {
  return testing_postgres();
}
const std::string& TestApp::db_url() const {
  return app_->config.db_url;
}
std::string TestApp::data_dir() const {
  return impl_->dir.string();
}

std::string test_png(int variant) {
  constexpr int kWidth = 64, kHeight = 48;
  std::string rgb(kWidth * kHeight * 3, '\0');
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<char>((i * 7 + variant) & 0xFF);
  return encode_png_rgb(kWidth, kHeight, rgb);
}

std::string TestApp::upload_photo(const std::string& username, int variant) const {
  auto res = as(username).send("POST", "/api/v1/files", test_png(variant), "image/png");
  EXPECT_EQ(res.status, 201) << res.body;
  return res.status == 201 ? std::string(res.json().at("id").as_string()) : "";
}

std::string TestApp::last_sms_code(const std::string& phone) const {
  return impl_->sms->code(phone);
}

}  // namespace cg::test
