// Cases (民情工单) through the HTTP API, on the seeded World:
// 八厂社区 (grid1, grid2), 文峰社区 (grid3), 苏阳社区 (grid4); handler1 is a
// property-company handler at 八厂. Deadlines are checked on the 2026 calendar
// with the service clock pinned (cases::testing::set_now).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include "app/app.hpp"
#include "db/db.hpp"
#include "modules/cases/service.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

class CaseApi : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();

  void TearDown() override { cases::testing::set_now(std::nullopt); }

  std::int64_t category(const std::string& code) { return case_category(app, code); }
  std::int64_t count(const std::string& sql) { return scalar(app, sql); }

  // A registered resident of grid1 signs in with phone and SMS code.
  Resident resident(const std::string& phone = "13951300077", const std::string& name = "陈玲玲") {
    return sign_in_resident(app, app.as("bachang_worker"), phone, name);
  }

  json::object new_case(std::int64_t grid, const std::string& title = "楼下电动车充电桩坏了",
                        const std::string& code = "GY01") {
    return {{"title", title},
            {"description", "3幢门口的充电桩插上没反应，晚上没法充电"},
            {"category_id", category(code)},
            {"grid_id", grid}};
  }

  // Files a case as `user` and returns its id.
  std::int64_t file(const std::string& user, json::object body) {
    auto res = app.as(user).post("/api/v1/cases", body);
    EXPECT_EQ(res.status, 201) << res.body;
    return res.status == 201 ? res.json().at("id").as_int64() : 0;
  }

  HttpResponse act(Client& c, std::int64_t id, json::object body) {
    return c.post("/api/v1/cases/" + std::to_string(id) + "/actions", body);
  }
  HttpResponse act(const std::string& user, std::int64_t id, json::object body) {
    Client c = app.as(user);
    return act(c, id, std::move(body));
  }
  json::value get(const std::string& user, std::int64_t id) {
    auto res = app.as(user).get("/api/v1/cases/" + std::to_string(id));
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json();
  }
  void expect_ok(const HttpResponse& res, const std::string& status) {
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json().at("status"), status.c_str());
  }
  std::vector<std::int64_t> ids(const std::string& user, const std::string& query) {
    auto res = app.as(user).get("/api/v1/cases?" + query);
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::int64_t> out;
    if (res.status != 200) return out;
    for (const auto& item : res.json().at("items").as_array())
      out.push_back(item.at("id").as_int64());
    return out;
  }
  // Walks a case forward to `target` with the usual actors, from wherever it is.
  void advance(std::int64_t id, const std::string& target) {
    struct Step {
      const char* from;
      const char* user;
      json::object body;
    };
    const std::vector<Step> steps = {
        {"reported", "bachang_worker", {{"action", "accept"}}},
        {"reopened", "bachang_worker", {{"action", "accept"}}},
        {"accepted",
         "bachang_worker",
         {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}}},
        {"dispatched", "handler1", {{"action", "start"}}},
        {"in_progress",
         "handler1",
         {{"action", "handle"},
          {"note", "已更换充电模块"},
          {"photo_ids", json::array{json::string(app.upload_photo("handler1"))}}}},
        {"handled", "grid1_worker", {{"action", "verify"}, {"passed", true}}},
        {"verified", "bachang_worker", {{"action", "close"}}},
    };
    for (int guard = 0; guard < 10; ++guard) {
      const std::string status = str(get("admin", id).at("status"));
      if (status == target) return;
      auto step = std::ranges::find_if(steps, [&](const Step& s) { return status == s.from; });
      ASSERT_NE(step, steps.end()) << "no step from " << status;
      auto res = act(step->user, id, step->body);
      ASSERT_EQ(res.status, 200) << step->body << ": " << res.body;
    }
    FAIL() << "did not reach " << target;
  }
};

// ---- the story ---------------------------------------------------------------

