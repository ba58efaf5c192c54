// The org tree over HTTP: areas, boundaries and locate, buildings, households.
// Each test starts from the seeded World (see tests/support/test_app.hpp):
//   新城桥街道 → 八厂社区 (grid1, grid2), 文峰社区 (grid3); 秦灶街道 → 苏阳社区 (grid4),
// each grid with building "1幢" and household "1单元 101室".
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "app/app.hpp"
#include "db/db.hpp"
#include "modules/org/service.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

std::string id_str(std::int64_t id) {
  return std::to_string(id);
}

std::string problem_type(const HttpResponse& r) {
  return std::string(r.json().at("type").as_string());
}

// True when the problem document names `field` among its errors.
bool names_field(const HttpResponse& r, const std::string& field) {
  const json::value body = r.json();
  const json::object& doc = body.as_object();
  if (!doc.contains("errors")) return false;
  for (const json::value& e : doc.at("errors").as_array()) {
    if (e.at("field").as_string() == field) return true;
  }
  return false;
}

std::int64_t id_of(const HttpResponse& r) {
  return r.json().at("id").as_int64();
}

const json::object* find_child(const json::value& node, std::int64_t id) {
  for (const json::value& child : node.at("children").as_array()) {
    if (child.at("id").as_int64() == id) return &child.as_object();
  }
  return nullptr;
}

std::int64_t count(const json::value& node, const char* what) {
  return node.at("counts").at(what).as_int64();
}

// A 0.1° square around central Nantong with a 0.02° hole in its middle.
json::value square_with_hole() {
  return json::parse(R"({"type":"Polygon","coordinates":[
    [[120.8,32.0],[120.9,32.0],[120.9,32.1],[120.8,32.1],[120.8,32.0]],
    [[120.84,32.04],[120.84,32.06],[120.86,32.06],[120.86,32.04],[120.84,32.04]]]})");
}

class OrgTest : public ::testing::Test {
 protected:
  const World& w() const { return app.world(); }
  std::string area_url(std::int64_t id) const { return "/api/v1/areas/" + id_str(id); }
  std::int64_t audit_count(const std::string& action) {
    auto admin = app.as("admin");
    auto r = admin.get("/api/v1/audit?limit=200&action=" + action);
    EXPECT_EQ(r.status, 200) << r.body;
    return static_cast<std::int64_t>(r.json().at("items").as_array().size());
  }
  // Adds a resident straight to the table (the people module's API is tested
  // elsewhere); enough for members and counts.
  void add_resident(std::int64_t household, std::int64_t grid, const std::string& name) {
    app.app().db->write([&](db::Conn& c) {
      auto place = app.app().org->place_of_household(c, household);
      c.exec(
          "INSERT INTO residents (household_id, grid_id, street_id, path, name, gender, relation, "
          "residence_type, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'female', '户主', "
          "'registered', 0, 0)",
          {household, grid, place->street_id, place->path, name});
    });
  }

  TestApp app;
};

// ---- Tree ------------------------------------------------------------------------

TEST_F(OrgTest, TreeOfStreetAdminShowsTheStreetWithCounts) {
  auto r = app.as("street_admin").get("/api/v1/areas/tree");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array roots = r.json().at("roots").as_array();
  ASSERT_EQ(roots.size(), 1u);
  const json::value& street = roots[0];
  EXPECT_EQ(street.at("id").as_int64(), w().street);
  EXPECT_EQ(street.at("level").as_string(), "street");
  EXPECT_EQ(count(street, "grids"), 3);
  EXPECT_EQ(count(street, "buildings"), 3);
  EXPECT_EQ(count(street, "households"), 3);
  ASSERT_EQ(street.at("children").as_array().size(), 2u);
  // Children come in code order: 八厂 (…001) before 文峰 (…002).
  EXPECT_EQ(street.at("children").as_array()[0].at("id").as_int64(), w().bachang);
  const json::object* bachang = find_child(street, w().bachang);
  ASSERT_NE(bachang, nullptr);
  EXPECT_EQ(count(*bachang, "grids"), 2);
  EXPECT_EQ(bachang->at("children").as_array().size(), 2u);
}

TEST_F(OrgTest, SuyangWorkerSeesOnlyHerCommunity) {
  auto r = app.as("suyang_worker").get("/api/v1/areas/tree");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array roots = r.json().at("roots").as_array();
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0].at("id").as_int64(), w().suyang);
  EXPECT_EQ(roots[0].at("name").as_string(), "苏阳社区");
  ASSERT_EQ(roots[0].at("children").as_array().size(), 1u);
  EXPECT_EQ(roots[0].at("children").as_array()[0].at("id").as_int64(), w().grid4);
  EXPECT_EQ(r.body.find("八厂"), std::string::npos);
}

