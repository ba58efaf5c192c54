// The cache of rendered case-list pages (modules/cases/page_cache.hpp) through
// the HTTP API: every kind of write shows in the next list read, from the
// writer and from other callers; callers of other grids and roles never get
// each other's pages; ETag / If-None-Match; bad queries are refused and not
// kept. The seeded World is described in tests/support/test_app.hpp.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "app/app.hpp"
#include "db/db.hpp"
#include "http/message.hpp"
#include "modules/cases/page_cache.hpp"
#include "modules/cases/service.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

class CasePageCache : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();

  void TearDown() override { cases::testing::set_now(std::nullopt); }

  cases::PageCache& cache() { return app.app().db->extension<cases::PageCache>(); }

  std::int64_t file(const std::string& user, std::int64_t grid, const std::string& title,
                    const std::string& code = "GY01") {
    auto res =
        app.as(user).post("/api/v1/cases", json::object{{"title", title},
                                                        {"category_id", case_category(app, code)},
                                                        {"grid_id", grid}});
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.json().at("id").as_int64() : 0;
  }
  void act(const std::string& user, std::int64_t id, json::object body) {
    auto res = app.as(user).post("/api/v1/cases/" + std::to_string(id) + "/actions", body);
    ASSERT_EQ(res.status, 200) << body << ": " << res.body;
  }
  // The items of a list page as `user` sees it.
  json::array items(const std::string& user, const std::string& query) {
    auto res = app.as(user).get("/api/v1/cases?" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    if (res.status != 200) return {};
    return res.json().at("items").as_array();
  }
  std::vector<std::int64_t> ids(const std::string& user, const std::string& query) {
    std::vector<std::int64_t> out;
    for (const auto& item : items(user, query)) out.push_back(item.at("id").as_int64());
    return out;
  }
  // The item with `id` on the page, or null.
  json::value item(const std::string& user, const std::string& query, std::int64_t id) {
    for (const auto& i : items(user, query))
      if (i.at("id").as_int64() == id) return i;
    return nullptr;
  }
  static bool has(const std::vector<std::int64_t>& v, std::int64_t id) {
    return std::ranges::find(v, id) != v.end();
  }
};

