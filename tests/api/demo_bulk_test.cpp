// The bulk generator of the big presets (district, city), on a small size on the
// engine under test: the rows it writes without the services must still be what
// the services would accept — consistent counts and tree, every case's status
// the one its timeline ends in, deadlines from the working-day calendar, bigrams,
// daily numbers — and the residents must be found through the API by name,
// phone and ID number, which proves the encryption and blind index.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "app/app.hpp"
#include "app/demo.hpp"
#include "core/pii.hpp"
#include "core/text.hpp"
#include "db/db.hpp"
#include "modules/cases/service.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

class DemoBulk : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = new TestApp(false);
    DemoOptions o;
    o.bulk = true;
    o.scale = 2;  // the demo streets and one generated street of 12 communities
    o.grids_per_community = 2;
    o.buildings_per_community = 2;
    o.cases = 3000;
    summary_ = seed_demo(app_->app(), o);
  }
  static void TearDownTestSuite() {
    delete app_;
    app_ = nullptr;
  }

  static std::int64_t count(const std::string& sql) {
    return app_->app().db->read([&](db::Conn& c) { return c.query(sql).at(0).i64(0); });
  }
  static db::Rows rows(const std::string& sql) {
    return app_->app().db->read([&](db::Conn& c) { return c.query(sql); });
  }
  static Client admin() {
    Client c = app_->client();
    c.login("admin", "Demo@2026cg");
    return c;
  }

  static TestApp* app_;
  static DemoSummary summary_;
};
TestApp* DemoBulk::app_ = nullptr;
DemoSummary DemoBulk::summary_;

TEST_F(DemoBulk, CountsAndTheAreaTreeAreRight) {
  ASSERT_TRUE(summary_.created);
  // Streets: 新城桥, 秦灶, 小海 and one generated; communities 3 + 1 + 1 + 12.
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas WHERE level = 'city'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas WHERE level = 'district'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas WHERE level = 'street'"), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas WHERE level = 'community'"), 17);
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas WHERE level = 'grid'"), 5 + 2 + 2 + 2 + 2 + 12 * 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas"), summary_.areas);
  // Every area hangs under its parent's path, and grids know their street.
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas a JOIN areas p ON p.id = a.parent_id "
                  "WHERE a.path <> p.path || CAST(a.id AS TEXT) || '/'"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM areas g JOIN areas s ON s.id = g.street_id "
                  "WHERE g.level = 'grid' AND (s.level <> 'street' OR "
                  "substr(g.path, 1, length(s.path)) <> s.path)"),
            0);
  // 八厂 114 buildings of 27 households, 文峰 and 易家桥 8 of 24, 苏阳 and 星月 8 of 20,
  // the generated street 12 × 2 of 24.
  EXPECT_EQ(count("SELECT COUNT(*) FROM buildings"), 114 + 8 * 4 + 12 * 2);
  EXPECT_EQ(summary_.buildings, 114 + 8 * 4 + 12 * 2);
  const int households = 114 * 27 + 2 * 8 * 24 + 2 * 8 * 20 + 12 * 2 * 24;
  EXPECT_EQ(count("SELECT COUNT(*) FROM households"), households);
  EXPECT_EQ(summary_.households, households);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents"), summary_.residents);
  EXPECT_GT(summary_.residents, 2 * households);
  // Every household has people, every building and household sits in its grid's path.
  EXPECT_EQ(count("SELECT COUNT(*) FROM households h WHERE NOT EXISTS "
                  "(SELECT 1 FROM residents r WHERE r.household_id = h.id)"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM households h JOIN areas g ON g.id = h.grid_id "
                  "JOIN buildings b ON b.id = h.building_id "
                  "WHERE h.path <> g.path OR b.path <> g.path OR h.street_id <> g.street_id"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id "
                  "WHERE r.path <> h.path OR r.grid_id <> h.grid_id"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM residents WHERE id_number_idx IS NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT resident_id) FROM resident_name_grams"),
            summary_.residents);
  EXPECT_GT(count("SELECT COUNT(*) FROM resident_tags WHERE tag = '独居老人'"), 0);
  // The tree the API shows the platform admin holds every area, per level.
  auto tree = admin().get("/api/v1/areas/tree");
  ASSERT_EQ(tree.status, 200) << tree.body;
  std::map<std::string, int> levels;
  std::function<void(const json::value&)> visit = [&](const json::value& node) {
    ++levels[std::string(node.at("level").as_string())];
    for (const json::value& child : node.at("children").as_array()) visit(child);
  };
  for (const json::value& root : tree.json().at("roots").as_array()) visit(root);
  EXPECT_EQ(levels["street"], 4);
  EXPECT_EQ(levels["community"], 17);
  EXPECT_EQ(levels["grid"], 37);
}