TEST_F(OrgTest, TreeRootAndDepth) {
  auto c = app.as("street_admin");
  auto r = c.get("/api/v1/areas/tree?root=" + id_str(w().bachang) + "&depth=0");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value root = r.json().at("roots").as_array().at(0);
  EXPECT_EQ(root.at("id").as_int64(), w().bachang);
  EXPECT_TRUE(root.at("children").as_array().empty());
  EXPECT_EQ(count(root, "buildings"), 2);  // counts cover the subtree whatever the depth

  EXPECT_EQ(c.get("/api/v1/areas/tree?root=" + id_str(w().suyang)).status, 404);
  EXPECT_EQ(c.get("/api/v1/areas/tree?root=999999").status, 404);
  EXPECT_EQ(c.get("/api/v1/areas/tree?depth=9").status, 400);
  EXPECT_EQ(c.get("/api/v1/areas/tree?root=abc").status, 400);
}

TEST_F(OrgTest, TreeCountsFollowNewBuildingsHouseholdsAndResidents) {
  auto c = app.as("bachang_worker");
  auto b = c.post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "2幢"}});
  ASSERT_EQ(b.status, 201) << b.body;
  auto h = c.post("/api/v1/households",
                  {{"building_id", id_of(b)}, {"unit", "1"}, {"floor", 2}, {"room", "201"}});
  ASSERT_EQ(h.status, 201) << h.body;
  add_resident(id_of(h), w().grid1, "王秀英");

  auto r = c.get("/api/v1/areas/tree");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value bachang = r.json().at("roots").as_array().at(0);
  EXPECT_EQ(count(bachang, "grids"), 2);
  EXPECT_EQ(count(bachang, "buildings"), 3);
  EXPECT_EQ(count(bachang, "households"), 3);
  EXPECT_EQ(count(bachang, "residents"), 1);
  const json::object* grid1 = find_child(bachang, w().grid1);
  ASSERT_NE(grid1, nullptr);
  EXPECT_EQ(count(*grid1, "grids"), 1);
  EXPECT_EQ(count(*grid1, "buildings"), 2);
  EXPECT_EQ(count(*grid1, "households"), 2);
  EXPECT_EQ(count(*grid1, "residents"), 1);
  const json::object* grid2 = find_child(bachang, w().grid2);
  EXPECT_EQ(count(*grid2, "buildings"), 1);
  EXPECT_EQ(count(*grid2, "residents"), 0);
}

TEST_F(OrgTest, EveryEndpointNeedsSignIn) {
  Client anon = app.client();
  EXPECT_EQ(anon.get("/api/v1/areas/tree").status, 401);
  EXPECT_EQ(anon.get(area_url(w().grid1)).status, 401);
  EXPECT_EQ(
      anon.post("/api/v1/areas", {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "x"}})
          .status,
      401);
  EXPECT_EQ(anon.get("/api/v1/areas/locate?lat=32&lng=120").status, 401);
  EXPECT_EQ(anon.get("/api/v1/buildings").status, 401);
  EXPECT_EQ(anon.get("/api/v1/households").status, 401);
  EXPECT_EQ(anon.del("/api/v1/buildings/" + id_str(w().building_of_grid.at(w().grid1))).status,
            401);
}

TEST_F(OrgTest, CookieWritesNeedTheCsrfHeader) {
  auto c = app.as("bachang_worker");
  c.drop_csrf();
  auto r = c.post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "9幢"}});
  EXPECT_EQ(r.status, 403);
}

// ---- Areas -------------------------------------------------------------------------

TEST_F(OrgTest, GetAreaInScopeOnly) {
  auto c = app.as("grid1_worker");
  auto r = c.get(area_url(w().grid1));
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value a = r.json();
  EXPECT_EQ(a.at("code").as_string(), "320602011001001");
  EXPECT_EQ(a.at("level").as_string(), "grid");
  EXPECT_EQ(a.at("parent_id").as_int64(), w().bachang);
  EXPECT_EQ(a.at("street_id").as_int64(), w().street);
  EXPECT_FALSE(a.at("has_boundary").as_bool());
  EXPECT_TRUE(a.at("path").as_string().ends_with("/" + id_str(w().grid1) + "/"));

  // Out of scope and missing look the same.
  auto other = c.get(area_url(w().grid3));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(problem_type(other), "/problems/not-found");
  EXPECT_EQ(c.get(area_url(999999)).status, 404);
  EXPECT_EQ(c.get("/api/v1/areas/abc").status, 404);
  // The parent is above the grid worker's scope.
  EXPECT_EQ(c.get(area_url(w().bachang)).status, 404);
}

