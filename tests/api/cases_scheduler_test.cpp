// The supervision scheduler (督办): yellow at 80 % of the running deadline's
// working time, red when overdue, one automatic escalation per missed
// deadline by the system actor, the ?warning= filter and the board; and a
// server that was down while a case went overdue escalates it on its first run.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "app/app.hpp"
#include "db/db.hpp"
#include "modules/cases/service.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

class CaseScheduler : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();

  void TearDown() override { cases::testing::set_now(std::nullopt); }

  std::int64_t category(const std::string& code) { return case_category(app, code); }
  std::int64_t count(const std::string& sql) { return scalar(app, sql); }

  // A 垃圾满溢 case in grid1 (grid level, 4 working hours to handle), filed
  // and dispatched on Monday 2026-03-02 at 09:00: due at 14:30.
  std::int64_t dispatched_case(std::int64_t grid, const std::string& user = "bachang_worker") {
    cases::testing::set_now(cst(2026, 3, 2, 9));
    auto res = app.as(user).post("/api/v1/cases", json::object{{"title", "垃圾桶满溢"},
                                                               {"category_id", category("SR01")},
                                                               {"grid_id", grid}});
    EXPECT_EQ(res.status, 201) << res.body;
    const std::int64_t id = res.json().at("id").as_int64();
    for (const char* a : {"accept", "dispatch"}) {
      auto r = app.as(user).post("/api/v1/cases/" + std::to_string(id) + "/actions",
                                 json::object{{"action", a}});
      EXPECT_EQ(r.status, 200) << r.body;
    }
    return id;
  }

  json::value get(std::int64_t id) {
    auto res = app.as("bachang_worker").get("/api/v1/cases/" + std::to_string(id));
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json();
  }

  std::vector<std::int64_t> ids(const std::string& user, const std::string& path,
                                const char* key = "items") {
    auto res = app.as(user).get(path);
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::int64_t> out;
    if (res.status != 200) return out;
    for (const auto& c : res.json().at(key).as_array()) out.push_back(c.at("id").as_int64());
    return out;
  }

  cases::SupervisionReport run(std::int64_t now) {
    cases::CaseService service(app.app());
    return service.run_supervision_once(now);
  }
};