TEST_F(CaseApi, ChargingPileStoryFromReportToSatisfiedRating) {
  // Friday 2026-02-13 10:00, the last working day but one before 春节
  // (Saturday the 14th is a make-up working day, 15th-23rd are holidays).
  cases::testing::set_now(cst(2026, 2, 13, 10, 0));
  Resident chen = resident();
  // The resident takes a photo of the dead charging pile and sends it with the report.
  auto uploaded = chen.upload(test_png(3));
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string before = str(uploaded.json().at("id"));
  json::object report = new_case(w.grid1);
  report["photo_ids"] = json::array{json::string(before)};
  auto filed = chen.post("/api/v1/cases", report, {{"Idempotency-Key", "story-1"}});
  ASSERT_EQ(filed.status, 201) << filed.body;
  const json::value c = filed.json();
  ASSERT_EQ(c.at("photos").as_array().size(), 1u);
  EXPECT_EQ(c.at("photos").at(0).at("stage"), "report");
  const std::int64_t id = c.at("id").as_int64();
  EXPECT_EQ(c.at("number"), "MQ20260213-0001");
  EXPECT_EQ(c.at("status"), "reported");
  EXPECT_EQ(c.at("source"), "resident");
  EXPECT_EQ(c.at("level"), "community");
  EXPECT_EQ(c.at("reporter").at("name"), "陈玲玲");
  // 2 working hours to accept: 12:00 the same day.
  EXPECT_EQ(c.at("accept_deadline").as_int64(), cst(2026, 2, 13, 12, 0));
  EXPECT_EQ(c.at("deadline").at("kind"), "accept");
  EXPECT_EQ(c.at("deadline").at("remaining_working_minutes").as_int64(), 120);
  EXPECT_EQ(c.at("deadline").at("warning"), "none");

  cases::testing::set_now(cst(2026, 2, 13, 10, 20));
  auto grid = app.as("grid1_worker");
  auto seen =
      act(grid, id, {{"action", "comment"}, {"note", "现场核实：充电桩无法通电，情况属实"}});
  expect_ok(seen, "reported");

  cases::testing::set_now(cst(2026, 2, 13, 11, 0));
  auto community = app.as("bachang_worker");
  expect_ok(act(community, id, {{"action", "accept"}, {"expected_version", 2}}), "accepted");
  auto dispatched = act(community, id,
                        {{"action", "dispatch"},
                         {"handler_user_id", w.users.at("handler1")},
                         {"handler_unit", "八厂物业公司"},
                         {"note", "请24小时内拿出维修方案"}});
  expect_ok(dispatched, "dispatched");
  // 24 working hours from Friday 11:00: Fri 5 h, Sat (调休) 7.5 h, holiday
  // skipped, Tue 24th 7.5 h, Wed 25th 4 h → Wednesday 14:00.
  EXPECT_EQ(dispatched.json().at("handle_deadline").as_int64(), cst(2026, 2, 25, 14, 0));
  EXPECT_EQ(dispatched.json().at("deadline").at("kind"), "handle");
  EXPECT_EQ(dispatched.json().at("deadline").at("remaining_working_minutes").as_int64(), 24 * 60);

  // The handler sees the case now that it is his.
  cases::testing::set_now(cst(2026, 2, 14, 9, 0));
  auto handler = app.as("handler1");
  expect_ok(act(handler, id, {{"action", "start"}, {"note", "已到现场"}}), "in_progress");
  const std::string after = app.upload_photo("handler1", 7);
  auto handled = act(handler, id,
                     {{"action", "handle"},
                      {"note", "更换充电模块，已恢复供电"},
                      {"photo_ids", json::array{json::string(after)}}});
  expect_ok(handled, "handled");
  expect_ok(act(grid, id, {{"action", "verify"}, {"passed", true}, {"note", "复核可以正常充电"}}),
            "verified");
  expect_ok(act(community, id, {{"action", "close"}, {"note", "已电话告知居民"}}), "closed");
  auto rated = chen.post("/api/v1/cases/" + std::to_string(id) + "/actions",
                         {{"action", "rate"}, {"rating", "satisfied"}, {"note", "修得很快"}});
  expect_ok(rated, "closed");

  const json::value done = rated.json();
  EXPECT_EQ(done.at("rating"), "satisfied");
  EXPECT_EQ(done.at("version").as_int64(), 9);
  EXPECT_EQ(done.at("closed_at").as_int64(), cst(2026, 2, 14, 9, 0));
  EXPECT_EQ(done.at("deadline").at("kind"), "none");
  struct Step {
    const char* action;
    const char* from;
    const char* to;
    const char* role;
    const char* actor;
  };
  const Step expected[] = {
      {"create", "", "reported", "resident", "陈玲玲"},
      {"comment", "reported", "reported", "grid_worker", "八厂一网格员"},
      {"accept", "reported", "accepted", "community_worker", "八厂社区工作者"},
      {"dispatch", "accepted", "dispatched", "community_worker", "八厂社区工作者"},
      {"start", "dispatched", "in_progress", "handler", "物业维修员"},
      {"handle", "in_progress", "handled", "handler", "物业维修员"},
      {"verify", "handled", "verified", "grid_worker", "八厂一网格员"},
      {"close", "verified", "closed", "community_worker", "八厂社区工作者"},
      {"rate", "closed", "closed", "resident", "陈玲玲"},
  };
  const auto& timeline = done.at("timeline").as_array();
  ASSERT_EQ(timeline.size(), std::size(expected));
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    const auto& e = timeline[i];
    SCOPED_TRACE(expected[i].action);
    EXPECT_EQ(e.at("action"), expected[i].action);
    EXPECT_EQ(e.at("from_status"), expected[i].from);
    EXPECT_EQ(e.at("to_status"), expected[i].to);
    EXPECT_EQ(e.at("actor").at("role"), expected[i].role);
    EXPECT_EQ(e.at("actor").at("name"), expected[i].actor);
  }
  EXPECT_EQ(timeline[1].at("note"), "现场核实：充电桩无法通电，情况属实");
  EXPECT_EQ(timeline[3].at("data").at("handler_user_id").as_int64(), w.users.at("handler1"));
  EXPECT_EQ(timeline[3].at("data").at("deadline").as_int64(), cst(2026, 2, 25, 14, 0));
  EXPECT_EQ(timeline[0].at("data").at("photo_ids").as_array().at(0), before.c_str());
  EXPECT_EQ(timeline[5].at("data").at("photo_ids").as_array().at(0), after.c_str());
  // The resident sees both photos, before and after; another community does not.
  const auto& photos = done.at("photos").as_array();
  ASSERT_EQ(photos.size(), 2u);
  EXPECT_EQ(photos[1].at("stage"), "handle");
  const std::string after_url = str(photos[1].at("url"));
  auto shown = chen.get(after_url);
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.header("content-type"), "image/png");
  EXPECT_EQ(shown.body, test_png(7));
  EXPECT_EQ(app.as("suyang_worker").get(after_url).status, 404);
  EXPECT_EQ(timeline[6].at("data").at("passed"), true);
  EXPECT_EQ(timeline[8].at("data").at("rating"), "satisfied");
  // Every write also left an audit record.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'case.%' AND target_id = '" +
                  std::to_string(id) + "'"),
            9);
  // The resident follows their case.
  auto mine = chen.get("/api/v1/cases?mine=true");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json().at("items").as_array().size(), 1u);
}

