// The residents registry through its HTTP API, on the seeded World:
// 八厂社区 (grid1, grid2), 文峰社区 (grid3), 苏阳社区 (grid4).
#include <gtest/gtest.h>
#include <iconv.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <set>
#include <string>

#include "app/app.hpp"
#include "core/idcard.hpp"
#include "db/db.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

// A valid GB 11643 number: region + birth date + 3-digit sequence + check digit.
// An odd sequence makes a man, an even one a woman.
std::string make_id(std::string_view birth8, int seq, std::string_view region = "320602") {
  std::string first17 = fmt::format("{}{}{:03}", region, birth8, seq);
  return first17 + *id_check_digit(first17);
}

std::string to_gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

std::string str(const json::value& v) {
  return std::string(v.as_string());
}

class PeopleApi : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();

  std::int64_t household(std::int64_t grid) { return w.household_of_grid.at(grid); }

  json::object body(std::int64_t grid, const std::string& name, const std::string& id_number,
                    const std::string& phone = "") {
    json::object b{{"household_id", household(grid)},
                   {"name", name},
                   {"relation", "head"},
                   {"residence_type", "registered"}};
    if (!id_number.empty()) b["id_number"] = id_number;
    if (!phone.empty()) b["phone"] = phone;
    return b;
  }

  // Creates a resident as the platform admin and returns its id.
  std::int64_t add(std::int64_t grid, const std::string& name, const std::string& id_number,
                   const std::string& phone = "", json::array tags = {}) {
    auto b = body(grid, name, id_number, phone);
    if (!tags.empty()) b["tags"] = tags;
    auto res = app.as("admin").post("/api/v1/residents", b);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.json().at("id").as_int64() : 0;
  }

  std::int64_t count(const std::string& sql) {
    return app.app().db->read([&](db::Conn& c) { return c.query_one(sql)->i64(0); });
  }
  std::int64_t audit_count(const std::string& action) {
    return count("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "'");
  }

  std::vector<std::int64_t> ids_of(const HttpResponse& res) {
    std::vector<std::int64_t> ids;
    const json::value doc = res.json();
    for (const auto& item : doc.at("items").as_array()) {
      ids.push_back(item.at("id").as_int64());
    }
    return ids;
  }

  std::vector<std::int64_t> search(const std::string& user, const std::string& query) {
    auto res = app.as(user).get("/api/v1/residents?" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    return res.status == 200 ? ids_of(res) : std::vector<std::int64_t>{};
  }

  // First `errors[]` entry of a problem document.
  static std::pair<std::string, std::string> first_error(const HttpResponse& res) {
    const json::value doc = res.json();
    const auto& e = doc.at("errors").as_array().at(0);
    return {str(e.at("field")), str(e.at("code"))};
  }
};

const std::string kId1 = make_id("19800315", 11);  // male, 1980-03-15
const std::string kId2 = make_id("19920708", 22);  // female

// ---- create, read ----------------------------------------------------------

TEST_F(PeopleApi, CreateFillsGenderAndBirthDateFromIdAndShowsOnlyMaskedValues) {
  auto res = app.as("grid1_worker")
                 .post("/api/v1/residents", body(w.grid1, "王小明", kId1, "138-1234-5678"));
  ASSERT_EQ(res.status, 201) << res.body;
  const json::object r = res.json().as_object();
  EXPECT_EQ(str(r.at("gender")), "male");
  EXPECT_EQ(str(r.at("birth_date")), "1980-03-15");
  EXPECT_GE(r.at("age").as_int64(), 45);
  EXPECT_EQ(str(r.at("id_number_masked")), kId1.substr(0, 6) + "********" + kId1.substr(14));
  EXPECT_EQ(str(r.at("phone_masked")), "138****5678");
  EXPECT_EQ(str(r.at("grid").at("name")), "八厂社区第一网格");
  EXPECT_EQ(r.at("household").at("id").as_int64(), household(w.grid1));
  EXPECT_EQ(res.body.find(kId1), std::string::npos);
  EXPECT_EQ(res.body.find("13812345678"), std::string::npos);
  EXPECT_EQ(audit_count("resident.create"), 1);

  auto detail =
      app.as("grid1_worker").get(fmt::format("/api/v1/residents/{}", r.at("id").as_int64()));
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body.find(kId1), std::string::npos);
  EXPECT_EQ(detail.body.find("13812345678"), std::string::npos);
  EXPECT_TRUE(detail.json().as_object().contains("notes"));
  EXPECT_TRUE(detail.json().as_object().contains("created_at"));
}

