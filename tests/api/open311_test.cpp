// Open311 GeoReport v2 over HTTP, on the seeded World (新城桥街道 → 八厂社区
// grid1/grid2, 文峰社区 grid3; 秦灶街道 → 苏阳社区 grid4). Client programs get
// keys from admins under /api/v1/open311/clients and file cases at
// /open311/v2/requests.{json,xml}; everyone may read. Every JSON answer is
// checked against the official GeoReport v2 schemas, every XML answer is
// parsed by expat, and no answer carries a reporter's name or phone.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "app/app.hpp"
#include "core/pii.hpp"
#include "db/db.hpp"
#include "modules/cases/service.hpp"
#include "modules/open311/service.hpp"
#include "support/fixtures.hpp"
#include "support/json_schema.hpp"
#include "support/test_app.hpp"
#include "support/xml_tree.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;
using Params = std::vector<std::pair<std::string, std::string>>;

// Epoch ms of a China Standard Time wall-clock moment.
std::int64_t cst(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  using namespace std::chrono;
  const sys_days day{year{y} / month{m} / ::std::chrono::day{d}};
  return duration_cast<milliseconds>(day.time_since_epoch()).count() +
         ((hour - 8) * 60 + minute) * 60'000LL;
}

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

std::string form(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params)
    out += (out.empty() ? "" : "&") + url_encode(k) + "=" + url_encode(v);
  return out;
}

json::value square(double lng0, double lat0) {
  json::array ring;
  for (auto [x, y] : {std::pair{0.0, 0.0}, {0.1, 0.0}, {0.1, 0.1}, {0.0, 0.1}, {0.0, 0.0}})
    ring.push_back(json::array{lng0 + x, lat0 + y});
  return json::object{{"type", "Polygon"}, {"coordinates", json::array{ring}}};
}

// Points inside the boundaries the fixture gives grid1 and grid3.
constexpr const char* kGrid1Lat = "32.05";
constexpr const char* kGrid1Long = "120.85";
constexpr const char* kGrid3Lat = "32.05";
constexpr const char* kGrid3Long = "121.05";

class Open311Test : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();
  JsonSchemas schemas{georeport_schema_dir()};
  Client anon = app.client();

  void SetUp() override {
    auto worker = app.as("bachang_worker");
    ASSERT_EQ(
        worker.put("/api/v1/areas/" + std::to_string(w.grid1) + "/boundary", square(120.8, 32.0))
            .status,
        200);
    auto wenfeng = app.as("wenfeng_worker");
    ASSERT_EQ(
        wenfeng.put("/api/v1/areas/" + std::to_string(w.grid3) + "/boundary", square(121.0, 32.0))
            .status,
        200);
    cases::testing::set_now(cst(2026, 11, 20, 10, 0));  // a Friday, 10:00
  }
  void TearDown() override { cases::testing::set_now(std::nullopt); }

  // Issues a key as `admin` for `area`; returns the key.
  std::string issue(const std::string& admin, std::int64_t area,
                    const std::string& name = "城市App") {
    auto res = app.as(admin).post("/api/v1/open311/clients", {{"name", name}, {"area_id", area}});
    EXPECT_EQ(res.status, 201) << res.body;
    return str(res.json().at("api_key"));
  }

  HttpResponse post(const Params& params, const std::string& ext = "json") {
    return anon.send("POST", "/open311/v2/requests." + ext, form(params),
                     "application/x-www-form-urlencoded");
  }

  Params at_grid1(const std::string& key, const std::string& code = "SR01") {
    return {{"api_key", key},
            {"service_code", code},
            {"lat", kGrid1Lat},
            {"long", kGrid1Long},
            {"address_string", "八厂社区1幢东侧"},
            {"description", "垃圾桶满了，散落一地"}};
  }

  std::int64_t count(const char* table) {
    return app.app().db->read([&](db::Conn& c) {
      return c.query_one(std::string("SELECT COUNT(*) FROM ") + table)->i64(0);
    });
  }

  // A JSON answer, checked against `schema`.
  json::value get_json(const std::string& path, const std::string& schema, int status = 200) {
    auto res = anon.get(path);
    EXPECT_EQ(res.status, status) << path << ": " << res.body;
    EXPECT_EQ(res.header("content-type"), "application/json; charset=utf-8") << path;
    const json::value v = res.json();
    if (!schema.empty()) expect_valid(schema, v, path);
    return v;
  }

  // An XML answer, parsed (so well-formed) and with the root asked for.
  XmlElement get_xml(const std::string& path, const std::string& root, int status = 200) {
    auto res = anon.get(path);
    EXPECT_EQ(res.status, status) << path << ": " << res.body;
    EXPECT_EQ(res.header("content-type"), "text/xml; charset=utf-8") << path;
    return parsed(res.body, root);
  }

  XmlElement parsed(const std::string& body, const std::string& root) {
    std::string error;
    auto doc = parse_xml(body, &error);
    EXPECT_TRUE(doc) << error << "\n" << body;
    if (!doc) return {};
    EXPECT_EQ(doc->name, root);
    return *doc;
  }

  void expect_valid(const std::string& schema, const json::value& v, const std::string& where) {
    for (const std::string& p : schemas.validate(schema, v)) ADD_FAILURE() << where << ": " << p;
  }

  // The spec's error list, with Chinese descriptions; returns the descriptions.
  std::string expect_errors(const HttpResponse& res, int status) {
    EXPECT_EQ(res.status, status) << res.body;
    std::string all;
    if (res.header("content-type").starts_with("text/xml")) {
      XmlElement doc = parsed(res.body, "errors");
      EXPECT_FALSE(doc.all("error").empty());
      for (const XmlElement* e : doc.all("error")) {
        EXPECT_EQ(e->child("code")->text, std::to_string(status));
        all += e->child("description")->text + "\n";
      }
      return all;
    }
    const json::array& list = res.json().as_array();
    EXPECT_FALSE(list.empty());
    for (const json::value& e : list) {
      EXPECT_EQ(e.at("code").as_int64(), status);
      all += str(e.at("description")) + "\n";
    }
    EXPECT_NE(all.find_first_of("\xe4\xe5\xe6\xe7\xe8\xe9"), std::string::npos)
        << "expected a Chinese description: " << all;
    return all;
  }

  std::string filed_id(const HttpResponse& res) {
    EXPECT_EQ(res.status, 200) << res.body;
    return str(res.json().as_array().at(0).at("service_request_id"));
  }
};