// The generator drops the big tables' indexes while it fills them and builds
// them again afterwards (db::DeferredIndexes): every one must be back, as the
// migrations define it.
TEST_F(DemoBulk, EveryIndexTheMigrationsCreateIsBack) {
  const std::string list =
      app_->app().db->read([](db::Conn& c) { return c.engine(); }) == db::Engine::sqlite
          ? "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT "
            "NULL ORDER BY name"
          : "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = "
            "current_schema() ORDER BY indexname";
  auto names = [&](TestApp& app) {
    std::vector<std::string> out;
    for (const db::Row& r : app.app().db->read([&](db::Conn& c) { return c.query(list); }))
      out.push_back(r.text(0));
    return out;
  };
  TestApp migrated(false);
  const std::vector<std::string> expected = names(migrated);
  EXPECT_GT(expected.size(), 20u);
  EXPECT_EQ(names(*app_), expected);
  // The rebuilt unique index still refuses a second resident with a taken ID number.
  EXPECT_ANY_THROW(app_->app().db->write([](db::Conn& c) {
    c.exec(
        "UPDATE residents SET id_number_idx = (SELECT MIN(id_number_idx) FROM residents) "
        "WHERE id = (SELECT MAX(id) FROM residents WHERE id_number_idx > "
        "(SELECT MIN(id_number_idx) FROM residents))");
  }));
}

TEST_F(DemoBulk, EveryCaseEndsInTheStatusOfItsLastTimelineEvent) {
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 3000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_events WHERE action = 'create'"), 3000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c JOIN case_events e ON e.id = "
                  "(SELECT MAX(id) FROM case_events WHERE case_id = c.id) "
                  "WHERE e.to_status <> c.status"),
            0);
  // The first event is the report, and each event starts where the one before ended.
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c JOIN case_events e ON e.id = "
                  "(SELECT MIN(id) FROM case_events WHERE case_id = c.id) "
                  "WHERE e.action <> 'create' OR e.at <> c.created_at"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_events e JOIN case_events p ON p.id = "
                  "(SELECT MAX(id) FROM case_events WHERE case_id = e.case_id AND id < e.id) "
                  "WHERE e.from_status <> p.to_status OR e.at < p.at"),
            0);
  // version counts the steps; every status is there.
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c WHERE version <> "
                  "(SELECT COUNT(*) FROM case_events WHERE case_id = c.id)"),
            0);
  std::set<std::string> statuses;
  for (const db::Row& r : rows("SELECT DISTINCT status FROM cases")) statuses.insert(r.text(0));
  for (const char* s : {"reported", "accepted", "rejected", "merged", "dispatched", "in_progress",
                        "handled", "verified", "closed", "reopened"}) {
    EXPECT_TRUE(statuses.count(s)) << s;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE status = 'merged' AND merged_into IS NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE status IN ('handled', 'verified', 'closed') "
                  "AND handling_minutes IS NULL"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c WHERE status = 'handled' AND NOT EXISTS "
                  "(SELECT 1 FROM case_photos p WHERE p.case_id = c.id AND p.stage = 'handle')"),
            0);
  // Numbers are unique per street and the counters continue after them.
  EXPECT_EQ(count("SELECT COUNT(*) FROM (SELECT street_id, number FROM cases "
                  "GROUP BY street_id, number HAVING COUNT(*) > 1) d"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c JOIN case_counters k ON k.street_id = c.street_id "
                  "AND k.day = substr(c.number, 3, 8) WHERE CAST(substr(c.number, 12) AS INTEGER) "
                  "> k.seq"),
            0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM case_counters k "
                  "WHERE k.street_id = c.street_id AND k.day = substr(c.number, 3, 8))"),
            0);
  // The search index finds exactly the cases whose words hold a bigram.
  const bool sqlite = app_->app().db->engine() == db::Engine::sqlite;
  for (const char* gram : {"路灯", "充电", "噪音"}) {
    const std::string found =
        sqlite
            ? fmt::format("SELECT COUNT(*) FROM case_search WHERE case_search MATCH '\"{}\"'", gram)
            : fmt::format("SELECT COUNT(*) FROM case_search WHERE grams @> ARRAY['{}']", gram);
    const std::int64_t expected =
        count(fmt::format("SELECT COUNT(*) FROM cases WHERE title LIKE '%{0}%' OR description "
                          "LIKE '%{0}%'",
                          gram));
    EXPECT_GT(expected, 0) << gram;
    EXPECT_EQ(count(found), expected) << gram;
  }
}