TEST_F(CaseApi, PhotosAreJudgedByContentStoredOnceAndShownOnlyWithTheirCase) {
  auto handler = app.as("handler1");
  const auto files_on_disk = [&] {
    std::size_t n = 0;
    const auto dir = std::filesystem::path(app.data_dir()) / "files";
    if (!std::filesystem::exists(dir)) return n;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      n += e.is_regular_file() ? 1 : 0;
    return n;
  };
  // Refused uploads: a web page called a photo, a truncated PNG, an empty
  // body, one too large, and no sign-in. Nothing is kept.
  const std::string png = test_png(1);
  struct Bad {
    std::string bytes;
    int status;
  };
  for (const Bad& bad : {Bad{"<html><script>alert(1)</script></html>", 415},
                         Bad{png.substr(0, png.size() - 10), 415}, Bad{"", 415},
                         Bad{std::string(10 * 1024 * 1024 + 1, 'x'), 413}}) {
    auto res = handler.send("POST", "/api/v1/files", bad.bytes, "image/jpeg");
    EXPECT_EQ(res.status, bad.status) << res.body;
    EXPECT_EQ(res.header("content-type"), "application/problem+json; charset=utf-8");
  }
  EXPECT_EQ(app.client().send("POST", "/api/v1/files", png, "image/png").status, 401);
  EXPECT_EQ(count("SELECT COUNT(*) FROM files"), 0);
  EXPECT_EQ(files_on_disk(), 0u);

  // The same photo twice is one file, named by its SHA-256.
  const std::string mine = app.upload_photo("handler1", 1);
  EXPECT_EQ(app.upload_photo("handler1", 1), mine);
  EXPECT_EQ(mine.size(), 64u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM files"), 1);
  EXPECT_EQ(files_on_disk(), 1u);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(app.data_dir()) / "files" /
                                      mine.substr(0, 2) / (mine + ".png")));
  const std::string theirs = app.upload_photo("grid1_worker", 2);

  const std::int64_t id = file("bachang_worker", new_case(w.grid1));
  advance(id, "in_progress");
  const std::int64_t version = get("admin", id).at("version").as_int64();
  struct Refused {
    json::object body;
    const char* code;
  };
  for (const Refused& r : {Refused{{{"action", "handle"}, {"note", "已处理"}}, "required"},
                           Refused{{{"action", "handle"},
                                    {"note", "已处理"},
                                    {"photo_ids", json::array{json::string(theirs)}}},
                                   "not-found"},
                           Refused{{{"action", "handle"},
                                    {"note", "已处理"},
                                    {"photo_ids", json::array{"../../etc/passwd"}}},
                                   "not-found"},
                           Refused{{{"action", "comment"},
                                    {"note", "补充"},
                                    {"photo_ids", json::array{json::string(std::string(64, 'a'))}}},
                                   "not-found"}}) {
    auto res = act(handler, id, r.body);
    ASSERT_EQ(res.status, 400) << res.body;
    EXPECT_EQ(res.json().at("errors").at(0).at("field"), "photo_ids");
    EXPECT_EQ(res.json().at("errors").at(0).at("code"), r.code);
  }
  auto refused =
      act("bachang_worker", id,
          {{"action", "supervise"},
           {"note", "请尽快"},
           {"photo_ids", json::array{json::string(app.upload_photo("bachang_worker"))}}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(get("admin", id).at("version").as_int64(), version);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_photos"), 0);

  expect_ok(act(handler, id,
                {{"action", "handle"},
                 {"note", "已处理"},
                 {"photo_ids", json::array{json::string(mine), json::string(mine)}}}),
            "handled");
  const json::value shown = get("grid1_worker", id);
  ASSERT_EQ(shown.at("photos").as_array().size(), 1u);
  const std::string url = str(shown.at("photos").at(0).at("url"));
  auto bytes = app.as("grid1_worker").get(url);
  ASSERT_EQ(bytes.status, 200);
  EXPECT_EQ(bytes.body, test_png(1));
  EXPECT_NE(bytes.header("cache-control").find("immutable"), std::string::npos);
  // Not with another case, not a file the case does not show, not out of scope.
  const std::int64_t other = file("bachang_worker", new_case(w.grid1, "另一件事"));
  EXPECT_EQ(app.as("grid1_worker")
                .get("/api/v1/cases/" + std::to_string(other) + "/photos/" + mine)
                .status,
            404);
  EXPECT_EQ(app.as("grid1_worker")
                .get("/api/v1/cases/" + std::to_string(id) + "/photos/" + theirs)
                .status,
            404);
  EXPECT_EQ(app.as("wenfeng_worker").get(url).status, 404);
  EXPECT_EQ(app.client().get(url).status, 401);
}

TEST_F(CaseApi, DeadlineTurnsYellowNearTheEndAndRedAfterIt) {
  cases::testing::set_now(cst(2026, 2, 13, 10, 0));
  const std::int64_t id = file("grid1_worker", new_case(w.grid1));
  cases::testing::set_now(cst(2026, 2, 13, 11, 40));  // 100 of 120 minutes used
  auto yellow = get("bachang_worker", id);
  EXPECT_EQ(yellow.at("deadline").at("warning"), "yellow");
  EXPECT_EQ(yellow.at("deadline").at("remaining_working_minutes").as_int64(), 20);
  cases::testing::set_now(cst(2026, 2, 13, 14, 0));  // 30 working minutes past 12:00
  auto red = get("bachang_worker", id);
  EXPECT_EQ(red.at("deadline").at("warning"), "red");
  EXPECT_EQ(red.at("deadline").at("remaining_working_minutes").as_int64(), -30);
  EXPECT_EQ(ids("bachang_worker", "overdue=true"), std::vector<std::int64_t>{id});
  // The holiday does not count: filed on the Saturday make-up day at 17:00,
  // one working hour runs out on Tuesday the 24th at 09:00.
  cases::testing::set_now(cst(2026, 2, 14, 17, 0));
  const std::int64_t late = file("grid1_worker", new_case(w.grid1, "节前垃圾满溢", "SR01"));
  auto l = get("bachang_worker", late);
  EXPECT_EQ(l.at("number"), "MQ20260214-0001");
  // SR01: accept in 1 working hour (17:00-17:30, then 08:30-09:00 on the 24th).
  EXPECT_EQ(l.at("accept_deadline").as_int64(), cst(2026, 2, 24, 9, 0));
}

// ---- refusals ------------------------------------------------------------------

TEST_F(CaseApi, EveryIllegalTransitionIsRefusedAndChangesNothing) {
  const std::int64_t id = file("grid1_worker", new_case(w.grid1));
  auto before = get("admin", id);
  auto admin = app.as("admin");
  for (const char* action : {"dispatch", "start", "handle", "verify", "close", "rate", "return",
                             "extend", "extend_decision"}) {
    json::object body{{"action", action}, {"note", "试一试"},      {"reason", "试一试"},
                      {"passed", true},   {"rating", "satisfied"}, {"days", 1},
                      {"approved", true}};
    auto res = act(admin, id, body);
    EXPECT_EQ(res.status, 409) << action << ": " << res.body;
    EXPECT_EQ(res.json().at("type"), "/problems/illegal-transition") << action;
  }
  advance(id, "closed");
  for (const char* action :
       {"accept", "reject", "dispatch", "start", "close", "escalate", "supervise"}) {
    auto res = act(admin, id, {{"action", action}, {"note", "再试"}, {"reason", "再试"}});
    EXPECT_EQ(res.status, 409) << action << ": " << res.body;
  }
  auto after = get("admin", id);
  EXPECT_EQ(after.at("status"), "closed");
  EXPECT_EQ(after.at("timeline").as_array().size(), 7u);  // create + 6 steps, nothing else
  EXPECT_EQ(before.at("number"), after.at("number"));
}

TEST_F(CaseApi, OutOfScopeActorsAreRefusedOnEveryCaseRoute) {
  const std::int64_t id = file("grid1_worker", new_case(w.grid1));
  const std::string path = "/api/v1/cases/" + std::to_string(id);
  for (const char* user : {"wenfeng_worker", "grid2_worker", "suyang_worker", "handler1"}) {
    SCOPED_TRACE(user);
    auto c = app.as(user);
    EXPECT_EQ(c.get(path).status, 404);
    for (const char* action : {"accept", "comment", "reject", "escalate", "supervise"}) {
      auto res = act(c, id, {{"action", action}, {"note", "越权操作"}, {"reason", "越权操作"}});
      EXPECT_EQ(res.status, 404) << action << ": " << res.body;
    }
    EXPECT_TRUE(ids(user, "").empty());
    EXPECT_TRUE(ids(user,
                    "q="
                    "%E5%85%85%E7%94%B5")
                    .empty());  // 充电
  }
  // Staff outside the grid cannot file there either.
  EXPECT_EQ(app.as("wenfeng_worker").post("/api/v1/cases", new_case(w.grid1)).status, 404);
  EXPECT_EQ(get("admin", id).at("version").as_int64(), 1);
}

TEST_F(CaseApi, WrongRoleInScopeIsForbidden) {
  const std::int64_t id = file("grid1_worker", new_case(w.grid1));
  // The party secretary and the grid worker see the case but may not accept it.
  for (const char* user : {"party1", "grid1_worker"}) {
    auto res = act(user, id, {{"action", "accept"}});
    EXPECT_EQ(res.status, 403) << user << ": " << res.body;
  }
  advance(id, "dispatched");
  // Only the assigned handler starts the work.
  EXPECT_EQ(act("bachang_worker", id, {{"action", "start"}}).status, 403);
  // Only the reporter rates.
  advance(id, "closed");
  EXPECT_EQ(act("bachang_worker", id, {{"action", "rate"}, {"rating", "satisfied"}}).status, 403);
  EXPECT_EQ(get("admin", id).at("rating"), nullptr);
}

TEST_F(CaseApi, StaleVersionIsAConflictWithTheCurrentState) {
  const std::int64_t id = file("grid1_worker", new_case(w.grid1));
  expect_ok(act("bachang_worker", id, {{"action", "accept"}, {"expected_version", 1}}), "accepted");
  auto stale = act("street_admin", id,
                   {{"action", "reject"}, {"reason", "重复反映"}, {"expected_version", 1}});
  ASSERT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.json().at("type"), "/problems/stale-case");
  EXPECT_NE(str(stale.json().at("detail")).find("accepted"), std::string::npos);
  EXPECT_NE(str(stale.json().at("detail")).find("版本：2"), std::string::npos);
  auto now = get("admin", id);
  EXPECT_EQ(now.at("status"), "accepted");
  EXPECT_EQ(now.at("version").as_int64(), 2);
}