// ---- the schema checker itself ------------------------------------------------------------

TEST(Open311Schemas, TheCheckerCatchesWhatTheSchemasForbid) {
  JsonSchemas schemas{georeport_schema_dir()};
  const json::value good = json::parse(R"([{"service_request_id": "7", "status": "open",
      "service_code": "SR01", "requested_datetime": "2026-11-20T10:00:00+08:00", "lat": null}])");
  EXPECT_TRUE(schemas.validate("requests.json", good).empty());
  for (
      const char* bad :
      {R"([{"service_request_id": 7, "status": "open", "service_code": "SR01", "requested_datetime": "2026-11-20T10:00:00Z"}])",
       R"([{"service_request_id": "7", "status": "pending", "service_code": "SR01", "requested_datetime": "2026-11-20T10:00:00Z"}])",
       R"([{"service_request_id": "7", "status": "open", "service_code": "SR01", "requested_datetime": "20.11.2026"}])",
       R"([{"service_request_id": "7", "status": "open", "service_code": "SR01"}])",
       R"([{"service_request_id": "7", "status": "open", "service_code": "SR01", "requested_datetime": "2026-11-20T10:00:00Z", "lat": "32"}])",
       R"({"service_request_id": "7"})"}) {
    EXPECT_FALSE(schemas.validate("requests.json", json::parse(bad)).empty()) << bad;
  }
  EXPECT_FALSE(
      schemas
          .validate(
              "services.json",
              json::parse(
                  R"([{"service_code": "SR01", "service_name": "x", "metadata": "yes", "type": "realtime"}])"))
          .empty());
}

// ---- masking numbers in free text ------------------------------------------------------------

