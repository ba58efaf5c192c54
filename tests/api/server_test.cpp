// The HTTP framework as a client sees it: problem documents, limits, request
// ids, security headers, health, metrics, the OpenAPI document.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "app/app.hpp"
#include "app/embedded.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

class Server : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { app_ = new TestApp(); }
  static void TearDownTestSuite() { delete app_; }
  static TestApp* app_;
};
TestApp* Server::app_ = nullptr;

TEST_F(Server, HealthzAnswersOk) {
  auto res = app_->client().get("/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.json().at("status"), "ok");
}

TEST_F(Server, EveryResponseCarriesARequestIdAndSecurityHeaders) {
  auto res = app_->client().get("/api/v1/me");
  EXPECT_EQ(res.header("x-request-id").size(), 16u);
  EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
  EXPECT_NE(res.header("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
}

TEST_F(Server, ACallersRequestIdIsKeptAndAHostileOneReplaced) {
  auto c = app_->client();
  auto kept = c.send("GET", "/healthz", "", "", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(kept.header("x-request-id"), "trace-42");
  auto replaced = c.send("GET", "/healthz", "", "", {{"X-Request-Id", "<script>alert(1)</script>"}});
  EXPECT_NE(replaced.header("x-request-id"), "<script>alert(1)</script>");
}

TEST_F(Server, UnknownApiPathIsAProblemDocument) {
  auto res = app_->client().get("/api/v1/no-such-thing");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.header("content-type"), "application/problem+json; charset=utf-8");
  auto doc = res.json().as_object();
  EXPECT_EQ(doc.at("type"), "/problems/no-such-endpoint");
  EXPECT_EQ(doc.at("status"), 404);
  EXPECT_FALSE(doc.at("title").as_string().empty());
}

TEST_F(Server, WrongMethodIs405WithAllow) {
  auto res = app_->client().send("DELETE", "/api/v1/me", "", "");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.header("allow"), "GET");
}

TEST_F(Server, MalformedJsonIs400AndNamesTheProblem) {
  auto res = app_->client().send("POST", "/api/v1/auth/login", "{\"username\": ", "application/json");
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.json().at("type"), "/problems/malformed-json");
}

TEST_F(Server, NonJsonBodyIs415) {
  auto res = app_->client().send("POST", "/api/v1/auth/login", "username=a", "text/plain");
  EXPECT_EQ(res.status, 415);
}

TEST_F(Server, TooLargeBodyIs413) {
  std::string big(13 * 1024 * 1024, 'x');
  auto res = app_->client().send("POST", "/api/v1/auth/login", big, "application/json");
  EXPECT_EQ(res.status, 413);
}

TEST_F(Server, HugeHeaderIsRefused) {
  auto res = app_->client().send("GET", "/healthz", "", "", {{"X-Big", std::string(20000, 'a')}});
  EXPECT_EQ(res.status, 431);
}

TEST_F(Server, GarbageRequestLineIs400) {
  // Not even HTTP: the server answers 400 and closes.
  auto c = app_->client();
  auto res = c.send("G E T", "/", "", "");
  EXPECT_EQ(res.status, 400);
}

TEST_F(Server, MetricsCountRequestsPerRoute) {
  app_->client().get("/healthz");
  auto res = app_->client().get("/metrics");
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("civicgrid_http_requests_total{method=\"GET\",route=\"/healthz\""),
            std::string::npos);
  EXPECT_NE(res.body.find("civicgrid_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(res.body.find("civicgrid_db_connections"), std::string::npos);
  EXPECT_NE(res.body.find("civicgrid_uptime_seconds"), std::string::npos);
}

// The OpenAPI document lists exactly the routes the server has.
TEST_F(Server, OpenApiDocumentMatchesTheRoutes) {
  auto res = app_->client().get("/api/v1/openapi.json");
  ASSERT_EQ(res.status, 200);
  auto doc = res.json().as_object();
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).substr(0, 2), "3.");
  std::set<std::string> documented, served;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      if (method == "parameters") continue;
      std::string m(method);
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + std::string(path));
      EXPECT_TRUE(op.as_object().contains("summary")) << path;
      EXPECT_TRUE(op.as_object().contains("responses")) << path;
    }
  }
  for (const auto& route : app_->app().router.routes()) {
    served.insert(route.method + " " + route.pattern);
  }
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << "undocumented route: " << r;
  for (const auto& d : documented) EXPECT_TRUE(served.count(d)) << "documented, not served: " << d;
}

}  // namespace
}  // namespace cg::test