TEST_F(CaseApi, SameIdempotencyKeyFilesOneCase) {
  Resident chen = resident();
  const json::object body = new_case(w.grid1);
  auto first = chen.post("/api/v1/cases", body, {{"Idempotency-Key", "k-0001"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = chen.post("/api/v1/cases", body, {{"Idempotency-Key", "k-0001"}});
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.json().at("id"), first.json().at("id"));
  EXPECT_EQ(retry.json().at("number"), first.json().at("number"));
  json::object other = body;
  other["title"] = "另一件事：路灯坏了";
  auto reused = chen.post("/api/v1/cases", other, {{"Idempotency-Key", "k-0001"}});
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(reused.json().at("type"), "/problems/idempotency-key-reused");
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 1);
  // The same key from another person is their own.
  auto grid = app.as("grid1_worker");
  auto theirs = grid.send("POST", "/api/v1/cases", json::serialize(body), "application/json",
                          {{"Idempotency-Key", "k-0001"}});
  EXPECT_EQ(theirs.status, 201) << theirs.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 2);
}

// The answer to a new case is built from what the write stored, not read
// back: it must be exactly what reading the case gives.
TEST_F(CaseApi, ANewCaseIsAnsweredExactlyAsItReadsBack) {
  cases::testing::set_now(cst(2026, 3, 10, 10, 0));  // a working Tuesday
  json::object hotline = new_case(w.grid1, "  路灯不亮，晚上走路看不清  ");
  hotline["source"] = "hotline_12345";
  hotline["reporter_name"] = " 王大伯 ";
  hotline["reporter_phone"] = "139 5130 0088";
  hotline["address"] = "八厂社区3幢东侧";
  hotline["lat"] = 32.0101234;
  hotline["lng"] = 120.8607891;
  hotline["priority"] = "urgent";
  Resident chen = resident();
  const std::vector<std::pair<std::string, HttpResponse>> made = {
      {"bachang_worker", app.as("bachang_worker").post("/api/v1/cases", hotline)},
      {"grid1_worker", app.as("grid1_worker").post("/api/v1/cases", new_case(w.grid1))},
      {"", chen.post("/api/v1/cases", new_case(w.grid1), {{"Idempotency-Key", "k-read-back"}})},
  };
  for (const auto& [user, res] : made) {
    ASSERT_EQ(res.status, 201) << res.body;
    const std::string id = std::to_string(res.json().at("id").as_int64());
    auto back =
        user.empty() ? chen.get("/api/v1/cases/" + id) : app.as(user).get("/api/v1/cases/" + id);
    ASSERT_EQ(back.status, 200) << back.body;
    EXPECT_EQ(res.json(), back.json()) << res.body << "\n" << back.body;
  }
  auto retry = chen.post("/api/v1/cases", new_case(w.grid1), {{"Idempotency-Key", "k-read-back"}});
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.json(), made[2].second.json());
  // So is the answer to an action, built from the row the action wrote.
  const std::int64_t id = made[0].second.json().at("id").as_int64();
  const std::vector<std::pair<std::string, json::object>> steps = {
      {"bachang_worker", {{"action", "accept"}}},
      {"bachang_worker", {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}}},
      {"handler1", {{"action", "start"}}},
      {"handler1", {{"action", "extend"}, {"days", 2}, {"reason", "需要等配件到货"}}},
  };
  for (const auto& [user, body] : steps) {
    auto res = act(user, id, body);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json(), get(user, id)) << body;
  }
}