TEST(Open311Masking, PhonesAndIdNumbersInTextAreMaskedAndOtherNumbersKept) {
  using open311::mask_numbers_in_text;
  EXPECT_EQ(mask_numbers_in_text("电话13812345678"), "电话138****5678");
  EXPECT_EQ(mask_numbers_in_text("13812345678"), mask_phone("13812345678"));
  EXPECT_EQ(mask_numbers_in_text("320602199001011234"), mask_id_number("320602199001011234"));
  EXPECT_EQ(mask_numbers_in_text("打 138 1234 5678 或 138-1234-5678"),
            "打 138 **** 5678 或 138-****-5678");
  EXPECT_EQ(mask_numbers_in_text("+86 13812345678"), "+86 138****5678");
  EXPECT_EQ(mask_numbers_in_text("+8613812345678"), "+86138****5678");
  EXPECT_EQ(mask_numbers_in_text("13812345678 2号楼"), "138****5678 2号楼");
  EXPECT_EQ(mask_numbers_in_text("身份证32060219900101123X。"), "身份证320602********123X。");
  EXPECT_EQ(mask_numbers_in_text("老证320602900101123"), "老证320602*****1123");
  // Dates, room numbers, counts and short numbers are not personal data.
  for (const char* kept : {"2026-11-23 14:30", "3幢2单元101室", "共1200户", "12345", "0513-12345"})
    EXPECT_EQ(mask_numbers_in_text(kept), kept);
}

// ---- discovery, services, service definitions -------------------------------------------

TEST_F(Open311Test, DiscoveryListsTheEndpointInBothFormats) {
  auto d = get_json("/open311/v2/discovery.json", "");
  const auto& endpoint = d.at("endpoints").as_array().at(0);
  EXPECT_EQ(endpoint.at("specification"), "http://wiki.open311.org/GeoReport_v2");
  EXPECT_TRUE(str(endpoint.at("url")).ends_with("/open311/v2"));
  EXPECT_EQ(endpoint.at("formats").as_array().size(), 2u);
  auto x = get_xml("/open311/v2/discovery.xml", "discovery");
  ASSERT_NE(x.child("endpoints"), nullptr);
  EXPECT_EQ(x.child("endpoints")->child("endpoint")->child("formats")->all("format").size(), 2u);
}

TEST_F(Open311Test, CategoriesAreServicesWithStringCodes) {
  auto list = get_json("/open311/v2/services.json", "services.json");
  const json::array& services = list.as_array();
  ASSERT_GT(services.size(), 30u);
  const json::value* bins = nullptr;
  for (const json::value& s : services) {
    EXPECT_TRUE(s.at("service_code").is_string());
    if (s.at("service_code") == "SR01") bins = &s;
    EXPECT_NE(s.at("service_code"), "SR");  // a category with children is a group, not a service
  }
  ASSERT_NE(bins, nullptr);
  EXPECT_EQ(bins->at("service_name"), "垃圾满溢");
  EXPECT_EQ(bins->at("group"), "市容环境");
  EXPECT_EQ(bins->at("type"), "realtime");

  auto x = get_xml("/open311/v2/services.xml", "services");
  EXPECT_EQ(x.all("service").size(), services.size());
  EXPECT_EQ(x.all("service").front()->child("metadata")->text, "true");
}

TEST_F(Open311Test, ServiceDefinitionAndUnknownServiceCode) {
  auto def = get_json("/open311/v2/services/SR01.json", "service-definition.json");
  EXPECT_EQ(def.at("service_code"), "SR01");
  const auto& attrs = def.at("attributes").as_array();
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[1].at("values").as_array().size(), 2u);
  auto x = get_xml("/open311/v2/services/SR01.xml", "service_definition");
  EXPECT_EQ(x.child("attributes")->all("attribute").size(), 2u);
  EXPECT_EQ(x.child("attributes")->all("attribute")[1]->child("values")->all("value").size(), 2u);

  expect_errors(anon.get("/open311/v2/services/NOPE.json"), 404);
  expect_errors(anon.get("/open311/v2/services/NOPE.xml"), 404);
  expect_errors(anon.get("/open311/v2/services/SR01.html"), 404);
}

// ---- keys -----------------------------------------------------------------------------------