TEST_F(DemoBulk, DeadlinesComeFromTheWorkingDayCalendar) {
  cases::CaseService service(app_->app());
  auto cal = service.calendar();
  // Reported cases: the accept deadline counts the category's working hours from the report.
  int checked = 0;
  for (const db::Row& r :
       rows("SELECT c.created_at, c.accept_deadline, k.accept_hours, c.handle_deadline, "
            "k.handle_limit, k.handle_unit FROM cases c JOIN case_categories k "
            "ON k.id = c.category_id WHERE c.status = 'reported' ORDER BY c.id LIMIT 200")) {
    EXPECT_EQ(r.i64(1), cal->add_working_minutes(r.i64(0), r.i64(2) * 60));
    const std::int64_t handle = r.text(5) == "days"
                                    ? cal->add_working_days(r.i64(0), static_cast<int>(r.i64(4)))
                                    : cal->add_working_minutes(r.i64(0), r.i64(4) * 60);
    EXPECT_EQ(r.i64(3), handle);
    ++checked;
  }
  EXPECT_GT(checked, 10);
  // Dispatched cases: the handle deadline counts from the dispatch.
  for (const db::Row& r :
       rows("SELECT c.dispatched_at, c.handle_deadline, k.handle_limit, k.handle_unit "
            "FROM cases c JOIN case_categories k ON k.id = c.category_id "
            "WHERE c.status = 'dispatched' AND c.rework_count = 0 ORDER BY c.id LIMIT 100")) {
    const std::int64_t handle = r.text(3) == "days"
                                    ? cal->add_working_days(r.i64(0), static_cast<int>(r.i64(2)))
                                    : cal->add_working_minutes(r.i64(0), r.i64(2) * 60);
    EXPECT_EQ(r.i64(1), handle);
  }
}

// The generator leaves each running case as a year of supervision passes would
// have: overdue ones escalated once with their event, warnings as of now, and
// supervise_at set. So the server's first pass has next to nothing to do (it
// looked at all running cases and escalated most of them, for many minutes on
// `city`), and what it would do to a case it reads, the generator did already.
TEST_F(DemoBulk, ThePassesOfTheGeneratedYearAreDone) {
  const std::int64_t running = count(
      "SELECT COUNT(*) FROM cases WHERE status IN ('reported', 'accepted', 'dispatched', "
      "'in_progress', 'handled')");
  ASSERT_GT(running, 100);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases WHERE supervise_at = 0"), 0);
  const std::int64_t escalated = count(
      "SELECT COUNT(*) FROM cases c WHERE c.level <> 'grid' AND c.escalated_at IS NOT NULL AND "
      "EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'escalate' "
      "AND e.at = c.escalated_at)");
  EXPECT_GT(escalated, 10);
  cases::CaseService service(app_->app());
  const cases::SupervisionReport first = service.run_supervision_once(service.now());
  EXPECT_EQ(first.escalated, 0);
  EXPECT_LT(first.read, running / 100 + 5) << running << " running";
}

TEST_F(DemoBulk, ResidentsAreFoundByNamePhoneAndIdNumberThroughTheApi) {
  const db::Rows sample = rows(
      "SELECT id, name, id_number_enc, phone_enc FROM residents WHERE phone_enc IS NOT NULL "
      "ORDER BY id DESC LIMIT 3");
  ASSERT_EQ(sample.size(), 3u);
  Client c = admin();
  auto finds = [&](const std::string& q, std::int64_t id) {
    auto res = c.get("/api/v1/residents?limit=200&q=" + url_encode(q));
    EXPECT_EQ(res.status, 200) << res.body;
    for (const json::value& item : res.json().at("items").as_array()) {
      if (item.at("id").as_int64() == id) return true;
    }
    return false;
  };
  for (const db::Row& r : sample) {
    const std::string id_number = *app_->app().pii->decrypt(r.blob(2));
    const std::string phone = *app_->app().pii->decrypt(r.blob(3));
    EXPECT_TRUE(finds(id_number, r.i64(0))) << id_number;
    EXPECT_TRUE(finds(phone, r.i64(0))) << phone;
    EXPECT_TRUE(finds(r.text(1), r.i64(0))) << r.text(1);
  }
  // The demo resident named in the README is there to sign in with their phone.
  auto readme = c.get("/api/v1/residents?q=13951300001");
  ASSERT_EQ(readme.status, 200);
  EXPECT_EQ(readme.json().at("items").as_array().size(), 1u);
}

TEST_F(DemoBulk, TheServicesCarryOnAfterTheGeneratedRows) {
  // New rows get fresh ids (PostgreSQL identities moved past the generated ones)
  // and a fresh case number.
  Client c = admin();
  const std::int64_t grid = count("SELECT MIN(id) FROM areas WHERE level = 'grid'");
  const std::int64_t category = count("SELECT id FROM case_categories WHERE code = 'SR01'");
  auto filed = c.post("/api/v1/cases", {{"title", "垃圾桶满溢"},
                                        {"category_id", category},
                                        {"grid_id", grid},
                                        {"source", "grid_patrol"}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  EXPECT_GT(filed.json().at("id").as_int64(), 3000);
  const std::int64_t household = count("SELECT MAX(id) FROM households");
  auto added = c.post("/api/v1/residents", {{"household_id", household},
                                            {"name", "新居民"},
                                            {"gender", "female"},
                                            {"relation", "head"},
                                            {"residence_type", "resident"}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_GT(added.json().at("id").as_int64(), summary_.residents);
}

}  // namespace
}  // namespace cg::test