TEST_F(CaseApi, MalformedInputIsRefusedWithFieldErrors) {
  auto c = app.as("grid1_worker");
  auto field_of = [](const HttpResponse& res) {
    std::set<std::string> out;
    for (const auto& e : res.json().at("errors").as_array()) out.insert(str(e.at("field")));
    return out;
  };
  auto missing = c.post("/api/v1/cases", json::object{});
  ASSERT_EQ(missing.status, 400);
  EXPECT_TRUE(field_of(missing).count("title"));
  EXPECT_TRUE(field_of(missing).count("category_id"));
  auto bad = c.post("/api/v1/cases", {{"title", "x"},
                                      {"category_id", "1 OR 1=1"},
                                      {"grid_id", w.grid1},
                                      {"priority", "very"},
                                      {"lat", 999},
                                      {"surprise", true}});
  ASSERT_EQ(bad.status, 400);
  for (const char* f : {"category_id", "priority", "lat", "surprise"}) {
    EXPECT_TRUE(field_of(bad).count(f)) << f << ": " << bad.body;
  }
  json::object short_title = new_case(w.grid1);
  short_title["title"] = "坏";
  EXPECT_EQ(c.post("/api/v1/cases", short_title).status, 400);
  json::object nowhere = new_case(w.grid1);
  nowhere.erase("grid_id");
  auto no_grid = c.post("/api/v1/cases", nowhere);
  EXPECT_EQ(no_grid.status, 400);
  EXPECT_TRUE(field_of(no_grid).count("grid_id"));
  EXPECT_EQ(c.send("POST", "/api/v1/cases", json::serialize(new_case(w.grid1)), "application/json",
                   {{"Idempotency-Key", std::string(300, 'k')}})
                .status,
            400);
  const std::int64_t id = file("grid1_worker", new_case(w.grid1));
  auto unknown = act(c, id, {{"action", "explode"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_TRUE(field_of(unknown).count("action"));
  auto no_reason = act("bachang_worker", id, {{"action", "reject"}});
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_TRUE(field_of(no_reason).count("reason"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_EQ(get("admin", id).at("version").as_int64(), 1);
}

// A list query names each filter once, in UTF-8: a repeated filter used to
// mean "the first one wins" and bytes that are not UTF-8 reached the search.
TEST_F(CaseApi, AListQueryWithARepeatedOrUndecodableParameterIsRefused) {
  auto c = app.as("grid1_worker");
  ASSERT_EQ(c.get("/api/v1/cases?status=reported").status, 200);
  auto field_of = [](const HttpResponse& res) {
    return str(res.json().at("errors").as_array().at(0).at("field"));
  };
  auto repeated = c.get("/api/v1/cases?status=reported&status=closed");
  ASSERT_EQ(repeated.status, 400) << repeated.body;
  EXPECT_EQ(field_of(repeated), "status");
  auto repeated_limit = c.get("/api/v1/cases?limit=5&limit=6");
  ASSERT_EQ(repeated_limit.status, 400) << repeated_limit.body;
  EXPECT_EQ(field_of(repeated_limit), "limit");
  auto undecodable = c.get("/api/v1/cases?q=%FF%FEabc");
  ASSERT_EQ(undecodable.status, 400) << undecodable.body;
  EXPECT_EQ(field_of(undecodable), "q");
  EXPECT_EQ(c.get("/api/v1/cases?q=" + url_encode("充电桩")).status, 200);
}

// ---- rating, rework and the other actions ---------------------------------------

TEST_F(CaseApi, DissatisfiedRatingReopensOnceAndFailedVerificationIsRework) {
  Resident chen = resident();
  auto filed = chen.post("/api/v1/cases", new_case(w.grid1));
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::int64_t id = filed.json().at("id").as_int64();
  advance(id, "handled");
  auto rework =
      act("grid1_worker", id, {{"action", "verify"}, {"passed", false}, {"note", "仍无法充电"}});
  expect_ok(rework, "dispatched");
  EXPECT_EQ(rework.json().at("rework_count").as_int64(), 1);
  advance(id, "closed");
  const std::string actions = "/api/v1/cases/" + std::to_string(id) + "/actions";
  auto unhappy =
      chen.post(actions, {{"action", "rate"}, {"rating", "dissatisfied"}, {"note", "又坏了"}});
  expect_ok(unhappy, "reopened");
  EXPECT_EQ(unhappy.json().at("reopen_count").as_int64(), 1);
  EXPECT_EQ(unhappy.json().at("closed_at"), nullptr);
  // The community accepts it again and the loop runs once more.
  advance(id, "closed");
  auto again = chen.post(actions, {{"action", "rate"}, {"rating", "dissatisfied"}});
  expect_ok(again, "closed");  // reopens only once
  auto twice = chen.post(actions, {{"action", "rate"}, {"rating", "satisfied"}});
  EXPECT_EQ(twice.status, 409);
}

TEST_F(CaseApi, RejectMergeReturnEscalateExtendAndSupervise) {
  const std::int64_t first = file("grid1_worker", new_case(w.grid1));
  const std::int64_t dup = file("grid1_worker", new_case(w.grid1, "充电桩还是坏的"));
  const std::int64_t junk = file("grid1_worker", new_case(w.grid1, "测试一下"));
  auto merged = act("bachang_worker", dup, {{"action", "merge"}, {"into_case_id", first}});
  expect_ok(merged, "merged");
  EXPECT_EQ(merged.json().at("merged_into").as_int64(), first);
  expect_ok(act("bachang_worker", junk, {{"action", "reject"}, {"reason", "测试数据，不予受理"}}),
            "rejected");
  // Escalation climbs one level at a time and stops at the street.
  auto up = act("grid1_worker", first, {{"action", "escalate"}, {"note", "需街道协调"}});
  expect_ok(up, "reported");
  EXPECT_EQ(up.json().at("level"), "street");
  EXPECT_EQ(act("bachang_worker", first, {{"action", "escalate"}}).status, 409);
  advance(first, "dispatched");
  // A wrong dispatch goes back with a reason.
  auto back = act("handler1", first, {{"action", "return"}, {"reason", "不属于物业管辖"}});
  expect_ok(back, "accepted");
  EXPECT_EQ(back.json().at("handler").at("user_id"), nullptr);
  EXPECT_EQ(app.as("handler1").get("/api/v1/cases/" + std::to_string(first)).status, 404);
  expect_ok(act("bachang_worker", first,
                {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}}),
            "dispatched");
  const std::int64_t due = get("admin", first).at("handle_deadline").as_int64();
  auto asked =
      act("handler1", first, {{"action", "extend"}, {"days", 2}, {"reason", "配件需要厂家寄送"}});
  expect_ok(asked, "dispatched");
  EXPECT_EQ(asked.json().at("extension_request").at("minutes").as_int64(), 2 * 450);
  EXPECT_EQ(act("handler1", first, {{"action", "extend_decision"}, {"approved", true}}).status,
            403);
  auto approved = act("street_admin", first, {{"action", "extend_decision"}, {"approved", true}});
  expect_ok(approved, "dispatched");
  EXPECT_GT(approved.json().at("handle_deadline").as_int64(), due);
  EXPECT_EQ(approved.json().at("extension_request"), nullptr);
  auto urged =
      act("street_admin", first, {{"action", "supervise"}, {"note", "请尽快处理，居民反映强烈"}});
  expect_ok(urged, "dispatched");
  EXPECT_EQ(urged.json().at("timeline").as_array().back().at("action"), "supervise");
  EXPECT_EQ(act("grid1_worker", first, {{"action", "supervise"}, {"note", "督办"}}).status, 403);
}

// ---- lists ---------------------------------------------------------------------

TEST_F(CaseApi, ListFiltersSearchTwoCharacterWordsAndPagesWithoutDuplicates) {
  const std::int64_t lamp = file("grid1_worker", new_case(w.grid1, "小区路灯不亮", "GY02"));
  const std::int64_t bin = file("grid2_worker", new_case(w.grid2, "垃圾桶满了没人清", "SR01"));
  const std::int64_t far = file("wenfeng_worker", new_case(w.grid3, "路灯杆歪了", "GY02"));
  EXPECT_EQ(ids("bachang_worker", "q=%E8%B7%AF%E7%81%AF"),
            std::vector<std::int64_t>{lamp});  // 路灯
  EXPECT_EQ(ids("street_admin", "q=%E8%B7%AF%E7%81%AF"), (std::vector<std::int64_t>{far, lamp}));
  EXPECT_EQ(ids("bachang_worker", "q=%E5%9E%83%E5%9C%BE"), std::vector<std::int64_t>{bin});  // 垃圾
  EXPECT_EQ(ids("bachang_worker", "q=%E7%81%AF"), std::vector<std::int64_t>{lamp});          // 灯
  // Several words: every bigram must be there (路灯 and 不亮), in any order.
  EXPECT_EQ(ids("street_admin", "q=%E4%B8%8D%E4%BA%AE%20%E8%B7%AF%E7%81%AF"),
            std::vector<std::int64_t>{lamp});
  // The search index's own syntax is only text here: quotes, operators, stars.
  for (const char* q : {"%22%E8%B7%AF%E7%81%AF%22", "%E8%B7%AF%22%20OR%20%22%E7%81%AF",
                        "NEAR(%E8%B7%AF%E7%81%AF)", "%E8%B7%AF*", "%EF%BC%8C%E3%80%82"}) {
    EXPECT_EQ(ids("street_admin", std::string("q=") + q), std::vector<std::int64_t>{}) << q;
  }
  EXPECT_EQ(ids("grid1_worker", ""), std::vector<std::int64_t>{lamp});
  EXPECT_EQ(ids("street_admin", "area=" + std::to_string(w.bachang)),
            (std::vector<std::int64_t>{bin, lamp}));
  EXPECT_EQ(ids("street_admin", "category=" + std::to_string(category("SR"))),
            std::vector<std::int64_t>{bin});
  advance(lamp, "dispatched");
  EXPECT_EQ(ids("street_admin", "status=dispatched"), std::vector<std::int64_t>{lamp});
  EXPECT_EQ(ids("handler1", "mine=true"), std::vector<std::int64_t>{lamp});
  EXPECT_EQ(ids("grid2_worker", "mine=true"), std::vector<std::int64_t>{bin});
  // 25 more, read 7 at a time: every case once, newest first.
  for (int i = 0; i < 25; ++i)
    file("grid1_worker", new_case(w.grid1, "井盖松动" + std::to_string(i), "GY03"));
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto res =
        app.as("admin").get("/api/v1/cases?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(res.status, 200) << res.body;
    for (const auto& item : res.json().at("items").as_array())
      seen.push_back(item.at("id").as_int64());
    if (res.json().at("next_cursor").is_null()) break;
    cursor = str(res.json().at("next_cursor"));
  }
  EXPECT_EQ(seen.size(), 28u);
  EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()).size(), 28u);
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend()));
  EXPECT_EQ(app.as("admin").get("/api/v1/cases?cursor=zzz").status, 400);
}