// Each kind of write, with the pages it changes read (and so kept) just
// before it: the read right after must show the write. Switching the
// invalidation off makes this test fail (checked).
TEST_F(CasePageCache, EveryKindOfWriteShowsInTheNextListRead) {
  cases::testing::set_now(cst(2026, 3, 2, 9));
  const std::string reported = "status=reported";
  const std::string accepted = "status=accepted";
  const std::string mine = "mine=true&status=reported";
  // Warm every page once and check that a second read is a hit.
  for (const char* user : {"grid1_worker", "bachang_worker", "street_admin", "handler1"}) {
    ids(user, reported);
    ids(user, accepted);
  }
  ids("grid1_worker", mine);
  const auto hits = cache().stats().hits;
  EXPECT_TRUE(ids("grid1_worker", mine).empty());
  EXPECT_EQ(cache().stats().hits, hits + 1);

  // A new case: the filer's, its grid worker's and the street's lists.
  const std::int64_t id = file("bachang_worker", w.grid1, "楼道灯不亮");
  for (const char* user : {"grid1_worker", "bachang_worker", "street_admin"})
    EXPECT_TRUE(has(ids(user, reported), id)) << user;
  EXPECT_TRUE(has(ids("grid1_worker", mine), id));
  EXPECT_FALSE(has(ids("grid2_worker", reported), id));  // another grid
  EXPECT_FALSE(has(ids("handler1", reported), id));      // not theirs (yet)

  // An action moves it from one status's list to the next.
  act("bachang_worker", id, {{"action", "accept"}});
  EXPECT_FALSE(has(ids("grid1_worker", reported), id));
  EXPECT_FALSE(has(ids("grid1_worker", mine), id));
  EXPECT_TRUE(has(ids("grid1_worker", accepted), id));
  EXPECT_TRUE(has(ids("street_admin", accepted), id));

  // Dispatch to a person: the handler (who sees it only as its handler) finds it.
  ids("handler1", "status=dispatched");
  act("bachang_worker", id, {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}});
  EXPECT_TRUE(has(ids("handler1", "status=dispatched"), id));
  EXPECT_FALSE(has(ids("street_admin", accepted), id));
  const json::value dispatched = item("street_admin", "status=dispatched", id);
  ASSERT_TRUE(dispatched.is_object());
  EXPECT_EQ(dispatched.at("handler").at("user_id").as_int64(), w.users.at("handler1"));

  // The supervision pass raises a warning (a write of the pass, not of a caller).
  EXPECT_TRUE(ids("street_admin", "warning=red").empty());
  const std::int64_t later = cst(2026, 3, 20, 9);
  cases::testing::set_now(later);
  cases::CaseService(app.app()).run_supervision_once(later);
  EXPECT_TRUE(has(ids("street_admin", "warning=red"), id));
  EXPECT_EQ(item("grid1_worker", "status=dispatched", id).at("warning"), "red");

  // The category's name and the grid's name show in every item.
  const std::int64_t gy01 = case_category(app, "GY01");
  ASSERT_EQ(item("handler1", "status=dispatched", id).at("category").at("name"), "电动车充电桩");
  auto renamed = app.as("admin").patch("/api/v1/case-categories/" + std::to_string(gy01),
                                       json::object{{"name", "充电桩故障"}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(item("handler1", "status=dispatched", id).at("category").at("name"), "充电桩故障");
  ASSERT_EQ(item("handler1", "status=dispatched", id).at("grid").at("name"), "八厂社区第一网格");
  auto area = app.as("admin").patch("/api/v1/areas/" + std::to_string(w.grid1),
                                    json::object{{"name", "八厂第一网格"}});
  ASSERT_EQ(area.status, 200) << area.body;
  EXPECT_EQ(item("handler1", "status=dispatched", id).at("grid").at("name"), "八厂第一网格");
  EXPECT_GT(cache().stats().invalidations, 0u);
}

// The same query string from callers of other grids, communities, streets and
// roles: each gets its own visible set, never a page kept for someone else.
TEST_F(CasePageCache, CallersOfOtherPartsOfTheTreeNeverShareAPage) {
  const std::int64_t in_grid1 = file("bachang_worker", w.grid1, "井盖松动");
  const std::int64_t in_grid3 = file("wenfeng_worker", w.grid3, "路灯闪烁");
  const std::int64_t in_grid4 = file("suyang_worker", w.grid4, "垃圾清运不及时", "SR01");
  const std::string q = "status=reported&limit=20";
  for (int round = 0; round < 2; ++round) {  // the second round reads kept pages
    EXPECT_EQ(ids("grid1_worker", q), std::vector<std::int64_t>{in_grid1});
    EXPECT_TRUE(ids("grid2_worker", q).empty());
    EXPECT_EQ(ids("wenfeng_worker", q), std::vector<std::int64_t>{in_grid3});
    EXPECT_EQ(ids("suyang_worker", q), std::vector<std::int64_t>{in_grid4});
    EXPECT_EQ(ids("street_admin", q), (std::vector<std::int64_t>{in_grid3, in_grid1}));
    EXPECT_EQ(ids("admin", q), (std::vector<std::int64_t>{in_grid4, in_grid3, in_grid1}));
    EXPECT_TRUE(ids("handler1", q).empty());  // a handler sees only what is assigned to them
    // The wrong part of the tree asking for another area's cases gets none.
    EXPECT_TRUE(ids("suyang_worker", q + "&area=" + std::to_string(w.grid1)).empty());
  }
  EXPECT_GE(cache().stats().hits, 8u);
  // A resident sees only their own reports.
  Resident chen = sign_in_resident(app, app.as("bachang_worker"), "13951300077", "陈玲玲");
  auto filed = chen.post(
      "/api/v1/cases",
      json::object{{"title", "楼道堆放杂物"}, {"category_id", case_category(app, "GY01")}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::int64_t own = filed.json().at("id").as_int64();
  for (int round = 0; round < 2; ++round) {
    auto res = chen.get("/api/v1/cases?" + q);
    ASSERT_EQ(res.status, 200) << res.body;
    const auto& list = res.json().at("items").as_array();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].at("id").as_int64(), own);
  }
  EXPECT_TRUE(has(ids("grid1_worker", q), own));
}

TEST_F(CasePageCache, ETagAndIfNoneMatch) {
  file("bachang_worker", w.grid1, "楼道灯不亮");
  Client c = app.as("grid1_worker");
  const std::string path = "/api/v1/cases?status=reported";
  auto first = c.get(path);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(first.header("cache-control"), "private, no-cache");
  auto conditional = [&](const std::string& value) {
    return c.send("GET", path, "", "", {{"If-None-Match", value}});
  };
  for (const std::string& matching :
       {etag, "W/" + etag, "\"other\", " + etag, "\"a\",," + etag + " ", std::string("*")}) {
    auto res = conditional(matching);
    EXPECT_EQ(res.status, 304) << matching;
    EXPECT_TRUE(res.body.empty()) << matching;
    EXPECT_EQ(res.header("etag"), etag) << matching;
  }
  for (const std::string& other : {std::string("\"other\""), std::string("W/\"x\", \"y\"")}) {
    auto res = conditional(other);
    EXPECT_EQ(res.status, 200) << other;
    EXPECT_EQ(res.body, first.body) << other;
  }
  // Malformed: not a list of entity-tags, so the condition is ignored.
  for (const std::string& bad : {etag.substr(1, etag.size() - 2), etag + " junk",
                                 std::string("\"unterminated"), std::string("*, ") + etag}) {
    auto res = conditional(bad);
    EXPECT_EQ(res.status, 200) << bad;
    EXPECT_EQ(res.body, first.body) << bad;
  }
  // Another caller with the same visible cases gets the same body and so the same tag.
  EXPECT_EQ(app.as("grid1_worker").get(path).header("etag"), etag);
  // After a write the old tag no longer matches.
  file("bachang_worker", w.grid1, "电梯异响");
  auto changed = conditional(etag);
  ASSERT_EQ(changed.status, 200);
  EXPECT_NE(changed.header("etag"), etag);
  EXPECT_EQ(changed.json().at("items").as_array().size(), 2u);
  EXPECT_EQ(conditional(changed.header("etag")).status, 304);
}

TEST_F(CasePageCache, BadQueriesAreRefusedAndNotKept) {
  Client c = app.as("grid1_worker");
  const auto before = cache().stats();
  const std::string long_q = "q=" + std::string(60, 'x');
  for (const char* q : {"limit=0", "limit=abc", "status=bogus", "cursor=!!!", "area=999999",
                        "mine=maybe", "warning=green", long_q.c_str()}) {
    for (int round = 0; round < 2; ++round) {
      auto res = c.get(std::string("/api/v1/cases?") + q);
      EXPECT_EQ(res.status, 400) << q << ": " << res.body;
      EXPECT_TRUE(res.header("etag").empty()) << q;
    }
  }
  const auto after = cache().stats();
  EXPECT_EQ(after.entries, before.entries);
  EXPECT_EQ(after.hits, before.hits);
}

// A write the process does not see (another server on the same PostgreSQL, the
// CLI) shows once the kept page is older than PageCache::kMaxAge.
TEST_F(CasePageCache, WritesOfOtherProcessesShowWithinTheMaxAge) {
  const std::int64_t id = file("bachang_worker", w.grid1, "楼道灯不亮");
  const std::string q = "status=reported";
  ASSERT_EQ(str(item("grid1_worker", q, id).at("title")), "楼道灯不亮");
  app.app().db->write([&](db::Conn& conn) {
    conn.exec("UPDATE cases SET title = $2 WHERE id = $1", {id, std::string("楼道灯已修好")});
  });
  EXPECT_EQ(str(item("grid1_worker", q, id).at("title")), "楼道灯不亮");  // kept
  std::this_thread::sleep_for(cases::PageCache::kMaxAge + std::chrono::milliseconds(100));
  EXPECT_EQ(str(item("grid1_worker", q, id).at("title")), "楼道灯已修好");
}

}  // namespace
}  // namespace cg::test

