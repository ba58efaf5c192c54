#include "support/fixtures.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>

#include "app/app.hpp"
#include "db/db.hpp"

namespace cg::test {

std::int64_t cst(int y, unsigned m, unsigned d, int hour, int minute) {
  using namespace std::chrono;
  const sys_days day{year{y} / month{m} / ::std::chrono::day{d}};
  return duration_cast<milliseconds>(day.time_since_epoch()).count() +
         ((hour - 8) * 60 + minute) * 60'000LL;
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

std::int64_t scalar(TestApp& app, const std::string& sql) {
  return app.app().db->read([&](db::Conn& c) { return c.query_one(sql)->i64(0); });
}

std::int64_t case_category(TestApp& app, const std::string& code) {
  return app.app().db->read([&](db::Conn& c) {
    return c.query_one("SELECT id FROM case_categories WHERE code = $1", {code})->i64(0);
  });
}

HttpResponse Resident::send(const std::string& method, const std::string& path,
                            const boost::json::value& body,
                            std::map<std::string, std::string> extra_headers) {
  extra_headers["Cookie"] = "cg_session=" + cookie;
  if (method == "GET") return client.send(method, path, "", "", extra_headers);
  extra_headers["X-CSRF-Token"] = csrf;
  return client.send(method, path, boost::json::serialize(body), "application/json", extra_headers);
}

HttpResponse Resident::get(const std::string& path) {
  return send("GET", path, nullptr);
}

HttpResponse Resident::post(const std::string& path, const boost::json::value& body,
                            std::map<std::string, std::string> extra_headers) {
  return send("POST", path, body, std::move(extra_headers));
}

HttpResponse Resident::upload(const std::string& bytes) {
  return client.send("POST", "/api/v1/files", bytes, "image/png",
                     {{"Cookie", "cg_session=" + cookie}, {"X-CSRF-Token", csrf}});
}

Resident sign_in_resident(TestApp& app, Client registrar, const std::string& phone,
                          const std::string& name, const boost::json::object& fields) {
  boost::json::object resident{
      {"household_id", app.world().household_of_grid.at(app.world().grid1)},
      {"name", name},
      {"gender", "female"},
      {"relation", "head"},
      {"residence_type", "registered"},
      {"phone", phone}};
  for (const auto& [key, value] : fields) resident[key] = value;
  auto created = registrar.post("/api/v1/residents", resident);
  EXPECT_EQ(created.status, 201) << created.body;
  Client c = app.client();
  EXPECT_EQ(c.post("/api/v1/auth/sms-code", {{"phone", phone}}).status, 202);
  auto ok =
      c.post("/api/v1/auth/sms-login", {{"phone", phone}, {"code", app.last_sms_code(phone)}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  const std::string set_cookie = ok.header("set-cookie");
  const std::size_t start = set_cookie.find("cg_session=") + 11;
  return Resident{app.client(), set_cookie.substr(start, set_cookie.find(';', start) - start),
                  str(ok.json().at("csrf_token"))};
}

}  // namespace cg::test
