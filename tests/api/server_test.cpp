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
  auto replaced =
      c.send("GET", "/healthz", "", "", {{"X-Request-Id", "<script>alert(1)</script>"}});
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
  auto res =
      app_->client().send("POST", "/api/v1/auth/login", "{\"username\": ", "application/json");
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

// Checks `value` against the subset of JSON Schema the document uses:
// $ref, allOf, object required properties, arrays, nullable, enum.
void expect_conforms(const json::object& doc, const json::value& schema_in,
                     const json::value& value, const std::string& where) {
  const json::object* schema = &schema_in.as_object();
  while (schema->contains("$ref")) {
    std::string ref(schema->at("$ref").as_string());
    std::string name = ref.substr(ref.rfind('/') + 1);
    schema = &doc.at("components").at("schemas").at(name).as_object();
  }
  if (value.is_null()) {
    EXPECT_TRUE(schema->contains("nullable")) << where << " is null";
    return;
  }
  if (schema->contains("allOf")) {
    for (const auto& part : schema->at("allOf").as_array())
      expect_conforms(doc, part, value, where);
    return;
  }
  if (schema->contains("enum")) {
    const auto& allowed = schema->at("enum").as_array();
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), value), allowed.end())
        << where << " = " << json::serialize(value);
  }
  std::string type = schema->contains("type") ? std::string(schema->at("type").as_string()) : "";
  if (type == "object") {
    ASSERT_TRUE(value.is_object()) << where;
    if (schema->contains("required")) {
      for (const auto& key : schema->at("required").as_array()) {
        EXPECT_TRUE(value.as_object().contains(key.as_string())) << where << " lacks " << key;
      }
    }
    if (schema->contains("properties")) {
      for (const auto& [key, sub] : schema->at("properties").as_object()) {
        if (value.as_object().contains(key)) {
          expect_conforms(doc, sub, value.at(key), where + "." + std::string(key));
        }
      }
    }
  } else if (type == "array") {
    ASSERT_TRUE(value.is_array()) << where;
    for (const auto& item : value.as_array())
      expect_conforms(doc, schema->at("items"), item, where + "[]");
  } else if (type == "string") {
    EXPECT_TRUE(value.is_string()) << where;
  } else if (type == "integer") {
    EXPECT_TRUE(value.is_int64() || value.is_uint64()) << where;
  } else if (type == "number") {
    EXPECT_TRUE(value.is_number()) << where;
  } else if (type == "boolean") {
    EXPECT_TRUE(value.is_bool()) << where;
  }
}

// Real responses have the shape the document promises.
TEST_F(Server, OpenApiSchemasDescribeRealResponses) {
  auto doc = app_->client().get("/api/v1/openapi.json").json().as_object();
  auto c = app_->as("bachang_worker");
  const World& w = app_->world();
  std::string household = std::to_string(w.household_of_grid.at(w.grid1));
  std::vector<std::string> paths = {"/api/v1/me",
                                    "/api/v1/areas/tree",
                                    "/api/v1/residents",
                                    "/api/v1/buildings?area=" + std::to_string(w.grid1),
                                    "/api/v1/households/" + household,
                                    "/api/v1/tags",
                                    "/api/v1/areas/" + std::to_string(w.grid1),
                                    "/api/v1/users"};
  for (const std::string& path : paths) {
    auto res = c.get(path);
    ASSERT_EQ(res.status, 200) << path << ": " << res.body;
    std::string pattern = path.substr(0, path.find('?'));
    if (pattern.starts_with("/api/v1/households/")) pattern = "/api/v1/households/{id}";
    if (pattern.starts_with("/api/v1/areas/") && pattern != "/api/v1/areas/tree") {
      pattern = "/api/v1/areas/{id}";
    }
    const auto& schema = doc.at("paths")
                             .at(pattern)
                             .at("get")
                             .at("responses")
                             .at("200")
                             .at("content")
                             .at("application/json")
                             .at("schema");
    expect_conforms(doc, schema, res.json(), pattern);
  }
  // A case, its list and its detail.
  auto categories = c.get("/api/v1/case-categories");
  expect_conforms(doc,
                  doc.at("paths")
                      .at("/api/v1/case-categories")
                      .at("get")
                      .at("responses")
                      .at("200")
                      .at("content")
                      .at("application/json")
                      .at("schema"),
                  categories.json(), "categories");
  std::int64_t category =
      categories.json().at("items").as_array()[0].at("children").as_array()[0].at("id").as_int64();
  auto created = c.post("/api/v1/cases",
                        {{"title", "楼道灯不亮"}, {"category_id", category}, {"grid_id", w.grid1}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto& ops = doc.at("paths");
  auto schema_of = [&](const char* path, const char* method,
                       const char* status) -> const json::value& {
    return ops.at(path)
        .at(method)
        .at("responses")
        .at(status)
        .at("content")
        .at("application/json")
        .at("schema");
  };
  expect_conforms(doc, schema_of("/api/v1/cases", "post", "201"), created.json(), "case");
  std::string id = std::to_string(created.json().at("id").as_int64());
  expect_conforms(doc, schema_of("/api/v1/cases/{id}", "get", "200"),
                  c.get("/api/v1/cases/" + id).json(), "case detail");
  expect_conforms(doc, schema_of("/api/v1/cases", "get", "200"), c.get("/api/v1/cases").json(),
                  "cases");
  expect_conforms(doc, schema_of("/api/v1/calendar", "get", "200"),
                  c.get("/api/v1/calendar?year=2026").json(), "calendar");

  // Open311 lives outside /api/v1 but is documented the same way: its public
  // answers and the key admin API match their schemas too.
  auto anonymous = app_->client();
  expect_conforms(doc, schema_of("/open311/v2/services.json", "get", "200"),
                  anonymous.get("/open311/v2/services.json").json(), "open311 services");
  expect_conforms(doc, schema_of("/open311/v2/requests.json", "get", "200"),
                  anonymous.get("/open311/v2/requests.json?extensions=true").json(),
                  "open311 requests");
  expect_conforms(doc, schema_of("/open311/v2/discovery.json", "get", "200"),
                  anonymous.get("/open311/v2/discovery.json").json(), "open311 discovery");
  auto admin = app_->as("street_admin");
  auto issued =
      admin.post("/api/v1/open311/clients", {{"name", "城市App"}, {"area_id", w.bachang}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  expect_conforms(doc, schema_of("/api/v1/open311/clients", "post", "201"), issued.json(),
                  "open311 client");
  expect_conforms(doc, schema_of("/api/v1/open311/clients", "get", "200"),
                  admin.get("/api/v1/open311/clients").json(), "open311 clients");

  auto problem = c.get("/api/v1/residents?limit=abc");
  expect_conforms(doc, doc.at("components").at("schemas").at("Problem"), problem.json(), "Problem");
}

}  // namespace
}  // namespace cg::test