namespace cg::test {
namespace {

// ---- the cache itself, without a server ---------------------------------------

TEST(CasePageCacheUnit, AWriteChangesTheFingerprintOfThePagesItMayShowOnly) {
  cases::PageCache cache;
  const std::vector<std::string_view> grid{"/1/5/9/"}, street{"/1/5/"}, other{"/1/6/"};
  const auto grid_before = cache.fingerprint(grid, 7), street_before = cache.fingerprint(street, 8),
             other_before = cache.fingerprint(other, 9);
  cache.case_changed("/1/5/9/", std::nullopt, std::nullopt);  // a case in the grid
  EXPECT_NE(cache.fingerprint(grid, 7), grid_before);
  EXPECT_NE(cache.fingerprint(street, 8), street_before);  // the street above it
  EXPECT_EQ(cache.fingerprint(other, 9), other_before);    // another street
  // The handler elsewhere sees it as theirs.
  const auto handler_before = cache.fingerprint(other, 42);
  cache.case_changed("/1/5/9/", 42, std::nullopt);
  EXPECT_NE(cache.fingerprint(other, 42), handler_before);
  EXPECT_EQ(cache.fingerprint(other, 9), other_before);
  cache.changed_all();
  EXPECT_NE(cache.fingerprint(other, 9), other_before);
}

// A page rendered from a read that began before a write committed is stored
// with the fingerprint read before it, so it is not served after the bump.
TEST(CasePageCacheUnit, APageRenderedAcrossAWriteIsNotServedAfterIt) {
  cases::PageCache cache;
  const std::vector<std::string_view> scope{"/1/5/"};
  const auto before = cache.fingerprint(scope, 7);
  cache.case_changed("/1/5/9/", std::nullopt, std::nullopt);  // commits during the render
  cache.store("k", before, "old page");
  EXPECT_FALSE(cache.find("k", cache.fingerprint(scope, 7)));
  const auto now = cache.fingerprint(scope, 7);
  const auto kept = cache.store("k", now, "new page");
  auto found = cache.find("k", cache.fingerprint(scope, 7));
  ASSERT_TRUE(found);
  EXPECT_EQ(*found->bytes, "new page");
  EXPECT_EQ(found->etag, kept.etag);
  EXPECT_EQ(cache.stats().hits, 1u);
}

TEST(CasePageCacheUnit, MemoryStaysUnderTheCapOldestDroppedFirst) {
  cases::PageCache cache;
  const std::string body(100'000, 'x');
  const int pages = 2 * static_cast<int>(cases::PageCache::kMaxBytes / body.size());
  for (int i = 0; i < pages; ++i) cache.store("page" + std::to_string(i), 0, body);
  const auto s = cache.stats();
  EXPECT_LE(s.bytes, cases::PageCache::kMaxBytes);
  EXPECT_GT(s.bytes, cases::PageCache::kMaxBytes / 2);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_TRUE(cache.find("page" + std::to_string(pages - 1), 0));
  EXPECT_FALSE(cache.find("page0", 0));
}

TEST(CasePageCacheUnit, ConcurrentReadersWritersAndBumps) {
  cases::PageCache cache;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::vector<std::string_view> scope{t % 2 ? "/1/5/" : "/1/6/"};
      for (int i = 0; !stop && i < 20'000; ++i) {
        const std::string key = "k" + std::to_string(i % 50);
        const auto fp = cache.fingerprint(scope, t);
        if (auto got = cache.find(key, fp)) {
          EXPECT_EQ(got->bytes->size(), 1000u);
        } else {
          cache.store(key, fp, std::string(1000, static_cast<char>('a' + t)));
        }
        if (i % 7 == 0) cache.case_changed(t % 2 ? "/1/5/9/" : "/1/6/3/", t, std::nullopt);
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto s = cache.stats();
  EXPECT_LE(s.entries, 50u);
  EXPECT_GT(s.hits + s.misses, 0u);
}

TEST(CasePageCacheUnit, IfNoneMatchFollowsRfc9110) {
  const std::string tag = "\"abc\"";
  EXPECT_TRUE(http::none_match("", tag));
  EXPECT_FALSE(http::none_match(tag, tag));
  EXPECT_FALSE(http::none_match("W/\"abc\"", tag));
  EXPECT_FALSE(http::none_match(" \"x\" ,\t\"abc\"", tag));
  EXPECT_FALSE(http::none_match("*", tag));
  EXPECT_TRUE(http::none_match("\"abcd\"", tag));
  EXPECT_TRUE(http::none_match("abc", tag));                // not quoted: ignored
  EXPECT_TRUE(http::none_match("\"abc\" x", tag));          // trailing junk: ignored
  EXPECT_TRUE(http::none_match("\"a\"b\", \"abc\"", tag));  // DQUOTE inside: ignored
  EXPECT_TRUE(http::none_match("*, \"abc\"", tag));         // "*" must stand alone
}

}  // namespace
}  // namespace cg::test