// ---- categories and calendar -----------------------------------------------------

TEST_F(CaseApi, CategoriesAreATreeManagedByPlatformAdmins) {
  auto tree = app.as("grid1_worker").get("/api/v1/case-categories");
  ASSERT_EQ(tree.status, 200) << tree.body;
  std::set<std::string> roots;
  for (const auto& c : tree.json().at("items").as_array()) {
    roots.insert(str(c.at("name")));
    EXPECT_GE(c.at("children").as_array().size(), 2u) << c.at("name");
  }
  for (const char* name :
       {"市容环境", "公用设施", "道路交通", "园林绿化", "房屋土地", "街面秩序", "突发事件",
        "邻里纠纷", "物业服务", "民生求助", "政策咨询", "安全隐患"}) {
    EXPECT_TRUE(roots.count(name)) << name;
  }
  json::object body{{"parent_id", category("GY")}, {"code", "GY09"},
                    {"name", "健身器材损坏"},      {"level", "community"},
                    {"handler_unit", "物业公司"},  {"accept_hours", 2},
                    {"handle_limit", 3},           {"handle_unit", "days"}};
  EXPECT_EQ(app.as("street_admin").post("/api/v1/case-categories", body).status, 403);
  auto made = app.as("admin").post("/api/v1/case-categories", body);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(app.as("admin").post("/api/v1/case-categories", body).status, 409);
  auto patched = app.as("admin").patch(
      "/api/v1/case-categories/" + std::to_string(made.json().at("id").as_int64()),
      {{"handle_limit", 5}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("handle_limit").as_int64(), 5);
}

TEST_F(CaseApi, CalendarEditsChangeTheNextDeadline) {
  auto year = app.as("bachang_worker").get("/api/v1/calendar?year=2026");
  ASSERT_EQ(year.status, 200) << year.body;
  bool makeup = false;
  for (const auto& d : year.json().at("items").as_array()) {
    if (d.at("date") == "2026-02-14") makeup = d.at("kind") == "workday";
  }
  EXPECT_TRUE(makeup);
  EXPECT_EQ(app.as("bachang_worker").put("/api/v1/calendar/2026-03-02", {{"kind", "rest"}}).status,
            403);
  // Monday 2026-03-09 becomes a rest day: a case filed Friday 17:00 with one
  // working hour to accept is due Tuesday 09:00 instead of Monday.
  auto put =
      app.as("admin").put("/api/v1/calendar/2026-03-09", {{"kind", "rest"}, {"name", "防汛调休"}});
  ASSERT_EQ(put.status, 200) << put.body;
  cases::testing::set_now(cst(2026, 3, 6, 17, 0));
  const std::int64_t id = file("grid1_worker", new_case(w.grid1, "垃圾满溢", "SR01"));
  EXPECT_EQ(get("admin", id).at("accept_deadline").as_int64(), cst(2026, 3, 10, 9, 0));
  EXPECT_EQ(app.as("admin").del("/api/v1/calendar/2026-03-09").status, 204);
  EXPECT_EQ(app.as("admin").del("/api/v1/calendar/2026-03-09").status, 404);
  const std::int64_t next = file("grid1_worker", new_case(w.grid1, "垃圾满溢", "SR01"));
  EXPECT_EQ(get("admin", next).at("accept_deadline").as_int64(), cst(2026, 3, 9, 9, 0));
  EXPECT_EQ(get("admin", next).at("number"), "MQ20260306-0002");
}

TEST_F(CaseApi, WorkingHoursAreSetByAdminsAndCountForNewDeadlines) {
  auto worker = app.as("bachang_worker");
  EXPECT_EQ(worker.put("/api/v1/calendar/hours", {{"working_hours", "09:00-18:00"}}).status, 403);
  for (const char* bad : {"9-17", "12:00-08:30", "08:30-12:00,11:00-17:00", "25:00-26:00"}) {
    auto res = app.as("admin").put("/api/v1/calendar/hours", {{"working_hours", bad}});
    EXPECT_EQ(res.status, 400) << bad << " " << res.body;
  }
  EXPECT_EQ(worker.get("/api/v1/calendar").json().at("working_hours"), "08:30-12:00,13:30-17:30");

  auto put = app.as("admin").put("/api/v1/calendar/hours",
                                 {{"working_hours", "09:00-12:00， 14:00-18:00"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json().at("working_hours"), "09:00-12:00,14:00-18:00");
  EXPECT_EQ(put.json().at("minutes_per_day"), 420);
  EXPECT_EQ(worker.get("/api/v1/calendar").json().at("working_hours"), "09:00-12:00,14:00-18:00");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.hours'"), 1);

  // Friday 17:00 with one working hour to accept: the office now works until
  // 18:00, so it is due the same evening instead of Monday 09:00.
  cases::testing::set_now(cst(2026, 3, 6, 17, 0));
  const std::int64_t id = file("grid1_worker", new_case(w.grid1, "垃圾满溢", "SR01"));
  EXPECT_EQ(get("admin", id).at("accept_deadline").as_int64(), cst(2026, 3, 6, 18, 0));
}

// ---- demo data -------------------------------------------------------------------

TEST_F(CaseApi, DemoCasesCoverEveryStatusThroughTheServiceCode) {
  ASSERT_TRUE(cases::seed_demo_cases(app.app(), 7, 150));
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 150);
  std::set<std::string> statuses;
  app.app().db->read([&](db::Conn& c) {
    for (const auto& row : c.query("SELECT DISTINCT status FROM cases"))
      statuses.insert(row.text(0));
  });
  for (const char* s : {"reported", "accepted", "rejected", "merged", "dispatched", "in_progress",
                        "handled", "verified", "closed", "reopened"}) {
    EXPECT_TRUE(statuses.count(s)) << s;
  }
  EXPECT_GT(count("SELECT COUNT(*) FROM cases WHERE rating IS NOT NULL"), 30);
  EXPECT_EQ(count("SELECT COUNT(*) FROM case_events WHERE action = 'create'"), 150);
}

}  // namespace
}  // namespace cg::test