TEST_F(OrgTest, CreateGridGeneratesTheNextCode) {
  auto c = app.as("bachang_worker");
  auto r = c.post("/api/v1/areas",
                  {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "八厂社区第三网格"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json::value a = r.json();
  EXPECT_EQ(a.at("code").as_string(), "320602011001003");
  EXPECT_EQ(a.at("street_id").as_int64(), w().street);
  auto parent = c.get(area_url(w().bachang));
  ASSERT_EQ(parent.status, 200);  // she sees her own community
  EXPECT_EQ(a.at("path").as_string(),
            std::string(parent.json().at("path").as_string()) + id_str(id_of(r)) + "/");
  EXPECT_EQ(audit_count("area.create"), 1);

  // A street gets its own id as tenant key; a district's code is 6 digits.
  auto admin = app.as("admin");
  auto d = admin.post("/api/v1/areas",
                      {{"parent_id", w().city}, {"level", "district"}, {"name", "通州区"}});
  ASSERT_EQ(d.status, 201) << d.body;
  EXPECT_EQ(d.json().at("code").as_string(), "320603");
  auto s = admin.post("/api/v1/areas",
                      {{"parent_id", id_of(d)}, {"level", "street"}, {"name", "金沙街道"}});
  ASSERT_EQ(s.status, 201) << s.body;
  EXPECT_EQ(s.json().at("code").as_string(), "320603001");
  EXPECT_EQ(s.json().at("street_id").as_int64(), id_of(s));
}

TEST_F(OrgTest, CreateAreaWithGivenCodeChecksIt) {
  auto c = app.as("bachang_worker");
  auto ok = c.post("/api/v1/areas", {{"parent_id", w().bachang},
                                     {"level", "grid"},
                                     {"name", "第九网格"},
                                     {"code", "320602011001009"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.json().at("code").as_string(), "320602011001009");

  for (const char* bad :
       {"999", "320602011002009", "32060201100100a", "3206020110010091", "320602011001000"}) {
    auto r = c.post("/api/v1/areas", {{"parent_id", w().bachang},
                                      {"level", "grid"},
                                      {"name", std::string("网格") + bad},
                                      {"code", bad}});
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_TRUE(names_field(r, "code")) << r.body;
  }
  auto taken = c.post("/api/v1/areas", {{"parent_id", w().bachang},
                                        {"level", "grid"},
                                        {"name", "另一网格"},
                                        {"code", "320602011001001"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(problem_type(taken), "/problems/duplicate-code");
}

TEST_F(OrgTest, CreateAreaRejectsBadInput) {
  auto c = app.as("bachang_worker");
  auto wrong_level =
      c.post("/api/v1/areas", {{"parent_id", w().bachang}, {"level", "street"}, {"name", "x"}});
  EXPECT_EQ(wrong_level.status, 400);
  EXPECT_TRUE(names_field(wrong_level, "level"));

  auto unknown_level =
      c.post("/api/v1/areas", {{"parent_id", w().bachang}, {"level", "village"}, {"name", "x"}});
  EXPECT_EQ(unknown_level.status, 400);
  EXPECT_TRUE(names_field(unknown_level, "level"));

  auto missing = c.post("/api/v1/areas", json::object{});
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(names_field(missing, "level"));
  EXPECT_TRUE(names_field(missing, "name"));

  auto types = c.post("/api/v1/areas", {{"parent_id", "八厂"}, {"level", 4}, {"name", 5}});
  EXPECT_EQ(types.status, 400);
  EXPECT_TRUE(names_field(types, "parent_id"));
  EXPECT_TRUE(names_field(types, "level"));
  EXPECT_TRUE(names_field(types, "name"));

  auto unknown =
      c.post("/api/v1/areas",
             {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "x"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(names_field(unknown, "colour"));

  auto blank =
      c.post("/api/v1/areas", {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "　 "}});
  EXPECT_EQ(blank.status, 400);

  auto malformed = c.send("POST", "/api/v1/areas", "{\"level\": ", "application/json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(problem_type(malformed), "/problems/malformed-json");
  auto not_json = c.send("POST", "/api/v1/areas", "level=grid", "text/plain");
  EXPECT_EQ(not_json.status, 415);

  auto under_grid =
      c.post("/api/v1/areas", {{"parent_id", w().grid1}, {"level", "grid"}, {"name", "x"}});
  EXPECT_EQ(under_grid.status, 400);
  EXPECT_EQ(audit_count("area.create"), 0);
}

TEST_F(OrgTest, CreateAreaDuplicateNameChangesNothing) {
  auto c = app.as("bachang_worker");
  auto before = c.get("/api/v1/areas/tree").body;
  auto r = c.post("/api/v1/areas",
                  {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "八厂社区第一网格"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(problem_type(r), "/problems/duplicate-name");
  EXPECT_EQ(c.get("/api/v1/areas/tree").body, before);
  EXPECT_EQ(audit_count("area.create"), 0);
  // The same name under another community is fine.
  auto elsewhere =
      app.as("wenfeng_worker")
          .post("/api/v1/areas",
                {{"parent_id", w().wenfeng}, {"level", "grid"}, {"name", "八厂社区第一网格"}});
  EXPECT_EQ(elsewhere.status, 201) << elsewhere.body;
}

TEST_F(OrgTest, CreateAreaNeedsWriteOnTheParent) {
  json::value grid{{"parent_id", w().bachang}, {"level", "grid"}, {"name", "新网格"}};
  // 文峰's worker cannot see 八厂 at all; 八厂's handler can see but not write.
  EXPECT_EQ(app.as("wenfeng_worker").post("/api/v1/areas", grid).status, 404);
  EXPECT_EQ(app.as("handler1").post("/api/v1/areas", grid).status, 403);
  EXPECT_EQ(app.as("grid1_worker").post("/api/v1/areas", grid).status, 404);
  EXPECT_EQ(app.as("street_admin").post("/api/v1/areas", grid).status, 201);
}

TEST_F(OrgTest, OnlyPlatformAdminsCreateCities) {
  json::value city{{"level", "city"}, {"name", "苏州市"}, {"code", "3205"}};
  EXPECT_EQ(app.as("street_admin").post("/api/v1/areas", city).status, 403);
  auto r = app.as("admin").post("/api/v1/areas", city);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(r.json().at("parent_id").is_null());
  EXPECT_EQ(r.json().at("path").as_string(), "/" + id_str(id_of(r)) + "/");

  auto no_code = app.as("admin").post("/api/v1/areas", {{"level", "city"}, {"name", "无锡市"}});
  EXPECT_EQ(no_code.status, 400);
  EXPECT_TRUE(names_field(no_code, "code"));
  auto orphan = app.as("admin").post("/api/v1/areas", {{"level", "grid"}, {"name", "孤儿网格"}});
  EXPECT_EQ(orphan.status, 400);
  EXPECT_TRUE(names_field(orphan, "parent_id"));
}

TEST_F(OrgTest, RenameNeedsWriteOnTheParent) {
  auto worker = app.as("bachang_worker");
  auto r = worker.patch(area_url(w().grid1), {{"name", "八厂社区一网格"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("name").as_string(), "八厂社区一网格");
  EXPECT_EQ(audit_count("area.update"), 1);

  // Her own community is her root scope: she sees it but may not rename it.
  EXPECT_EQ(worker.patch(area_url(w().bachang), {{"name", "八厂"}}).status, 403);
  EXPECT_EQ(worker.patch(area_url(w().grid3), {{"name", "x"}}).status, 404);
  EXPECT_EQ(app.as("street_admin").patch(area_url(w().bachang), {{"name", "八厂新村"}}).status,
            200);

  auto dup = worker.patch(area_url(w().grid1), {{"name", "八厂社区第二网格"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(worker.patch(area_url(w().grid1), {{"code", "12"}}).status, 400);
  EXPECT_EQ(worker.patch(area_url(w().grid1), {{"name", 7}}).status, 400);
  auto recode = worker.patch(area_url(w().grid1), {{"code", "320602011001077"}});
  ASSERT_EQ(recode.status, 200) << recode.body;
  EXPECT_EQ(recode.json().at("code").as_string(), "320602011001077");
  // Children's codes carry the parent's, so a parent with children keeps it.
  auto street = app.as("street_admin");
  auto parent = street.patch(area_url(w().bachang), {{"code", "320602011009"}});
  EXPECT_EQ(parent.status, 409);
  EXPECT_EQ(problem_type(parent), "/problems/area-has-children");
}

TEST_F(OrgTest, DeleteAreaOnlyWhenEmpty) {
  auto c = app.as("bachang_worker");
  auto full = c.del(area_url(w().grid1));
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(problem_type(full), "/problems/area-not-empty");
  EXPECT_EQ(c.get(area_url(w().grid1)).status, 200);

  auto created = c.post("/api/v1/areas",
                        {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "临时网格"}});
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(app.as("grid1_worker").del(area_url(id_of(created))).status, 404);
  EXPECT_EQ(c.del(area_url(id_of(created))).status, 204);
  EXPECT_EQ(c.get(area_url(id_of(created))).status, 404);
  EXPECT_EQ(audit_count("area.delete"), 1);
  EXPECT_EQ(app.as("street_admin").del(area_url(w().bachang)).status, 409);
}

TEST_F(OrgTest, DeleteAreaStillGrantedIsAConflict) {
  auto c = app.as("bachang_worker");
  auto created = c.post(
      "/api/v1/areas", {{"parent_id", w().bachang}, {"level", "grid"}, {"name", "有人负责的网格"}});
  ASSERT_EQ(created.status, 201) << created.body;
  app.app().db->write([&](db::Conn& conn) {
    conn.exec(
        "INSERT INTO role_grants (user_id, role, area_id, created_at) VALUES ($1, 'grid_worker', "
        "$2, 0)",
        {w().users.at("grid2_worker"), id_of(created)});
  });
  auto r = c.del(area_url(id_of(created)));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(problem_type(r), "/problems/in-use");
  EXPECT_EQ(c.get(area_url(id_of(created))).status, 200);
  EXPECT_EQ(audit_count("area.delete"), 0);
}

// ---- Boundaries and locate ---------------------------------------------------------

TEST_F(OrgTest, BoundaryRoundTripAndLocate) {
  auto c = app.as("bachang_worker");
  std::string url = area_url(w().grid1) + "/boundary";
  EXPECT_EQ(c.get(url).status, 404);

  auto put = c.put(url, square_with_hole());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_TRUE(put.json().at("has_boundary").as_bool());
  EXPECT_EQ(audit_count("area.boundary.set"), 1);

  auto got = c.get(url);
  ASSERT_EQ(got.status, 200) << got.body;
  const json::value geo = got.json();
  EXPECT_EQ(geo.at("type").as_string(), "Polygon");
  ASSERT_EQ(geo.at("coordinates").as_array().size(), 2u);  // outer ring and hole

  auto inside = c.get("/api/v1/areas/locate?lat=32.02&lng=120.82");
  ASSERT_EQ(inside.status, 200) << inside.body;
  EXPECT_EQ(inside.json().at("grid").at("id").as_int64(), w().grid1);
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=32.05&lng=120.85").status, 404);  // in the hole
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=32.5&lng=121.0").status, 404);
  // A point inside grid1 is nowhere for someone who cannot see grid1.
  EXPECT_EQ(app.as("suyang_worker").get("/api/v1/areas/locate?lat=32.02&lng=120.82").status, 404);

  EXPECT_EQ(c.del(url).status, 204);
  EXPECT_EQ(c.get(url).status, 404);
  EXPECT_EQ(c.del(url).status, 404);
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=32.02&lng=120.82").status, 404);
  EXPECT_FALSE(c.get(area_url(w().grid1)).json().at("has_boundary").as_bool());
}

TEST_F(OrgTest, BoundaryAcceptsFeaturesAndMultiPolygons) {
  auto c = app.as("bachang_worker");
  json::value feature{
      {"type", "Feature"}, {"properties", json::object{}}, {"geometry", square_with_hole()}};
  EXPECT_EQ(c.put(area_url(w().grid1) + "/boundary", feature).status, 200);
  auto multi = json::parse(R"({"type":"MultiPolygon","coordinates":[
    [[[121.0,32.0],[121.1,32.0],[121.1,32.1],[121.0,32.1],[121.0,32.0]]],
    [[[121.2,32.0],[121.3,32.0],[121.3,32.1],[121.2,32.1],[121.2,32.0]]]]})");
  ASSERT_EQ(c.put(area_url(w().grid2) + "/boundary", multi).status, 200);
  auto second = c.get("/api/v1/areas/locate?lat=32.05&lng=121.25");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json().at("grid").at("id").as_int64(), w().grid2);
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=32.05&lng=121.15").status, 404);  // between them
}

TEST_F(OrgTest, BoundaryRejectsBadInput) {
  auto c = app.as("bachang_worker");
  std::string url = area_url(w().grid1) + "/boundary";
  auto bow_tie = json::parse(R"({"type":"Polygon","coordinates":[
    [[120.8,32.0],[120.9,32.1],[120.9,32.0],[120.8,32.1],[120.8,32.0]]]})");
  auto r = c.put(url, bow_tie);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(names_field(r, "boundary"));
  EXPECT_EQ(c.put(url, {{"type", "Point"}, {"coordinates", {120.8, 32.0}}}).status, 400);
  EXPECT_EQ(c.send("PUT", url, "{\"type\":", "application/json").status, 400);
  EXPECT_EQ(c.get(url).status, 404);  // nothing stored

  // Only grids have boundaries.
  auto community =
      app.as("street_admin").put(area_url(w().bachang) + "/boundary", square_with_hole());
  EXPECT_EQ(community.status, 400);
  // The grid worker sees her grid but may not redraw it; 文峰 cannot see it.
  EXPECT_EQ(app.as("grid1_worker").put(url, square_with_hole()).status, 403);
  EXPECT_EQ(app.as("wenfeng_worker").put(url, square_with_hole()).status, 404);
  EXPECT_EQ(audit_count("area.boundary.set"), 0);
}

TEST_F(OrgTest, LocateValidatesCoordinates) {
  auto c = app.as("bachang_worker");
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=100&lng=120").status, 400);
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=32&lng=-181").status, 400);
  EXPECT_EQ(c.get("/api/v1/areas/locate?lat=abc&lng=120").status, 400);
  auto missing = c.get("/api/v1/areas/locate?lat=32");
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(names_field(missing, "lng"));
}

// ---- Buildings -----------------------------------------------------------------------

TEST_F(OrgTest, ListBuildingsFollowsScope) {
  auto c = app.as("bachang_worker");
  auto all = c.get("/api/v1/buildings");
  ASSERT_EQ(all.status, 200) << all.body;
  const json::array items = all.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  std::set<std::int64_t> grids;
  for (const auto& b : items) grids.insert(b.at("grid_id").as_int64());
  EXPECT_EQ(grids, (std::set<std::int64_t>{w().grid1, w().grid2}));
  EXPECT_EQ(items[0].at("household_count").as_int64(), 1);
  EXPECT_TRUE(all.json().at("next_cursor").is_null());

  auto one = c.get("/api/v1/buildings?area=" + id_str(w().grid1));
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(c.get("/api/v1/buildings?area=" + id_str(w().grid3)).status, 404);
  EXPECT_EQ(app.as("street_admin").get("/api/v1/buildings").json().at("items").as_array().size(),
            3u);
}

TEST_F(OrgTest, ListBuildingsPagesWithACursor) {
  auto c = app.as("bachang_worker");
  for (int i = 2; i <= 6; ++i) {
    ASSERT_EQ(
        c.post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", std::to_string(i) + "幢"}})
            .status,
        201);
  }
  std::set<std::int64_t> seen;
  std::string url = "/api/v1/buildings?limit=2";
  int pages = 0;
  for (;;) {
    auto r = c.get(url);
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    const json::value page = r.json();
    for (const auto& b : page.at("items").as_array()) seen.insert(b.at("id").as_int64());
    const json::value& next = page.at("next_cursor");
    if (next.is_null()) break;
    url = "/api/v1/buildings?limit=2&cursor=" + std::string(next.as_string());
  }
  EXPECT_EQ(seen.size(), 7u);  // 2 seeded in 八厂 + 5 new
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(c.get("/api/v1/buildings?cursor=zz!").status, 400);
  EXPECT_EQ(c.get("/api/v1/buildings?limit=500").status, 400);
  EXPECT_EQ(c.get("/api/v1/buildings?limit=0").status, 400);
}

TEST_F(OrgTest, CreateBuilding) {
  auto c = app.as("bachang_worker");
  auto r = c.post("/api/v1/buildings", {{"grid_id", w().grid1},
                                        {"name", "2幢"},
                                        {"address", "八厂路2号"},
                                        {"lat", 32.01},
                                        {"lng", 120.86}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json::value b = r.json();
  EXPECT_EQ(b.at("grid_id").as_int64(), w().grid1);
  EXPECT_EQ(b.at("name").as_string(), "2幢");
  EXPECT_EQ(b.at("address").as_string(), "八厂路2号");
  EXPECT_DOUBLE_EQ(b.at("lat").as_double(), 32.01);
  EXPECT_DOUBLE_EQ(b.at("lng").as_double(), 120.86);
  EXPECT_EQ(b.at("household_count").as_int64(), 0);
  EXPECT_EQ(audit_count("building.create"), 1);
  EXPECT_EQ(c.get("/api/v1/buildings/" + id_str(id_of(r))).status, 200);
}

TEST_F(OrgTest, CreateBuildingRejectsBadInputAndChangesNothing) {
  auto c = app.as("bachang_worker");
  auto dup = c.post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "1幢"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(problem_type(dup), "/problems/duplicate-name");
  auto community = c.post("/api/v1/buildings", {{"grid_id", w().bachang}, {"name", "9幢"}});
  EXPECT_EQ(community.status, 400);
  EXPECT_TRUE(names_field(community, "grid_id"));
  auto missing = c.post("/api/v1/buildings", {{"grid_id", w().grid1}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(names_field(missing, "name"));
  auto types = c.post("/api/v1/buildings", {{"grid_id", "1"}, {"name", "9幢"}, {"lat", "32"}});
  EXPECT_EQ(types.status, 400);
  EXPECT_TRUE(names_field(types, "grid_id"));
  EXPECT_TRUE(names_field(types, "lat"));
  auto range = c.post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "9幢"}, {"lat", 91}});
  EXPECT_EQ(range.status, 400);
  EXPECT_EQ(c.send("POST", "/api/v1/buildings", "[1,2]", "application/json").status, 400);

  // 文峰's worker cannot see 八厂's grid; the grid worker sees it but may not write.
  EXPECT_EQ(app.as("wenfeng_worker")
                .post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "9幢"}})
                .status,
            404);
  EXPECT_EQ(app.as("grid1_worker")
                .post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "9幢"}})
                .status,
            403);
  EXPECT_EQ(c.post("/api/v1/buildings", {{"grid_id", 999999}, {"name", "9幢"}}).status, 404);

  EXPECT_EQ(c.get("/api/v1/buildings").json().at("items").as_array().size(), 2u);
  EXPECT_EQ(audit_count("building.create"), 0);
}

TEST_F(OrgTest, GetBuildingInScopeOnly) {
  auto grid1 = app.as("grid1_worker");
  auto own = grid1.get("/api/v1/buildings/" + id_str(w().building_of_grid.at(w().grid1)));
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json().at("name").as_string(), "1幢");
  EXPECT_EQ(own.json().at("household_count").as_int64(), 1);
  EXPECT_EQ(grid1.get("/api/v1/buildings/" + id_str(w().building_of_grid.at(w().grid3))).status,
            404);
  EXPECT_EQ(grid1.get("/api/v1/buildings/999999").status, 404);
}

TEST_F(OrgTest, UpdateAndDeleteBuilding) {
  auto c = app.as("bachang_worker");
  std::string seeded = "/api/v1/buildings/" + id_str(w().building_of_grid.at(w().grid1));
  auto r = c.patch(seeded, {{"address", "八厂路1号"}, {"lat", 32.0}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("address").as_string(), "八厂路1号");
  EXPECT_EQ(r.json().at("name").as_string(), "1幢");
  EXPECT_EQ(audit_count("building.update"), 1);

  auto extra = c.post("/api/v1/buildings", {{"grid_id", w().grid1}, {"name", "2幢"}});
  ASSERT_EQ(extra.status, 201);
  std::string url = "/api/v1/buildings/" + id_str(id_of(extra));
  EXPECT_EQ(c.patch(url, {{"name", "1幢"}}).status, 409);
  EXPECT_EQ(c.patch(url, {{"grid_id", w().grid2}}).status, 400);  // moving is not an edit
  EXPECT_EQ(app.as("grid1_worker").patch(url, {{"name", "3幢"}}).status, 403);
  EXPECT_EQ(app.as("wenfeng_worker").patch(url, {{"name", "3幢"}}).status, 404);

  auto full = c.del(seeded);
  EXPECT_EQ(full.status, 409);
  EXPECT_EQ(problem_type(full), "/problems/building-not-empty");
  EXPECT_EQ(app.as("grid1_worker").del(url).status, 403);
  EXPECT_EQ(c.del(url).status, 204);
  EXPECT_EQ(c.get(url).status, 404);
  EXPECT_EQ(audit_count("building.delete"), 1);
}

// ---- Households ----------------------------------------------------------------------

TEST_F(OrgTest, ListHouseholdsByBuildingOrArea) {
  auto c = app.as("bachang_worker");
  auto building = w().building_of_grid.at(w().grid1);
  auto r = c.get("/api/v1/households?building=" + id_str(building));
  ASSERT_EQ(r.status, 200) << r.body;
  const json::array items = r.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("address").as_string(), "八厂社区 1幢 1单元 101室");
  EXPECT_EQ(items[0].at("grid_id").as_int64(), w().grid1);
  EXPECT_EQ(items[0].at("member_count").as_int64(), 0);

  EXPECT_EQ(
      c.get("/api/v1/households?area=" + id_str(w().bachang)).json().at("items").as_array().size(),
      2u);
  EXPECT_EQ(c.get("/api/v1/households").json().at("items").as_array().size(), 2u);
  EXPECT_EQ(c.get("/api/v1/households?building=1&area=1").status, 400);
  EXPECT_EQ(app.as("grid1_worker")
                .get("/api/v1/households?building=" + id_str(w().building_of_grid.at(w().grid3)))
                .status,
            404);
  EXPECT_EQ(app.as("suyang_worker").get("/api/v1/households").json().at("items").as_array().size(),
            1u);
}

TEST_F(OrgTest, CreateHousehold) {
  auto c = app.as("bachang_worker");
  auto building = w().building_of_grid.at(w().grid1);
  auto r = c.post("/api/v1/households",
                  {{"building_id", building}, {"unit", "2"}, {"floor", 5}, {"room", "501"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("address").as_string(), "八厂社区 1幢 2单元 501室");
  EXPECT_EQ(r.json().at("floor").as_int64(), 5);
  EXPECT_EQ(audit_count("household.create"), 1);

  auto dup = c.post("/api/v1/households",
                    {{"building_id", building}, {"unit", "2"}, {"floor", 5}, {"room", "501"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(problem_type(dup), "/problems/duplicate-household");
  auto missing = c.post("/api/v1/households", {{"building_id", building}, {"room", "502"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(names_field(missing, "floor"));
  auto types =
      c.post("/api/v1/households", {{"building_id", building}, {"floor", "五"}, {"room", 502}});
  EXPECT_EQ(types.status, 400);
  EXPECT_TRUE(names_field(types, "floor"));
  EXPECT_TRUE(names_field(types, "room"));
  EXPECT_EQ(
      app.as("wenfeng_worker")
          .post("/api/v1/households", {{"building_id", building}, {"floor", 1}, {"room", "102"}})
          .status,
      404);
  EXPECT_EQ(
      app.as("grid1_worker")
          .post("/api/v1/households", {{"building_id", building}, {"floor", 1}, {"room", "102"}})
          .status,
      403);
  EXPECT_EQ(audit_count("household.create"), 1);
  EXPECT_EQ(
      c.get("/api/v1/households?building=" + id_str(building)).json().at("items").as_array().size(),
      2u);
}

TEST_F(OrgTest, HouseholdShowsItsMembersWithoutPersonalNumbers) {
  auto household = w().household_of_grid.at(w().grid1);
  add_resident(household, w().grid1, "张桂兰");
  auto r = app.as("grid1_worker").get("/api/v1/households/" + id_str(household));
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value h = r.json();
  EXPECT_EQ(h.at("member_count").as_int64(), 1);
  const auto& members = h.at("members").as_array();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].at("name").as_string(), "张桂兰");
  EXPECT_EQ(members[0].at("relation").as_string(), "户主");
  EXPECT_EQ(members[0].at("gender").as_string(), "female");
  EXPECT_FALSE(members[0].as_object().contains("id_number"));
  EXPECT_FALSE(members[0].as_object().contains("phone"));

  EXPECT_EQ(app.as("grid2_worker").get("/api/v1/households/" + id_str(household)).status, 404);
  auto del = app.as("bachang_worker").del("/api/v1/households/" + id_str(household));
  EXPECT_EQ(del.status, 409);
  EXPECT_EQ(problem_type(del), "/problems/household-not-empty");
}

TEST_F(OrgTest, UpdateAndDeleteHousehold) {
  auto c = app.as("bachang_worker");
  auto building = w().building_of_grid.at(w().grid1);
  auto created =
      c.post("/api/v1/households",
             {{"building_id", building}, {"unit", "1单元"}, {"floor", 2}, {"room", "201"}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string url = "/api/v1/households/" + id_str(id_of(created));

  auto r = c.patch(url, {{"room", "202"}, {"floor", 2}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("address").as_string(), "八厂社区 1幢 1单元 202室");
  EXPECT_EQ(audit_count("household.update"), 1);
  EXPECT_EQ(c.patch(url, {{"room", "101"}}).status, 409);  // the seeded household
  EXPECT_EQ(c.patch(url, {{"floor", "two"}}).status, 400);
  EXPECT_EQ(app.as("grid1_worker").patch(url, {{"room", "203"}}).status, 403);
  EXPECT_EQ(app.as("wenfeng_worker").patch(url, {{"room", "203"}}).status, 404);

  EXPECT_EQ(app.as("grid1_worker").del(url).status, 403);
  EXPECT_EQ(c.del(url).status, 204);
  EXPECT_EQ(c.get(url).status, 404);
  EXPECT_EQ(audit_count("household.delete"), 1);
}

// ---- For other modules ----------------------------------------------------------------

TEST_F(OrgTest, CrossModuleLookups) {
  org::OrgService& org = *app.app().org;
  app.app().db->write([&](db::Conn& conn) {
    auto place = org.place_of_household(conn, w().household_of_grid.at(w().grid1));
    ASSERT_TRUE(place);
    EXPECT_EQ(place->address, "八厂社区 1幢 1单元 101室");
    EXPECT_EQ(place->grid_id, w().grid1);
    EXPECT_EQ(place->grid_name, "八厂社区第一网格");
    EXPECT_EQ(place->street_id, w().street);
    EXPECT_FALSE(org.place_of_household(conn, 999999));

    auto grid = org.area_by_code(conn, "320602011001001");
    ASSERT_TRUE(grid);
    EXPECT_EQ(grid->id, w().grid1);
    EXPECT_EQ(org.area_by_id(conn, w().grid1)->code, "320602011001001");
    EXPECT_FALSE(org.area_by_code(conn, "nope"));

    auto existing = org.find_or_create_household(conn, w().grid1, "1幢", "1单元", 1, "101");
    EXPECT_EQ(existing.household_id, w().household_of_grid.at(w().grid1));
    auto fresh = org.find_or_create_household(conn, w().grid1, "3", "2", 4, "402");
    EXPECT_EQ(fresh.address, "八厂社区 3幢 2单元 402室");
    EXPECT_NE(fresh.building_id, existing.building_id);
    auto again = org.find_or_create_household(conn, w().grid1, "3", "2", 4, "402");
    EXPECT_EQ(again.household_id, fresh.household_id);
    EXPECT_THROW(org.find_or_create_household(conn, w().bachang, "1幢", "", 1, "1"),
                 std::invalid_argument);
  });
}

}  // namespace
}  // namespace cg::test