TEST_F(CaseScheduler, YellowThenRedThenEscalatedOnce) {
  const std::int64_t id = dispatched_case(w.grid1);
  const std::int64_t other = dispatched_case(w.grid3, "wenfeng_worker");  // 文峰
  EXPECT_EQ(get(id).at("handle_deadline").as_int64(), cst(2026, 3, 2, 14, 30));

  // 13:00: 180 of 240 working minutes used (75 %): nothing.
  auto r = run(cst(2026, 3, 2, 13));
  EXPECT_EQ(r.yellow + r.red + r.escalated, 0);
  EXPECT_EQ(get(id).at("warning"), "none");

  // 13:45: 195 of 240 (81 %): yellow, on the filter and the board.
  r = run(cst(2026, 3, 2, 13, 45));
  EXPECT_EQ(r.yellow, 2);
  EXPECT_EQ(get(id).at("warning"), "yellow");
  EXPECT_EQ(get(id).at("level"), "grid");
  EXPECT_EQ(ids("bachang_worker", "/api/v1/cases?warning=yellow"), std::vector<std::int64_t>{id});
  EXPECT_TRUE(ids("bachang_worker", "/api/v1/cases?warning=red").empty());
  EXPECT_EQ(ids("bachang_worker", "/api/v1/cases/supervision", "yellow"),
            std::vector<std::int64_t>{id});
  EXPECT_EQ(ids("wenfeng_worker", "/api/v1/cases/supervision", "yellow"),
            std::vector<std::int64_t>{other});

  // 14:31: overdue: red and escalated grid → community by the system.
  const std::int64_t version = get(id).at("version").as_int64();
  r = run(cst(2026, 3, 2, 14, 31));
  EXPECT_EQ(r.red, 2);
  EXPECT_EQ(r.escalated, 2);
  json::value c = get(id);
  EXPECT_EQ(c.at("warning"), "red");
  EXPECT_EQ(c.at("level"), "community");
  EXPECT_EQ(c.at("status"), "dispatched");
  EXPECT_EQ(c.at("escalated_at").as_int64(), cst(2026, 3, 2, 14, 31));
  EXPECT_EQ(c.at("version").as_int64(), version + 1);
  const json::value& last = c.at("timeline").as_array().back();
  EXPECT_EQ(last.at("action"), "escalate");
  EXPECT_EQ(last.at("actor").at("role"), "system");
  EXPECT_TRUE(last.at("actor").at("user_id").is_null());
  EXPECT_EQ(last.at("data").at("from_level"), "grid");
  EXPECT_EQ(last.at("data").at("to_level"), "community");
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.escalate' AND target_id = '" +
            std::to_string(id) + "'"),
      1);
  EXPECT_EQ(ids("grid1_worker", "/api/v1/cases/supervision", "red"), std::vector<std::int64_t>{id});
  EXPECT_EQ(ids("bachang_worker", "/api/v1/cases?warning=red"), std::vector<std::int64_t>{id});
  EXPECT_TRUE(ids("bachang_worker", "/api/v1/cases/supervision", "yellow").empty());

  // Later runs on the same missed deadline change nothing: once per level.
  r = run(cst(2026, 3, 3, 16));
  EXPECT_EQ(r.escalated + r.red + r.yellow, 0);
  EXPECT_EQ(get(id).at("level"), "community");
  EXPECT_EQ(get(id).at("version").as_int64(), version + 1);

  // An approved extension gives a new deadline; missing it escalates once more.
  cases::testing::set_now(cst(2026, 3, 4, 9));
  for (json::object body :
       {json::object{{"action", "extend"}, {"hours", 2}, {"reason", "需要更换配件"}},
        json::object{{"action", "extend_decision"}, {"approved", true}}}) {
    auto res =
        app.as("bachang_worker").post("/api/v1/cases/" + std::to_string(id) + "/actions", body);
    ASSERT_EQ(res.status, 200) << res.body;
  }
  // The deadline (14:30 Monday + 2 h = 16:30 Monday) is still past: red, street.
  r = run(cst(2026, 3, 4, 9, 5));
  EXPECT_EQ(get(id).at("level"), "street");
  r = run(cst(2026, 3, 5, 9));
  EXPECT_EQ(r.escalated, 0);
  EXPECT_EQ(get(id).at("level"), "street");  // no level above the street

  // Handling ends the running deadline: the warning comes off.
  cases::testing::set_now(cst(2026, 3, 5, 10));
  for (json::object body :
       {json::object{{"action", "start"}},
        json::object{
            {"action", "handle"},
            {"note", "已清运"},
            {"photo_ids", json::array{json::string(app.upload_photo("bachang_worker"))}}}}) {
    auto res =
        app.as("bachang_worker").post("/api/v1/cases/" + std::to_string(id) + "/actions", body);
    ASSERT_EQ(res.status, 200) << res.body;
  }
  EXPECT_EQ(get(id).at("warning"), "none");
  EXPECT_TRUE(ids("bachang_worker", "/api/v1/cases/supervision", "red").empty());
}

TEST_F(CaseScheduler, OverdueWhileDownIsEscalatedByTheFirstRunAfterRestart) {
  const std::int64_t id = dispatched_case(w.grid1);
  // The server was down for a week; the first run of a new service (nothing
  // in memory) marks the case red and escalates it exactly one level.
  auto r = run(cst(2026, 3, 9, 10));
  EXPECT_EQ(r.escalated, 1);
  json::value c = get(id);
  EXPECT_EQ(c.at("level"), "community");
  EXPECT_EQ(c.at("warning"), "red");
  r = run(cst(2026, 3, 9, 10, 1));
  EXPECT_EQ(r.escalated, 0);
  EXPECT_EQ(get(id).at("level"), "community");
}