namespace cg::test {
namespace {

TEST_F(CaseApi, AResidentWhoNamesNoPlaceReportsAboutHome) {
  Resident r = resident("13951300099", "沈秀英");
  auto res = r.post("/api/v1/cases", {{"title", "楼道灯不亮"}, {"category_id", category("GY01")}},
                    {{"Idempotency-Key", "home-1"}});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("grid").at("id"), w.grid1);
}

TEST_F(CaseApi, DispatchToAPersonKeepsTheCategoryUnitAndExtensionsAreOfferedOnlyWhenDue) {
  std::int64_t id = file("bachang_worker", new_case(w.grid1));
  expect_ok(act("bachang_worker", id, {{"action", "accept"}}), "accepted");
  auto dispatched =
      act("bachang_worker", id,
          {{"action", "dispatch"}, {"handler_user_id", app.world().users.at("handler1")}});
  expect_ok(dispatched, "dispatched");
  EXPECT_FALSE(dispatched.json().at("handler").at("unit").as_string().empty());
  auto offered = [&](const std::string& user, const char* action) {
    const json::value detail = get(user, id);
    const auto& actions = detail.at("allowed_actions").as_array();
    return std::find(actions.begin(), actions.end(), json::value(action)) != actions.end();
  };
  EXPECT_FALSE(offered("bachang_worker", "extend_decision"));
  EXPECT_TRUE(offered("handler1", "extend"));
  ASSERT_EQ(
      act("handler1", id, {{"action", "extend"}, {"days", 2}, {"reason", "等待配件到货"}}).status,
      200);
  EXPECT_TRUE(offered("bachang_worker", "extend_decision"));
  EXPECT_FALSE(offered("handler1", "extend"));
}

}  // namespace
}  // namespace cg::test