TEST_F(PeopleApi, CreateWithoutIdNeedsGender) {
  auto b = body(w.grid1, "李娜", "");
  auto res = app.as("grid1_worker").post("/api/v1/residents", b);
  ASSERT_EQ(res.status, 400);
  EXPECT_EQ(first_error(res), std::make_pair(std::string("gender"), std::string("required")));
  b["gender"] = "female";
  EXPECT_EQ(app.as("grid1_worker").post("/api/v1/residents", b).status, 201);
}

TEST_F(PeopleApi, CreateRejectsBadInput) {
  auto c = app.as("grid1_worker");
  auto malformed = c.send("POST", "/api/v1/residents", "{\"name\": ", "application/json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(str(malformed.json().at("type")), "/problems/malformed-json");

  auto wrong_type = body(w.grid1, "王小明", kId1);
  wrong_type["name"] = 42;
  EXPECT_EQ(first_error(c.post("/api/v1/residents", wrong_type)),
            std::make_pair(std::string("name"), std::string("type")));

  auto missing = body(w.grid1, "王小明", kId1);
  missing.erase("relation");
  EXPECT_EQ(first_error(c.post("/api/v1/residents", missing)),
            std::make_pair(std::string("relation"), std::string("required")));

  auto bad_enum = body(w.grid1, "王小明", kId1);
  bad_enum["residence_type"] = "tourist";
  EXPECT_EQ(first_error(c.post("/api/v1/residents", bad_enum)),
            std::make_pair(std::string("residence_type"), std::string("enum")));

  std::string bad_check = kId1;
  bad_check.back() = bad_check.back() == '0' ? '1' : '0';
  EXPECT_EQ(first_error(c.post("/api/v1/residents", body(w.grid1, "王小明", bad_check))),
            std::make_pair(std::string("id_number"), std::string("checksum")));

  auto birth_mismatch = body(w.grid1, "王小明", kId1);
  birth_mismatch["birth_date"] = "1980-03-16";
  EXPECT_EQ(first_error(c.post("/api/v1/residents", birth_mismatch)),
            std::make_pair(std::string("birth_date"), std::string("mismatch")));

  auto gender_mismatch = body(w.grid1, "王小明", kId1);
  gender_mismatch["gender"] = "female";
  EXPECT_EQ(first_error(c.post("/api/v1/residents", gender_mismatch)),
            std::make_pair(std::string("gender"), std::string("mismatch")));

  EXPECT_EQ(first_error(c.post("/api/v1/residents", body(w.grid1, "王小明", kId1, "12345678901"))),
            std::make_pair(std::string("phone"), std::string("format")));

  auto unknown = body(w.grid1, "王小明", kId1);
  unknown["nickname"] = "小明";
  EXPECT_EQ(first_error(c.post("/api/v1/residents", unknown)),
            std::make_pair(std::string("nickname"), std::string("unknown")));

  auto unknown_tag = body(w.grid1, "王小明", kId1);
  unknown_tag["tags"] = json::array{"不存在的标签"};
  EXPECT_EQ(first_error(c.post("/api/v1/residents", unknown_tag)),
            std::make_pair(std::string("tags"), std::string("unknown-tag")));

  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), 0);
}

TEST_F(PeopleApi, SameIdNumberTwiceIsConflict) {
  add(w.grid1, "王小明", kId1);
  auto res = app.as("admin").post("/api/v1/residents", body(w.grid3, "王晓明", kId1));
  EXPECT_EQ(res.status, 409);
  EXPECT_EQ(str(res.json().at("type")), "/problems/duplicate-id-number");
  // A lower-case check digit is the same number.
  std::string id_x;
  for (int seq = 1; id_x.empty() || id_x.back() != 'X'; ++seq) id_x = make_id("19700101", seq);
  add(w.grid1, "张三", id_x);
  std::string lower = id_x;
  lower.back() = 'x';
  EXPECT_EQ(app.as("admin").post("/api/v1/residents", body(w.grid1, "张三", lower)).status, 409);
}

// ---- search ----------------------------------------------------------------