TEST_F(Open311Test, AdminsIssueListAndRevokeKeysInTheirSubtreeOnly) {
  auto street = app.as("street_admin");
  auto issued =
      street.post("/api/v1/open311/clients", {{"name", "城市App"}, {"area_id", w.bachang}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string key = str(issued.json().at("api_key"));
  EXPECT_TRUE(key.starts_with("o311_"));
  EXPECT_EQ(issued.json().at("area").at("name"), "八厂社区");
  const std::int64_t id = issued.json().at("id").as_int64();
  // The key is shown once: never stored in the clear, never listed.
  EXPECT_EQ(app.app().db->read([&](db::Conn& c) {
    return c.query("SELECT id FROM open311_clients WHERE key_hash = $1 OR key_prefix = $1", {key})
        .size();
  }),
            0u);
  auto list = street.get("/api/v1/open311/clients");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(key), std::string::npos);
  EXPECT_EQ(list.json().at("items").as_array().size(), 1u);

  // A client of the other street is not the street admin's business.
  issue("admin", w.suyang, "秦灶小程序");
  EXPECT_EQ(street.get("/api/v1/open311/clients").json().at("items").as_array().size(), 1u);
  EXPECT_EQ(app.as("admin").get("/api/v1/open311/clients").json().at("items").as_array().size(),
            2u);
  EXPECT_EQ(
      street.post("/api/v1/open311/clients", {{"name", "越权"}, {"area_id", w.suyang}}).status,
      404);

  // Community workers and grid workers manage no keys.
  EXPECT_EQ(app.as("bachang_worker")
                .post("/api/v1/open311/clients", {{"name", "社区App"}, {"area_id", w.bachang}})
                .status,
            403);
  EXPECT_EQ(app.as("bachang_worker").get("/api/v1/open311/clients").status, 403);
  EXPECT_EQ(street.post("/api/v1/open311/clients", {{"name", "x"}, {"area_id", w.bachang}}).status,
            400);

  const std::string revoke = "/api/v1/open311/clients/" + std::to_string(id) + "/revoke";
  auto other_id = app.as("admin")
                      .get("/api/v1/open311/clients")
                      .json()
                      .at("items")
                      .as_array()[0]
                      .at("id")
                      .as_int64();
  EXPECT_EQ(
      street.post("/api/v1/open311/clients/" + std::to_string(other_id) + "/revoke", json::object{})
          .status,
      404);
  auto revoked = street.post(revoke, json::object{});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(revoked.json().at("revoked").as_bool());
  EXPECT_EQ(street.post(revoke, json::object{}).status, 409);

  // Every write is in the audit log.
  auto audit = app.as("admin").get("/api/v1/audit?limit=50");
  EXPECT_NE(audit.body.find("open311_client.issue"), std::string::npos);
  EXPECT_NE(audit.body.find("open311_client.revoke"), std::string::npos);
  EXPECT_EQ(audit.body.find(key), std::string::npos);
}

// ---- filing ----------------------------------------------------------------------------------

TEST_F(Open311Test, AValidKeyFilesACaseInTheGridOfThePointWithItsDeadline) {
  const std::string key = issue("street_admin", w.bachang);
  auto res = post(at_grid1(key));
  const std::string id = filed_id(res);
  const json::value& receipt = res.json().as_array().at(0);
  EXPECT_FALSE(str(receipt.at("token")).empty());
  EXPECT_NE(str(receipt.at("service_notice")).find("工作小时"), std::string::npos);

  // The case as staff see it: the grid of the point, source open311, the
  // category's working-hour deadline (SR01: handle within 4 working hours:
  // Friday 10:00 → 12:00, then 13:30 → 15:30).
  auto c = app.as("bachang_worker").get("/api/v1/cases/" + id);
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(c.json().at("grid").at("id").as_int64(), w.grid1);
  EXPECT_EQ(c.json().at("source"), "open311");
  EXPECT_EQ(c.json().at("category").at("name"), "垃圾满溢");
  EXPECT_EQ(c.json().at("status"), "reported");
  EXPECT_EQ(c.json().at("handle_deadline").as_int64(), cst(2026, 11, 20, 15, 30));
  const auto& created = c.json().at("timeline").as_array().at(0);
  EXPECT_EQ(created.at("actor").at("name"), "Open311 客户端：城市App");
  EXPECT_EQ(created.at("actor").at("role"), "open311_client");

  // The same as Open311 shows it.
  auto one = get_json("/open311/v2/requests/" + id + ".json", "requests.json");
  const json::value& r = one.as_array().at(0);
  EXPECT_EQ(str(r.at("service_request_id")), id);
  EXPECT_EQ(r.at("status"), "open");
  EXPECT_EQ(r.at("service_code"), "SR01");
  EXPECT_EQ(r.at("expected_datetime"), "2026-11-20T15:30:00+08:00");
  EXPECT_EQ(r.at("requested_datetime"), "2026-11-20T10:00:00+08:00");
  EXPECT_DOUBLE_EQ(r.at("lat").as_double(), 32.05);
  EXPECT_EQ(r.at("status_notes"), "已收到，待受理");

  // The XML flavour of POST answers the same way.
  auto xml = post(at_grid1(key), "xml");
  EXPECT_EQ(xml.status, 200);
  XmlElement doc = parsed(xml.body, "service_requests");
  ASSERT_NE(doc.child("request"), nullptr);
  EXPECT_FALSE(doc.child("request")->child("service_request_id")->text.empty());
  EXPECT_EQ(count("cases"), 2);
}

TEST_F(Open311Test, BuildingIdOrAddressLocatesTheGrid) {
  const std::string key = issue("street_admin", w.bachang);
  // address_id is our building id.
  auto by_building = post({{"api_key", key},
                           {"service_code", "WY01"},
                           {"address_id", std::to_string(w.building_of_grid.at(w.grid2))}});
  const std::string id = filed_id(by_building);
  EXPECT_EQ(
      app.as("bachang_worker").get("/api/v1/cases/" + id).json().at("grid").at("id").as_int64(),
      w.grid2);
  // An address alone names no grid for a community-wide key …
  expect_errors(post({{"api_key", key}, {"service_code", "WY01"}, {"address_string", "1幢"}}), 400);
  // … but does for a key of one grid.
  const std::string grid_key = issue("street_admin", w.grid2, "网格小程序");
  const std::string by_address = filed_id(
      post({{"api_key", grid_key}, {"service_code", "WY01"}, {"address_string", "1幢2单元"}}));
  auto c = app.as("bachang_worker").get("/api/v1/cases/" + by_address);
  EXPECT_EQ(c.json().at("grid").at("id").as_int64(), w.grid2);
  EXPECT_EQ(c.json().at("address"), "1幢2单元");
}

TEST_F(Open311Test, MissingWrongRevokedAndOutOfAreaKeysAreRefused) {
  const std::string key = issue("street_admin", w.bachang);
  const std::string wenfeng_key = issue("street_admin", w.wenfeng, "文峰App");
  const std::int64_t before = count("cases");

  Params no_key = at_grid1(key);
  no_key.erase(no_key.begin());
  EXPECT_NE(expect_errors(post(no_key), 403).find("api_key"), std::string::npos);
  EXPECT_NE(expect_errors(post(at_grid1("o311_" + std::string(64, '0'))), 403).find("无效"),
            std::string::npos);
  expect_errors(post(at_grid1(wenfeng_key)), 403);  // a point in 八厂 with a 文峰 key
  expect_errors(post(at_grid1(wenfeng_key), "xml"), 403);
  // With the right point, the 文峰 key files.
  Params in_wenfeng = at_grid1(wenfeng_key);
  in_wenfeng[2].second = kGrid3Lat;
  in_wenfeng[3].second = kGrid3Long;
  filed_id(post(in_wenfeng));

  auto clients =
      app.as("street_admin").get("/api/v1/open311/clients").json().at("items").as_array();
  std::int64_t bachang_client = 0;
  for (const auto& c : clients)
    if (c.at("name") == "城市App") bachang_client = c.at("id").as_int64();
  ASSERT_EQ(app.as("street_admin")
                .post("/api/v1/open311/clients/" + std::to_string(bachang_client) + "/revoke",
                      json::object{})
                .status,
            200);
  EXPECT_NE(expect_errors(post(at_grid1(key)), 403).find("吊销"), std::string::npos);
  EXPECT_EQ(count("cases"), before + 1);
  EXPECT_EQ(count("open311_tokens"), 1);
}

TEST_F(Open311Test, MalformedInputIsRefusedAndChangesNothing) {
  const std::string key = issue("street_admin", w.bachang);
  const std::int64_t cases = count("cases"), events = count("case_events"),
                     audit = count("audit_log");
  auto with = [&](std::string name, std::string value) {
    Params p = at_grid1(key);
    bool replaced = false;
    for (auto& [k, v] : p)
      if (k == name) {
        v = value;
        replaced = true;
      }
    if (!replaced) p.emplace_back(name, value);
    return p;
  };
  auto without = [&](std::string name) {
    Params p = at_grid1(key);
    std::erase_if(p, [&](const auto& kv) { return kv.first == name; });
    return p;
  };
  EXPECT_NE(expect_errors(post(with("lat", "999")), 400).find("lat"), std::string::npos);
  expect_errors(post(with("long", "abc")), 400);
  expect_errors(post(with("lat", "nan")), 400);
  expect_errors(post(without("long")), 400);
  expect_errors(post({{"api_key", key}, {"service_code", "SR01"}}), 400);  // no location at all
  expect_errors(post(with("lat", "40.0")), 400);                           // inside no grid
  EXPECT_NE(expect_errors(post(with("service_code", "XX99")), 404).find("XX99"), std::string::npos);
  expect_errors(post(with("service_code", "")), 400);
  expect_errors(post(with("description", std::string(2001, 'x'))), 400);
  expect_errors(post(with("address_string", std::string(201, 'a'))), 400);
  expect_errors(post(with("attribute[title]", "x")), 400);
  expect_errors(post(with("attribute[priority]", "very")), 400);
  expect_errors(post(with("attribute[color]", "red")), 400);
  expect_errors(post(with("surprise", "1")), 400);
  expect_errors(post(with("address_id", "1 OR 1=1")), 400);
  expect_errors(post(with("address_id", "99999999")), 400);
  expect_errors(post(with("description", std::string("abc\x01\x02", 5))), 400);
  expect_errors(post(with("phone", "12345")), 400);
  // Bytes that are not UTF-8, a broken escape, a duplicated parameter, JSON.
  expect_errors(
      anon.send("POST", "/open311/v2/requests.json", form(at_grid1(key)) + "&description=%FF%FE",
                "application/x-www-form-urlencoded"),
      400);
  expect_errors(anon.send("POST", "/open311/v2/requests.json", form(at_grid1(key)) + "&x=%G1",
                          "application/x-www-form-urlencoded"),
                400);
  expect_errors(anon.send("POST", "/open311/v2/requests.xml", "{\"api_key\":\"" + key + "\"}",
                          "application/json"),
                400);
  // Several problems at once: one error each.
  auto one = post(with("lat", "999"));
  EXPECT_EQ(one.json().as_array().size(), 1u) << one.body;
  auto two = post({{"api_key", key}, {"service_code", ""}, {"lat", "999"}, {"long", "120"}});
  EXPECT_GE(two.json().as_array().size(), 2u);

  EXPECT_EQ(count("cases"), cases);
  EXPECT_EQ(count("case_events"), events);
  EXPECT_EQ(count("audit_log"), audit);
  EXPECT_EQ(count("open311_tokens"), 0);
}

TEST_F(Open311Test, HostileTextIsStoredAsTextAndEscapedInXml) {
  const std::string key = issue("street_admin", w.bachang);
  const std::string hostile =
      "<script>alert('x')</script> & \"]]> <!ENTITY x SYSTEM \"file:///etc/passwd\">";
  Params p = at_grid1(key);
  p[5].second = hostile;
  p.emplace_back("attribute[title]", "</title><evil/>");
  const std::string id = filed_id(post(p));
  auto json_view = get_json("/open311/v2/requests/" + id + ".json", "requests.json");
  EXPECT_EQ(str(json_view.as_array().at(0).at("description")), hostile);
  auto xml = get_xml("/open311/v2/requests/" + id + ".xml", "service_requests");
  EXPECT_EQ(xml.child("request")->child("description")->text, hostile);
  EXPECT_EQ(xml.child("request")->child("status")->text, "open");
}

// ---- reading ------------------------------------------------------------------------------

TEST_F(Open311Test, GetRequestsHonoursTheSpecsFilters) {
  const std::string key = issue("street_admin", w.bachang);
  const std::string bins = filed_id(post(at_grid1(key, "SR01")));
  cases::testing::set_now(cst(2026, 11, 20, 11, 0));
  const std::string lift = filed_id(post(at_grid1(key, "WY01")));
  // The community rejects the lift report: it is closed to Open311.
  auto worker = app.as("bachang_worker");
  ASSERT_EQ(
      worker
          .post("/api/v1/cases/" + lift + "/actions",
                {{"action", "reject"}, {"reason", "电梯归物业维保，已转告，联系人13812345678"}})
          .status,
      200);

  auto ids_of = [&](const std::string& query) {
    std::vector<std::string> ids;
    const json::value list = get_json("/open311/v2/requests.json" + query, "requests.json");
    for (const auto& r : list.as_array()) ids.push_back(str(r.at("service_request_id")));
    return ids;
  };
  EXPECT_EQ(ids_of(""), (std::vector<std::string>{lift, bins}));  // newest first
  EXPECT_EQ(ids_of("?service_code=SR01"), std::vector<std::string>{bins});
  EXPECT_EQ(ids_of("?status=open"), std::vector<std::string>{bins});
  EXPECT_EQ(ids_of("?status=closed"), std::vector<std::string>{lift});
  EXPECT_EQ(ids_of("?service_request_id=" + bins + "," + lift),
            (std::vector<std::string>{bins, lift}));
  EXPECT_EQ(ids_of("?service_request_id=" + bins + ",999999"), std::vector<std::string>{bins});
  EXPECT_EQ(ids_of("?start_date=2026-11-20T10:30:00%2B08:00"), std::vector<std::string>{lift});
  EXPECT_EQ(ids_of("?end_date=2026-11-20T02:30:00Z"), std::vector<std::string>{bins});
  EXPECT_TRUE(ids_of("?start_date=2026-11-21T00:00:00Z").empty());
  EXPECT_TRUE(ids_of("?end_date=2026-01-01T00:00:00Z").empty());  // the default window is 90 days

  auto closed =
      get_json("/open311/v2/requests/" + lift + ".json", "requests.json").as_array().at(0);
  EXPECT_EQ(closed.at("status"), "closed");
  EXPECT_EQ(closed.at("status_notes"), "不予受理：电梯归物业维保，已转告，联系人138****5678");
  EXPECT_TRUE(closed.at("expected_datetime").is_null());

  expect_errors(anon.get("/open311/v2/requests.json?start_date=yesterday"), 400);
  expect_errors(
      anon.get("/open311/v2/"
               "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"),
      400);
  expect_errors(
      anon.get("/open311/v2/"
               "requests.json?start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z"),
      400);
  expect_errors(anon.get("/open311/v2/requests.xml?status=pending"), 400);
  expect_errors(anon.get("/open311/v2/requests.json?service_request_id=1,abc"), 400);
  expect_errors(anon.get("/open311/v2/requests.json?service_code=NOPE"), 404);
  expect_errors(anon.get("/open311/v2/requests/999999.json"), 404);
  expect_errors(anon.get("/open311/v2/requests/abc.xml"), 404);

  auto x = get_xml("/open311/v2/requests.xml", "service_requests");
  ASSERT_EQ(x.all("request").size(), 2u);
  EXPECT_EQ(x.all("request")[0]->child("status")->text, "closed");
  EXPECT_EQ(x.all("request")[0]->child("expected_datetime")->text, "");
}

TEST_F(Open311Test, TheTimelineIsAnExtension) {
  const std::string key = issue("street_admin", w.bachang);
  const std::string id = filed_id(post(at_grid1(key, "GY01")));
  auto worker = app.as("bachang_worker");
  ASSERT_EQ(worker.post("/api/v1/cases/" + id + "/actions", {{"action", "accept"}}).status, 200);
  ASSERT_EQ(worker
                .post("/api/v1/cases/" + id + "/actions",
                      {{"action", "comment"}, {"note", "内部备注：联系王芳13900001111"}})
                .status,
            200);
  ASSERT_EQ(worker.post("/api/v1/cases/" + id + "/actions", {{"action", "dispatch"}}).status, 200);

  auto plain = get_json("/open311/v2/requests/" + id + ".json", "requests.json").as_array().at(0);
  EXPECT_FALSE(plain.as_object().contains("extended_attributes"));
  EXPECT_EQ(plain.at("status_notes"), "已派遣至物业公司处置");
  EXPECT_EQ(plain.at("agency_responsible"), "物业公司");

  auto res = anon.get("/open311/v2/requests/" + id + ".json?extensions=true");
  expect_valid("requests.json", res.json(), "extensions");
  const auto& ext = res.json().as_array().at(0).at("extended_attributes");
  EXPECT_EQ(ext.at("case_status"), "dispatched");
  const auto& timeline = ext.at("timeline").as_array();
  ASSERT_EQ(timeline.size(), 4u);
  EXPECT_EQ(timeline[0].at("action"), "create");
  EXPECT_EQ(timeline[1].at("action_name"), "受理");
  EXPECT_EQ(timeline[2].at("action"), "comment");
  EXPECT_TRUE(timeline[2].at("note").is_null());  // internal notes stay inside
  EXPECT_EQ(timeline[3].at("case_status"), "dispatched");
  EXPECT_EQ(timeline[3].at("status"), "open");
  EXPECT_EQ(res.body.find("王芳"), std::string::npos);
  EXPECT_EQ(res.body.find("13900001111"), std::string::npos);

  auto list = anon.get("/open311/v2/requests.json?extensions=true");
  expect_valid("requests.json", list.json(), "list with extensions");
  auto x = get_xml("/open311/v2/requests/" + id + ".xml?extensions=true", "service_requests");
  EXPECT_EQ(
      x.child("request")->child("extended_attributes")->child("timeline")->all("event").size(), 4u);
  expect_errors(anon.get("/open311/v2/requests.json?extensions=maybe"), 400);
}

TEST_F(Open311Test, TokensResolveToTheRequest) {
  const std::string key = issue("street_admin", w.bachang);
  auto res = post(at_grid1(key));
  const std::string id = filed_id(res);
  const std::string token = str(res.json().as_array().at(0).at("token"));
  auto t = get_json("/open311/v2/tokens/" + token + ".json", "");
  EXPECT_EQ(str(t.as_array().at(0).at("service_request_id")), id);
  EXPECT_EQ(str(t.as_array().at(0).at("token")), token);
  auto x = get_xml("/open311/v2/tokens/" + token + ".xml", "service_requests");
  EXPECT_EQ(x.child("request")->child("service_request_id")->text, id);
  expect_errors(anon.get("/open311/v2/tokens/" + std::string(32, 'a') + ".json"), 404);
  expect_errors(anon.get("/open311/v2/tokens/%3Cscript%3E.xml"), 404);
}

// ---- privacy ------------------------------------------------------------------------------

TEST_F(Open311Test, PersonalDataIsNeverExposed) {
  const std::string key = issue("street_admin", w.bachang);
  Params p = at_grid1(key);
  p[5].second = "我家门口垃圾没人清，电话 138 1234 5678，身份证320602199001011234";
  p.emplace_back("first_name", "芳");
  p.emplace_back("last_name", "王");
  p.emplace_back("phone", "13951300099");
  p.emplace_back("email", "wf@example.com");
  const std::string id = filed_id(post(p));
  // Staff see the reporter (phone masked, as everywhere).
  auto staff = app.as("bachang_worker").get("/api/v1/cases/" + id);
  EXPECT_EQ(staff.json().at("reporter").at("name"), "王芳");
  EXPECT_EQ(staff.json().at("reporter").at("phone_masked"), "139****0099");
  // A staff-filed walk-in case with a reporter too.
  auto walk_in = app.as("bachang_worker")
                     .post("/api/v1/cases", {{"title", "路灯不亮"},
                                             {"category_id", staff.json().at("category").at("id")},
                                             {"grid_id", w.grid1},
                                             {"source", "walk_in"},
                                             {"reporter_name", "李四"},
                                             {"reporter_phone", "13700002222"}});
  ASSERT_EQ(walk_in.status, 201) << walk_in.body;

  for (const std::string& path : std::vector<std::string>{
           "/open311/v2/requests.json?extensions=true", "/open311/v2/requests.xml?extensions=true",
           "/open311/v2/requests/" + id + ".json?extensions=true"}) {
    auto res = anon.get(path);
    ASSERT_EQ(res.status, 200);
    for (const char* secret :
         {"王芳", "李四", "13951300099", "0099", "13700002222", "wf@example.com", "12345678",
          "1234 5678", "199001011234", "reporter"})
      EXPECT_EQ(res.body.find(secret), std::string::npos) << path << " exposes " << secret;
  }
  auto one = get_json("/open311/v2/requests/" + id + ".json", "requests.json").as_array().at(0);
  EXPECT_EQ(one.at("description"),
            "我家门口垃圾没人清，电话 138 **** 5678，身份证320602********1234");

  // A request about a person's own affairs (民生求助 → 困难帮扶) is published
  // without its text or location; staff still see everything.
  Params help = at_grid1(key, "MS01");
  help[5].second = "独居老人家中断粮，需要帮扶";
  const std::string help_id = filed_id(post(help));
  auto shown =
      get_json("/open311/v2/requests/" + help_id + ".json?extensions=true", "requests.json")
          .as_array()
          .at(0);
  EXPECT_EQ(shown.at("description"), "涉及个人事务，内容不公开");
  EXPECT_TRUE(shown.at("address").is_null());
  EXPECT_TRUE(shown.at("lat").is_null());
  EXPECT_EQ(shown.at("status"), "open");
  EXPECT_EQ(anon.get("/open311/v2/requests.xml").body.find("独居老人家中断粮"), std::string::npos);
  EXPECT_EQ(str(app.as("bachang_worker").get("/api/v1/cases/" + help_id).json().at("description")),
            "独居老人家中断粮，需要帮扶");
}

}  // namespace
}  // namespace cg::test