// A pass reads only the running cases whose time has come (supervise_at,
// migration 0063, stored by every write of the case): the instant its warning
// next changes; and, after the calendar changed, every running case once.
TEST_F(CaseScheduler, APassReadsOnlyTheCasesThatAreDue) {
  const std::int64_t id = dispatched_case(w.grid1);
  const std::string at_sql = "SELECT supervise_at FROM cases WHERE id = " + std::to_string(id);
  const std::int64_t running = count(
      "SELECT COUNT(*) FROM cases WHERE status IN ('reported', 'reopened', 'accepted', "
      "'dispatched', 'in_progress')");

  // Filed and acted on at 09:00: each write stored when the pass must look
  // next: when 192 of the 240 working minutes (80 %) are used, 13:42
  // (12:00–13:30 is not working time).
  EXPECT_EQ(count(at_sql), cst(2026, 3, 2, 13, 42));
  auto r = run(cst(2026, 3, 2, 9, 30));
  EXPECT_EQ(r.read, 0);
  EXPECT_EQ(run(cst(2026, 3, 2, 10)).read, 0);
  EXPECT_EQ(run(cst(2026, 3, 2, 13, 41)).read, 0);

  r = run(cst(2026, 3, 2, 13, 42));
  EXPECT_EQ(r.read, 1);
  EXPECT_EQ(r.yellow, 1);
  EXPECT_EQ(get(id).at("warning"), "yellow");
  EXPECT_EQ(count(at_sql), cst(2026, 3, 2, 14, 30) + 1);  // red just past the deadline
  EXPECT_EQ(run(cst(2026, 3, 2, 14, 30)).read, 0);

  // A change of the calendar: the next pass looks at every running case once.
  ASSERT_EQ(app.as("admin").put("/api/v1/calendar/2026-03-09", {{"kind", "rest"}}).status, 200);
  r = run(cst(2026, 3, 2, 14, 30));
  EXPECT_EQ(r.read, running);
  EXPECT_EQ(r.red + r.yellow + r.escalated, 0);
  EXPECT_EQ(run(cst(2026, 3, 2, 14, 30)).read, 0);

  // Overdue: red and escalated, then left alone until someone acts on it.
  r = run(cst(2026, 3, 2, 14, 31));
  EXPECT_EQ(r.read, 1);
  EXPECT_EQ(r.escalated, 1);
  EXPECT_EQ(run(cst(2026, 3, 2, 14, 32)).read, 0);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM cases WHERE supervise_at IS NULL AND id = " + std::to_string(id)),
      1);
  EXPECT_EQ(run(cst(2026, 3, 3, 9)).read, 0);
  EXPECT_EQ(get(id).at("level"), "community");

  // A case no longer running that still carries a warning (left by some path
  // other than an action, which takes it off) loses it on the next pass,
  // found through the partial index cases_stale_warning (migration 0064).
  app.app().db->write([&](db::Conn& c) {
    c.exec("UPDATE cases SET status = 'closed', supervise_at = NULL WHERE id = $1", {id});
  });
  r = run(cst(2026, 3, 3, 9, 1));
  EXPECT_EQ(r.cleared, 1);
  EXPECT_EQ(r.read, 0);
  EXPECT_EQ(get(id).at("warning"), "none");
}

TEST_F(CaseScheduler, BoardNeedsAViewingRoleAndFilterIsChecked) {
  EXPECT_EQ(app.as("handler1").get("/api/v1/cases/supervision").status, 403);
  EXPECT_EQ(app.client().get("/api/v1/cases/supervision").status, 401);
  EXPECT_EQ(app.as("bachang_worker").get("/api/v1/cases?warning=green").status, 400);
}

TEST_F(CaseScheduler, TheServerThreadRunsOnItsOwn) {
  ::setenv("CIVICGRID_SUPERVISION_SECONDS", "1", 1);
  {
    TestApp fast;
    ::unsetenv("CIVICGRID_SUPERVISION_SECONDS");
    const std::int64_t grid = fast.world().grid1;
    cases::testing::set_now(cst(2026, 3, 2, 9));
    const std::int64_t cat = fast.app().db->read([](db::Conn& c) {
      return c.query_one("SELECT id FROM case_categories WHERE code = 'SR01'")->i64(0);
    });
    auto res =
        fast.as("bachang_worker")
            .post("/api/v1/cases",
                  json::object{{"title", "垃圾桶满溢"}, {"category_id", cat}, {"grid_id", grid}});
    ASSERT_EQ(res.status, 201) << res.body;
    const std::string path = "/api/v1/cases/" + std::to_string(res.json().at("id").as_int64());
    cases::testing::set_now(cst(2026, 3, 3, 9));  // the accept deadline (10:00) is long past
    std::string warning;
    for (int i = 0; i < 40 && warning != "red"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      warning = std::string(fast.as("bachang_worker").get(path).json().at("warning").as_string());
    }
    EXPECT_EQ(warning, "red");
  }  // destroying the app stops the thread promptly
  ::unsetenv("CIVICGRID_SUPERVISION_SECONDS");
}

}  // namespace
}  // namespace cg::test