TEST_F(PeopleApi, SearchFindsTwoCharacterNamesSubstringsPhonesAndIdNumbers) {
  auto a = add(w.grid1, "王芳", kId2, "13900001111");
  auto b = add(w.grid1, "欧阳王芳华", make_id("19850101", 31), "13900002222");
  auto c = add(w.grid1, "李四", make_id("19850101", 41));

  auto s = [&](const std::string& q) { return search("grid1_worker", "q=" + url_encode(q)); };
  EXPECT_EQ(s("王芳"), (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(s("阳王芳"), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(s("芳华"), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(s("李"), (std::vector<std::int64_t>{c}));
  EXPECT_EQ(s("13900002222"), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(s(kId2), (std::vector<std::int64_t>{a}));
  EXPECT_TRUE(s("1390000").empty());  // part of a phone is a name search, not a phone lookup
  EXPECT_TRUE(s("赵钱").empty());
  EXPECT_TRUE(s("%").empty());
}

TEST_F(PeopleApi, TagFilterNeedsEveryTag) {
  auto a = add(w.grid1, "独居甲", make_id("19400101", 11), "", {"独居老人", "低保"});
  auto b = add(w.grid1, "独居乙", make_id("19400101", 21), "", {"独居老人"});
  add(w.grid1, "普通丙", make_id("19900101", 31));
  EXPECT_EQ(search("grid1_worker", "tag=" + url_encode("独居老人")),
            (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(search("grid1_worker", "tag=" + url_encode("独居老人") + "&tag=" + url_encode("低保")),
            (std::vector<std::int64_t>{a}));
  auto res = app.as("grid1_worker").get(fmt::format("/api/v1/residents/{}", a));
  auto tags = res.json().at("tags").as_array();
  EXPECT_EQ(tags.size(), 2u);
}

TEST_F(PeopleApi, PagesCoverEveryResidentOnce) {
  std::set<std::int64_t> created;
  for (int i = 0; i < 25; ++i) {
    created.insert(add(w.grid1, fmt::format("居民{}", i), make_id("19900101", 100 + i)));
  }
  std::set<std::int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto res = app.as("grid1_worker")
                   .get("/api/v1/residents?limit=10" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(res.status, 200) << res.body;
    for (auto id : ids_of(res)) EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    const json::value next = res.json().at("next_cursor");
    cursor = next.is_null() ? "" : str(next);
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, created);

  auto c = app.as("grid1_worker");
  EXPECT_EQ(c.get("/api/v1/residents?cursor=garbage").status, 400);
  EXPECT_EQ(c.get("/api/v1/residents?limit=201").status, 400);
  EXPECT_EQ(c.get("/api/v1/residents?limit=abc").status, 400);
}

TEST_F(PeopleApi, AreaNarrowsToASubtreeInsideScope) {
  auto a = add(w.grid1, "张一", make_id("19900101", 11));
  auto b = add(w.grid2, "张二", make_id("19900101", 21));
  add(w.grid3, "张三", make_id("19900101", 31));
  EXPECT_EQ(search("bachang_worker", ""), (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(search("bachang_worker", fmt::format("area={}", w.grid2)),
            (std::vector<std::int64_t>{b}));
  EXPECT_EQ(app.as("bachang_worker").get(fmt::format("/api/v1/residents?area={}", w.grid3)).status,
            404);
  EXPECT_EQ(app.as("grid1_worker").get(fmt::format("/api/v1/residents?area={}", w.bachang)).status,
            404);
}

// ---- scope -----------------------------------------------------------------

TEST_F(PeopleApi, GridWorkerCannotReachResidentsOfAnotherGrid) {
  auto mine = add(w.grid1, "本网格", kId1, "13800001111");
  auto other = add(w.grid2, "邻网格", kId2, "13800002222");
  auto c = app.as("grid1_worker");
  const std::string url = fmt::format("/api/v1/residents/{}", other);

  EXPECT_EQ(search("grid1_worker", ""), (std::vector<std::int64_t>{mine}));
  EXPECT_TRUE(search("grid1_worker", "q=" + url_encode("邻网格")).empty());
  EXPECT_TRUE(search("grid1_worker", "q=" + kId2).empty());
  EXPECT_TRUE(search("grid1_worker", "q=13800002222").empty());
  EXPECT_EQ(c.get(url).status, 404);
  EXPECT_EQ(c.patch(url, {{"name", "改名"}}).status, 404);
  EXPECT_EQ(c.del(url).status, 404);
  EXPECT_EQ(c.post(url + "/reveal", {{"field", "id_number"}, {"reason", "入户核实"}}).status, 404);
  EXPECT_EQ(c.post("/api/v1/residents", body(w.grid2, "新人", make_id("19900101", 51))).status,
            404);
  // Moving her own resident into the other grid needs scope there too.
  EXPECT_EQ(
      c.patch(fmt::format("/api/v1/residents/{}", mine), {{"household_id", household(w.grid2)}})
          .status,
      404);
  EXPECT_EQ(c.get("/api/v1/residents/export?format=csv").status, 403);
  EXPECT_EQ(audit_count("resident.reveal"), 0);

  auto still = app.as("admin").get(url);
  EXPECT_EQ(str(still.json().at("name")), "邻网格");
  EXPECT_EQ(still.json().at("household").at("id").as_int64(), household(w.grid2));
  auto mine_now = app.as("admin").get(fmt::format("/api/v1/residents/{}", mine));
  EXPECT_EQ(mine_now.json().at("household").at("id").as_int64(), household(w.grid1));
}

TEST_F(PeopleApi, CommunityWorkerMovesResidentBetweenItsGrids) {
  auto id = add(w.grid1, "搬家户", kId1);
  auto res =
      app.as("bachang_worker")
          .patch(fmt::format("/api/v1/residents/{}", id), {{"household_id", household(w.grid2)}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("grid").at("id").as_int64(), w.grid2);
  EXPECT_TRUE(search("grid1_worker", "").empty());
  EXPECT_EQ(search("grid2_worker", ""), (std::vector<std::int64_t>{id}));
  EXPECT_EQ(app.as("wenfeng_worker")
                .patch(fmt::format("/api/v1/residents/{}", id), {{"name", "外社区改名"}})
                .status,
            404);
}

TEST_F(PeopleApi, ReaderWithoutWritePermissionIsForbidden) {
  auto id = add(w.grid1, "王小明", kId1);
  auto party = app.as("party1");
  const std::string url = fmt::format("/api/v1/residents/{}", id);
  EXPECT_EQ(party.get(url).status, 200);
  EXPECT_EQ(party.patch(url, {{"name", "改名"}}).status, 403);
  EXPECT_EQ(party.del(url).status, 403);
  EXPECT_EQ(app.as("handler1").get("/api/v1/residents").status, 403);
}

// ---- update, delete --------------------------------------------------------

TEST_F(PeopleApi, UpdateChangesOnlyWhatIsSentAndKeepsTheSearchIndex) {
  auto id = add(w.grid1, "王小明", kId1, "13800001111");
  auto c = app.as("grid1_worker");
  const std::string url = fmt::format("/api/v1/residents/{}", id);
  auto res = c.patch(url, {{"name", "王大明"}, {"phone", "13900009999"}, {"tags", {"党员"}}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(str(res.json().at("phone_masked")), "139****9999");
  EXPECT_EQ(str(res.json().at("gender")), "male");
  EXPECT_EQ(str(res.json().at("id_number_masked")).substr(0, 6), "320602");
  EXPECT_EQ(search("grid1_worker", "q=" + url_encode("大明")), (std::vector<std::int64_t>{id}));
  EXPECT_TRUE(search("grid1_worker", "q=" + url_encode("小明")).empty());
  EXPECT_EQ(search("grid1_worker", "q=13900009999"), (std::vector<std::int64_t>{id}));
  EXPECT_TRUE(search("grid1_worker", "q=13800001111").empty());
  EXPECT_EQ(search("grid1_worker", "tag=" + url_encode("党员")), (std::vector<std::int64_t>{id}));

  EXPECT_EQ(first_error(c.patch(url, {{"gender", "female"}})),
            std::make_pair(std::string("gender"), std::string("mismatch")));
  EXPECT_EQ(c.patch(url, {{"relation", "cousin"}}).status, 400);
  EXPECT_EQ(c.patch(url, {{"name", ""}}).status, 400);

  // A new ID number brings its own gender and birth date.
  auto changed = c.patch(url, {{"id_number", kId2}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(str(changed.json().at("gender")), "female");
  EXPECT_EQ(str(changed.json().at("birth_date")), "1992-07-08");
  EXPECT_EQ(audit_count("resident.update"), 2);

  auto other = add(w.grid1, "李四", kId1);  // kId1 is free again
  EXPECT_EQ(c.patch(fmt::format("/api/v1/residents/{}", other), {{"id_number", kId2}}).status, 409);
  EXPECT_EQ(c.patch("/api/v1/residents/999999", {{"name", "无此人"}}).status, 404);
}

TEST_F(PeopleApi, DeleteRemovesTheResident) {
  auto id = add(w.grid1, "王小明", kId1, "", {"低保"});
  auto c = app.as("grid1_worker");
  const std::string url = fmt::format("/api/v1/residents/{}", id);
  EXPECT_EQ(c.del(url).status, 204);
  EXPECT_EQ(c.get(url).status, 404);
  EXPECT_EQ(c.del(url).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM resident_name_grams"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM resident_tags"), 0);
  EXPECT_EQ(audit_count("resident.delete"), 1);
  EXPECT_EQ(c.get("/api/v1/residents/abc").status, 404);
  // The number can be registered again.
  add(w.grid1, "王小明", kId1);
}

// ---- reveal ----------------------------------------------------------------

TEST_F(PeopleApi, RevealWithPermissionReturnsTheValueAndAuditsOnce) {
  auto id = add(w.grid1, "王小明", kId1, "13800001111");
  auto c = app.as("grid1_worker");
  const std::string url = fmt::format("/api/v1/residents/{}/reveal", id);
  auto res = c.post(url, {{"field", "id_number"}, {"reason", "入户核实身份"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(str(res.json().at("value")), kId1);
  EXPECT_EQ(audit_count("resident.reveal"), 1);
  auto detail = app.app().db->read([](db::Conn& conn) {
    return conn.query_one(
        "SELECT detail, user_name, target_id FROM audit_log "
        "WHERE action = 'resident.reveal'");
  });
  EXPECT_NE(detail->text(0).find("id_number"), std::string::npos);
  EXPECT_NE(detail->text(0).find("入户核实身份"), std::string::npos);
  EXPECT_EQ(detail->text(0).find(kId1), std::string::npos);
  EXPECT_EQ(detail->text(2), std::to_string(id));

  auto phone = c.post(url, {{"field", "phone"}, {"reason", "联系家属"}});
  EXPECT_EQ(str(phone.json().at("value")), "13800001111");
  EXPECT_EQ(audit_count("resident.reveal"), 2);
}

TEST_F(PeopleApi, RevealWithoutPermissionIsRefusedAndNotAudited) {
  auto id = add(w.grid1, "王小明", kId1, "13800001111");
  const std::string url = fmt::format("/api/v1/residents/{}/reveal", id);
  auto res = app.as("party1").post(url, {{"field", "id_number"}, {"reason", "走访需要"}});
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.body.find(kId1), std::string::npos);
  EXPECT_EQ(audit_count("resident.reveal"), 0);
}

TEST_F(PeopleApi, RevealNeedsAReasonAndAKnownField) {
  auto id = add(w.grid1, "王小明", kId1);
  auto c = app.as("grid1_worker");
  const std::string url = fmt::format("/api/v1/residents/{}/reveal", id);
  EXPECT_EQ(c.post(url, {{"field", "id_number"}, {"reason", "看"}}).status, 400);
  EXPECT_EQ(c.post(url, {{"field", "id_number"}}).status, 400);
  EXPECT_EQ(c.post(url, {{"field", "address"}, {"reason", "入户核实"}}).status, 400);
  EXPECT_EQ(c.post(url, {{"field", "phone"}, {"reason", "入户核实"}}).status, 404);  // none
  EXPECT_EQ(audit_count("resident.reveal"), 0);
}

// ---- tags ------------------------------------------------------------------

TEST_F(PeopleApi, CommunityTagsAreSeenInsideTheCommunityOnly) {
  auto tags = app.as("grid1_worker").get("/api/v1/tags");
  ASSERT_EQ(tags.status, 200);
  EXPECT_EQ(tags.json().at("items").as_array().size(), 8u);

  auto created = app.as("bachang_worker")
                     .post("/api/v1/tags", {{"name", "楼道长"}, {"community_id", w.bachang}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(app.as("bachang_worker")
                .post("/api/v1/tags", {{"name", "楼道长"}, {"community_id", w.bachang}})
                .status,
            409);
  EXPECT_EQ(app.as("bachang_worker")
                .post("/api/v1/tags", {{"name", "低保"}, {"community_id", w.bachang}})
                .status,
            409);
  EXPECT_EQ(app.as("grid1_worker")
                .post("/api/v1/tags", {{"name", "网格标签"}, {"community_id", w.bachang}})
                .status,
            404);
  EXPECT_EQ(app.as("bachang_worker")
                .post("/api/v1/tags", {{"name", "网格标签"}, {"community_id", w.grid1}})
                .status,
            400);
  EXPECT_EQ(app.as("bachang_worker").post("/api/v1/tags", {{"community_id", w.bachang}}).status,
            400);

  auto names = [&](const std::string& user) {
    std::set<std::string> out;
    const json::value doc = app.as(user).get("/api/v1/tags").json();
    for (const auto& t : doc.at("items").as_array()) {
      out.insert(str(t.at("name")));
    }
    return out;
  };
  EXPECT_TRUE(names("grid1_worker").contains("楼道长"));
  EXPECT_FALSE(names("wenfeng_worker").contains("楼道长"));

  // Usable in its community, unknown in another.
  auto b = body(w.grid1, "楼道长甲", kId1);
  b["tags"] = json::array{"楼道长"};
  EXPECT_EQ(app.as("grid1_worker").post("/api/v1/residents", b).status, 201);
  auto elsewhere = body(w.grid3, "楼道长乙", kId2);
  elsewhere["tags"] = json::array{"楼道长"};
  EXPECT_EQ(app.as("wenfeng_worker").post("/api/v1/residents", elsewhere).status, 400);
}

// ---- import ----------------------------------------------------------------

const std::string kHeader =
    "姓名,性别,出生日期,身份证号,手机号,网格编码,楼幢,单元,楼层,房号,与户主关系,居住类型,标签,"
    "备注\n";
const std::string kGrid1Code = "320602011001001";
const std::string kGrid3Code = "320602011002001";

std::string csv_row(const std::string& name, const std::string& id, const std::string& grid,
                    const std::string& extra = "户主,户籍,,") {
  return fmt::format("{},,,{},,{},5幢,2单元,3,301,{}\n", name, id, grid, extra);
}

TEST_F(PeopleApi, GbkDryRunReportsBadRowsWithLineNumbers) {
  std::string bad_check = make_id("19700101", 11);
  bad_check.back() = bad_check.back() == '0' ? '1' : '0';
  const std::string text =
      kHeader + csv_row("张三", make_id("19700101", 21), kGrid1Code) +  // line 2: good
      csv_row("李四", bad_check, kGrid1Code) +                          // line 3: checksum
      "王五,女,1970-01-01," + make_id("19700101", 31) + ",138," + kGrid1Code +
      ",5幢,2单元,3,302,表亲,户籍,,\n" +                      // line 4: gender, phone, relation
      csv_row("赵六", make_id("19700101", 21), kGrid1Code) +  // line 5: duplicate of 2
      csv_row("钱七", make_id("19700101", 41), kGrid3Code) +  // line 6: other community
      "孙八,男,1970/1/1," + make_id("19700101", 51) + ",13800001111," + kGrid1Code +
      ",5幢,2单元,3,303,子女,流动,独居老人、低保,备注\n";  // line 7: good
  auto res = app.as("bachang_worker")
                 .send("POST",
                       fmt::format("/api/v1/residents/import?dry_run=true&community={}", w.bachang),
                       to_gbk(text), "text/csv");
  ASSERT_EQ(res.status, 200) << res.body;
  const json::object r = res.json().as_object();
  EXPECT_EQ(str(r.at("encoding")), "GB18030");
  EXPECT_TRUE(r.at("dry_run").as_bool());
  EXPECT_EQ(r.at("total_rows").as_int64(), 6);
  EXPECT_EQ(r.at("valid_rows").as_int64(), 2);
  EXPECT_EQ(r.at("imported").as_int64(), 0);
  std::set<std::pair<std::int64_t, std::string>> errors;
  for (const auto& e : r.at("errors").as_array()) {
    errors.insert({e.at("row").as_int64(), str(e.at("field"))});
  }
  std::set<std::pair<std::int64_t, std::string>> expected = {{3, "身份证号"}, {4, "性别"},
                                                             {4, "手机号"},   {4, "与户主关系"},
                                                             {5, "身份证号"}, {6, "网格编码"}};
  EXPECT_EQ(errors, expected) << res.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), 0);
}

TEST_F(PeopleApi, FailedRealImportChangesNothing) {
  add(w.grid1, "已登记", kId1);
  const auto residents = count("SELECT COUNT(*) FROM residents");
  const auto households = count("SELECT COUNT(*) FROM households");
  const std::string text = kHeader + csv_row("张三", make_id("19700101", 21), kGrid1Code) +
                           csv_row("李四", kId1, kGrid1Code);  // already registered
  auto res =
      app.as("bachang_worker")
          .send("POST",
                fmt::format("/api/v1/residents/import?dry_run=false&community={}", w.bachang), text,
                "text/csv");
  ASSERT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(str(res.json().at("type")), "/problems/import-rejected");
  EXPECT_EQ(str(res.json().at("errors").as_array().at(0).at("field")), "row 3: 身份证号");
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), residents);
  EXPECT_EQ(count("SELECT COUNT(*) FROM households"), households);
  EXPECT_EQ(audit_count("resident.import"), 0);
}

TEST_F(PeopleApi, GoodImportCreatesHouseholdsAndResidents) {
  const auto households = count("SELECT COUNT(*) FROM households");
  const std::string text =
      "\xEF\xBB\xBF" + kHeader + csv_row("张三", make_id("19700101", 21), kGrid1Code) +
      csv_row("张小三", make_id("20000101", 22), kGrid1Code, "子女,户籍,党员,大学生") +
      "王五,男,,,13800001111," + kGrid1Code + ",6幢,,1,101,户主,流动,,\n" + ",,,,,,,,,,,,,\n";
  auto c = app.as("bachang_worker");
  const std::string url =
      fmt::format("/api/v1/residents/import?dry_run=false&community={}", w.bachang);
  auto res = c.send("POST", url, text, "text/csv");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(str(res.json().at("encoding")), "UTF-8 (BOM)");
  EXPECT_EQ(res.json().at("imported").as_int64(), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM households"), households + 2);  // 5幢301, 6幢101
  EXPECT_EQ(audit_count("resident.import"), 1);
  auto found = app.as("grid1_worker").get("/api/v1/residents?q=" + url_encode("张小三"));
  ASSERT_EQ(found.json().at("items").as_array().size(), 1u);
  const json::value doc = found.json();
  const auto& item = doc.at("items").as_array().at(0);
  EXPECT_EQ(str(item.at("relation")), "child");
  EXPECT_EQ(str(item.at("gender")), "female");
  EXPECT_NE(str(item.at("household").at("address")).find("5幢"), std::string::npos);
  EXPECT_EQ(item.at("tags").as_array().size(), 1u);

  // Importing the same file again: every ID number is now a duplicate.
  EXPECT_EQ(c.send("POST", url, text, "text/csv").status, 400);
}

TEST_F(PeopleApi, ThousandsOfRowsImportInOneGo) {
  std::string text = kHeader;
  for (int i = 0; i < 2000; ++i) {
    const std::string birth = fmt::format("19{:02}0101", 30 + i / 999);
    text += fmt::format("居民{},,,{},,{},{}幢,1单元,1,{},户主,户籍,,\n", i,
                        make_id(birth, i % 999 + 1), kGrid1Code, i / 100 + 1, i % 100 + 101);
  }
  auto res =
      app.as("bachang_worker")
          .send("POST",
                fmt::format("/api/v1/residents/import?dry_run=false&community={}", w.bachang), text,
                "text/csv");
  ASSERT_EQ(res.status, 200) << res.body.substr(0, 2000);
  EXPECT_EQ(res.json().at("imported").as_int64(), 2000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), 2000);
}

// The file is read and written in batches (2,048 rows): rows of the first
// batches are already written when a bad row turns up in the last one, and
// must go again, with the same report as when nothing was written early.
TEST_F(PeopleApi, BadRowsInLaterBatchesRefuseTheWholeFile) {
  add(w.grid1, "已登记", kId1);
  const auto residents = count("SELECT COUNT(*) FROM residents");
  const auto households = count("SELECT COUNT(*) FROM households");
  const auto grams = count("SELECT COUNT(*) FROM resident_name_grams");
  auto row = [](int i) {
    const std::string birth = fmt::format("19{:02}0101", 30 + i / 999);
    return fmt::format("居民{},,,{},,{},{}幢,1单元,1,{},户主,户籍,,\n", i,
                       make_id(birth, i % 999 + 1), kGrid1Code, i / 100 + 1, i % 100 + 101);
  };
  std::string good = kHeader, bad = kHeader;
  for (int i = 0; i < 5000; ++i) {
    good += row(i);
    bad += i == 3998 ? row(0) : row(i);  // line 4000 repeats line 2
  }
  bad += csv_row("已登记甲", kId1, kGrid1Code);  // line 5002: registered before
  auto c = app.as("bachang_worker");
  const std::string url = fmt::format("/api/v1/residents/import?community={}", w.bachang);

  auto dry = c.send("POST", url + "&dry_run=true", bad, "text/csv");
  ASSERT_EQ(dry.status, 200) << dry.body.substr(0, 2000);
  EXPECT_EQ(dry.json().at("total_rows").as_int64(), 5001);
  EXPECT_EQ(dry.json().at("valid_rows").as_int64(), 4999);
  const json::value report = dry.json();
  const auto& errors = report.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u) << dry.body;
  EXPECT_EQ(errors.at(0).at("row").as_int64(), 4000);
  EXPECT_EQ(str(errors.at(0).at("code")), "duplicate-in-file");
  EXPECT_EQ(str(errors.at(0).at("message")), "与第2行的身份证号重复");
  EXPECT_EQ(errors.at(1).at("row").as_int64(), 5002);
  EXPECT_EQ(str(errors.at(1).at("code")), "duplicate-id-number");

  auto refused = c.send("POST", url + "&dry_run=false", bad, "text/csv");
  ASSERT_EQ(refused.status, 400) << refused.body.substr(0, 2000);
  EXPECT_EQ(str(refused.json().at("type")), "/problems/import-rejected");
  const json::value problem = refused.json();
  const auto& fields = problem.at("errors").as_array();
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(str(fields.at(0).at("field")), "row 4000: 身份证号");
  EXPECT_EQ(str(fields.at(1).at("field")), "row 5002: 身份证号");
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), residents);
  EXPECT_EQ(count("SELECT COUNT(*) FROM households"), households);
  EXPECT_EQ(count("SELECT COUNT(*) FROM resident_name_grams"), grams);
  EXPECT_EQ(audit_count("resident.import"), 0);

  auto imported = c.send("POST", url + "&dry_run=false", good, "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body.substr(0, 2000);
  EXPECT_EQ(imported.json().at("imported").as_int64(), 5000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), residents + 5000);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT household_id) FROM residents WHERE name LIKE '居民%'"),
            5000);  // one per address
  // Found through the name index and the blind index, like a resident created one by one.
  EXPECT_EQ(search("grid1_worker", "q=" + url_encode("居民4999")).size(), 1u);
  EXPECT_EQ(search("grid1_worker", "q=" + make_id("19350101", 4999 % 999 + 1)).size(), 1u);
}

TEST_F(PeopleApi, ImportChecksHeaderTypeScopeAndCommunity) {
  auto c = app.as("bachang_worker");
  const std::string url = fmt::format("/api/v1/residents/import?community={}", w.bachang);
  auto header = c.send("POST", url, "姓名,性别\n张三,男\n", "text/csv");
  EXPECT_EQ(header.status, 400);
  EXPECT_EQ(first_error(header).second, "header");
  EXPECT_EQ(c.send("POST", url, kHeader, "application/json").status, 415);
  EXPECT_EQ(c.send("POST", "/api/v1/residents/import", kHeader, "text/csv").status, 400);
  EXPECT_EQ(app.as("grid1_worker").send("POST", url, kHeader, "text/csv").status, 403);
  EXPECT_EQ(app.as("suyang_worker").send("POST", url, kHeader, "text/csv").status, 404);
  EXPECT_EQ(c.send("POST", fmt::format("/api/v1/residents/import?community={}", w.grid1), kHeader,
                   "text/csv")
                .status,
            404);
}

// ---- export ----------------------------------------------------------------

TEST_F(PeopleApi, ExportCsvHasBomHeaderAndOnlyMaskedValues) {
  add(w.grid1, "王小明", kId1, "13800001111", {"党员"});
  add(w.grid2, "李小红", kId2);
  add(w.grid3, "外社区", make_id("19900101", 11));
  auto res = app.as("bachang_worker").get("/api/v1/residents/export?format=csv");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.body.starts_with("\xEF\xBB\xBF编号,姓名,性别"));
  EXPECT_NE(res.body.find("王小明"), std::string::npos);
  EXPECT_NE(res.body.find("李小红"), std::string::npos);
  EXPECT_EQ(res.body.find("外社区"), std::string::npos);
  EXPECT_NE(res.body.find(kId1.substr(0, 6) + "********" + kId1.substr(14)), std::string::npos);
  EXPECT_NE(res.body.find("138****1111"), std::string::npos);
  EXPECT_EQ(res.body.find(kId1), std::string::npos);
  EXPECT_EQ(res.body.find("13800001111"), std::string::npos);
  EXPECT_NE(res.header("content-disposition").find("filename*=UTF-8''%E5%B1%85%E6%B0%91"),
            std::string::npos);
  EXPECT_EQ(audit_count("resident.export"), 1);

  auto filtered =
      app.as("bachang_worker").get("/api/v1/residents/export?format=csv&tag=" + url_encode("党员"));
  EXPECT_NE(filtered.body.find("王小明"), std::string::npos);
  EXPECT_EQ(filtered.body.find("李小红"), std::string::npos);
  EXPECT_EQ(app.as("bachang_worker").get("/api/v1/residents/export?format=pdf").status, 400);
  EXPECT_EQ(app.as("party1").get("/api/v1/residents/export").status, 403);
}

TEST_F(PeopleApi, ExportXlsxIsAWorkbook) {
  add(w.grid1, "王小明", kId1, "13800001111");
  auto res = app.as("street_admin").get("/api/v1/residents/export?format=xlsx");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.body.starts_with("PK"));
  EXPECT_NE(res.header("content-type").find("spreadsheetml"), std::string::npos);
  EXPECT_NE(res.header("content-disposition").find(".xlsx"), std::string::npos);
  EXPECT_EQ(res.body.find(kId1), std::string::npos);
}

// ---- authentication --------------------------------------------------------

TEST_F(PeopleApi, EveryRouteNeedsSignIn) {
  auto id = add(w.grid1, "王小明", kId1);
  auto anon = app.client();
  const std::string url = fmt::format("/api/v1/residents/{}", id);
  EXPECT_EQ(anon.get("/api/v1/residents").status, 401);
  EXPECT_EQ(anon.get(url).status, 401);
  EXPECT_EQ(anon.post("/api/v1/residents", body(w.grid1, "张三", kId2)).status, 401);
  EXPECT_EQ(anon.patch(url, {{"name", "改"}}).status, 401);
  EXPECT_EQ(anon.del(url).status, 401);
  EXPECT_EQ(anon.post(url + "/reveal", {{"field", "id_number"}, {"reason", "入户核实"}}).status,
            401);
  EXPECT_EQ(anon.get("/api/v1/tags").status, 401);
  EXPECT_EQ(anon.post("/api/v1/tags", {{"name", "x"}, {"community_id", w.bachang}}).status, 401);
  EXPECT_EQ(anon.send("POST", fmt::format("/api/v1/residents/import?community={}", w.bachang),
                      kHeader, "text/csv")
                .status,
            401);
  EXPECT_EQ(anon.get("/api/v1/residents/export").status, 401);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), 1);
}

}  // namespace
}  // namespace cg::test
