// GET /api/v1/stats/cases: the indicators of 民情工单 over a known set of
// cases walked through the API on Monday 2026-03-02 (working hours 08:30–12:00,
// 13:30–17:30), every figure checked exactly, with scope and bad parameters.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "db/db.hpp"
#include "modules/auth/model.hpp"
#include "modules/cases/service.hpp"
#include "modules/cases/store.hpp"
#include "support/test_app.hpp"

namespace cg::cases {
// Readable counts when a comparison fails.
void PrintTo(const Counts& c, std::ostream* os) {
  *os << "{received " << c.received << ", accepted " << c.accepted << ", closed " << c.closed
      << ", on_time " << c.on_time_closed << ", rated " << c.rated << ", satisfied " << c.satisfied
      << ", reworked " << c.reworked << ", handled " << c.handled << ", grid " << c.closed_in_grid
      << ", community " << c.closed_in_community << ", minutes " << c.handling_minutes
      << ", handling " << c.handling_cases << "}";
}
void PrintTo(const AreaCounts& a, std::ostream* os) {
  *os << a.area.name << " ";
  PrintTo(a.counts, os);
}
void PrintTo(const CategoryCounts& k, std::ostream* os) {
  *os << k.name << " ";
  PrintTo(k.counts, os);
}
}  // namespace cg::cases

namespace cg::test {
namespace {

namespace json = boost::json;

// Epoch ms of a China Standard Time wall-clock moment.
std::int64_t cst(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  using namespace std::chrono;
  const sys_days day{year{y} / month{m} / ::std::chrono::day{d}};
  return duration_cast<milliseconds>(day.time_since_epoch()).count() +
         ((hour - 8) * 60 + minute) * 60'000LL;
}

struct Step {
  std::int64_t at;
  json::object body;
};

class CaseStats : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();

  void TearDown() override { cases::testing::set_now(std::nullopt); }

  std::int64_t category(const std::string& code) {
    return app.app().db->read([&](db::Conn& c) {
      return c.query_one("SELECT id FROM case_categories WHERE code = $1", {code})->i64(0);
    });
  }

  // Files a case as `user` at `at`, then runs `steps` as bachang_worker.
  std::int64_t walk(const std::string& user, std::int64_t grid, const std::string& code,
                    std::int64_t at, const std::vector<Step>& steps) {
    cases::testing::set_now(at);
    auto res = app.as(user).post(
        "/api/v1/cases",
        json::object{{"title", "统计用工单"}, {"category_id", category(code)}, {"grid_id", grid}});
    EXPECT_EQ(res.status, 201) << res.body;
    const std::int64_t id = res.json().at("id").as_int64();
    for (const Step& s : steps) {
      cases::testing::set_now(s.at);
      json::object body = s.body;
      if (body.at("action") == "handle")
        body["photo_ids"] = json::array{json::string(app.upload_photo(user))};
      auto r = app.as(user).post("/api/v1/cases/" + std::to_string(id) + "/actions", body);
      EXPECT_EQ(r.status, 200) << s.body << " → " << r.body;
    }
    return id;
  }

  // The full loop: accept and dispatch at `dispatch`, start, handle at
  // `handled`, verify and close at `handled`.
  std::vector<Step> loop(std::int64_t dispatch, std::int64_t handled) {
    return {{dispatch, {{"action", "accept"}}},
            {dispatch, {{"action", "dispatch"}}},
            {dispatch, {{"action", "start"}}},
            {handled, {{"action", "handle"}, {"note", "已处理完毕"}}},
            {handled, {{"action", "verify"}, {"passed", true}}},
            {handled, {{"action", "close"}}}};
  }

  // Builds the story; see the figures in the test below.
  void build() {
    const std::int64_t mon9 = cst(2026, 3, 2, 9);
    // A: grid1, 垃圾满溢 (grid level, 4 working hours), handled in 2 h, on time, 满意.
    auto a = loop(mon9, cst(2026, 3, 2, 11));
    a.push_back({cst(2026, 3, 2, 12), {{"action", "rate"}, {"rating", "satisfied"}}});
    walk("bachang_worker", w.grid1, "SR01", cst(2026, 3, 2, 8, 40), a);
    // B: grid1, handled Tuesday 09:00 (450 working minutes), late, 基本满意.
    auto b = loop(mon9, cst(2026, 3, 3, 9));
    b.push_back({cst(2026, 3, 3, 10), {{"action", "rate"}, {"rating", "basically_satisfied"}}});
    walk("bachang_worker", w.grid1, "SR01", cst(2026, 3, 2, 8, 41), b);
    // C: grid2, 充电桩 (community level, 24 h): reworked once, closed on time.
    walk("bachang_worker", w.grid2, "GY01", cst(2026, 3, 2, 8, 42),
         {{mon9, {{"action", "accept"}}},
          {mon9, {{"action", "dispatch"}}},
          {mon9, {{"action", "start"}}},
          {cst(2026, 3, 2, 10), {{"action", "handle"}, {"note", "初步处理"}}},
          {cst(2026, 3, 2, 10), {{"action", "verify"}, {"passed", false}}},
          {cst(2026, 3, 2, 10), {{"action", "start"}}},
          {cst(2026, 3, 2, 11), {{"action", "handle"}, {"note", "返工完成"}}},
          {cst(2026, 3, 2, 11), {{"action", "verify"}, {"passed", true}}},
          {cst(2026, 3, 2, 11), {{"action", "close"}}}});
    // D: grid2, handled in 30 min and closed, then 不满意 reopens it.
    auto d = loop(mon9, cst(2026, 3, 2, 9, 30));
    d.push_back({cst(2026, 3, 2, 10), {{"action", "rate"}, {"rating", "dissatisfied"}}});
    walk("bachang_worker", w.grid2, "GY01", cst(2026, 3, 2, 8, 43), d);
    // E: grid1, escalated twice to the street before dispatch, closed on time at street level.
    walk("bachang_worker", w.grid1, "SR01", cst(2026, 3, 2, 8, 44),
         {{mon9, {{"action", "accept"}}},
          {mon9, {{"action", "escalate"}, {"note", "需社区协调"}}},
          {mon9, {{"action", "escalate"}, {"note", "需街道协调"}}},
          {mon9, {{"action", "dispatch"}}},
          {mon9, {{"action", "start"}}},
          {cst(2026, 3, 2, 10), {{"action", "handle"}, {"note", "已处理完毕"}}},
          {cst(2026, 3, 2, 10), {{"action", "verify"}, {"passed", true}}},
          {cst(2026, 3, 2, 10), {{"action", "close"}}}});
    // F: grid1, only reported. G: grid2, rejected.
    walk("bachang_worker", w.grid1, "SR02", cst(2026, 3, 2, 8, 45), {});
    walk("bachang_worker", w.grid2, "GY02", cst(2026, 3, 2, 8, 46),
         {{mon9, {{"action", "reject"}, {"reason", "不属于受理范围"}}}});
    // H: 文峰 grid3, reported (outside 八厂). J: grid1, the next day (outside the window).
    walk("wenfeng_worker", w.grid3, "SR01", cst(2026, 3, 2, 8, 47), {});
    walk("bachang_worker", w.grid1, "SR01", cst(2026, 3, 3, 12), {});
  }

  std::string window() const {
    return "from=" + std::to_string(cst(2026, 3, 2, 0)) +
           "&to=" + std::to_string(cst(2026, 3, 3, 0));
  }

  json::value stats(const std::string& user, const std::string& query, int expect = 200) {
    auto res = app.as(user).get("/api/v1/stats/cases?" + query);
    EXPECT_EQ(res.status, expect) << query << " → " << res.body;
    return res.status == 200 ? res.json() : json::value();
  }
};

void expect_rate(const json::value& v, double want, const char* what) {
  ASSERT_TRUE(v.is_double()) << what << ": " << json::serialize(v);
  EXPECT_DOUBLE_EQ(v.as_double(), want) << what;
}

TEST_F(CaseStats, EveryIndicatorOfACommunityExactly) {
  build();
  const json::value s =
      stats("bachang_worker", "area=" + std::to_string(w.bachang) + "&" + window());
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.at("area").at("id").as_int64(), w.bachang);
  EXPECT_EQ(s.at("area").at("name"), "八厂社区");
  EXPECT_EQ(s.at("area").at("level"), "community");
  EXPECT_EQ(s.at("from").as_int64(), cst(2026, 3, 2, 0));
  EXPECT_EQ(s.at("to").as_int64(), cst(2026, 3, 3, 0));
  EXPECT_EQ(s.at("received").as_int64(), 7);  // A–G
  EXPECT_EQ(s.at("accepted").as_int64(), 5);  // A–E
  EXPECT_EQ(s.at("closed").as_int64(), 4);    // A, B, C, E
  EXPECT_EQ(s.at("on_time_closed").as_int64(), 3);
  expect_rate(s.at("on_time_rate"), 0.75, "on_time_rate");
  expect_rate(s.at("satisfaction_rate"), 2.0 / 3.0, "satisfaction_rate");  // A, B of A, B, D
  expect_rate(s.at("rework_rate"), 0.2, "rework_rate");                    // C of A, B, C, D, E
  expect_rate(s.at("closed_in_grid_share"), 0.5, "closed_in_grid_share");  // A, B
  expect_rate(s.at("closed_in_community_share"), 0.75, "closed_in_community_share");  // + C
  // (120 + 450 + 120 + 30 + 60) / 5 = 156 working minutes.
  expect_rate(s.at("avg_handling_working_hours"), 2.6, "avg_handling_working_hours");

  const auto& children = s.at("by_child").as_array();
  ASSERT_EQ(children.size(), 2u);
  const json::value& g1 = children[0];
  EXPECT_EQ(g1.at("area").at("id").as_int64(), w.grid1);
  EXPECT_EQ(g1.at("area").at("level"), "grid");
  EXPECT_EQ(g1.at("received").as_int64(), 4);  // A, B, E, F
  EXPECT_EQ(g1.at("accepted").as_int64(), 3);
  EXPECT_EQ(g1.at("closed").as_int64(), 3);
  EXPECT_EQ(g1.at("on_time_closed").as_int64(), 2);
  expect_rate(g1.at("on_time_rate"), 2.0 / 3.0, "grid1 on_time_rate");
  expect_rate(g1.at("satisfaction_rate"), 1.0, "grid1 satisfaction_rate");
  expect_rate(g1.at("rework_rate"), 0.0, "grid1 rework_rate");
  expect_rate(g1.at("closed_in_grid_share"), 2.0 / 3.0, "grid1 closed_in_grid_share");
  expect_rate(g1.at("closed_in_community_share"), 2.0 / 3.0, "grid1 community share");
  expect_rate(g1.at("avg_handling_working_hours"), 3.5, "grid1 avg hours");  // 630 / 3 min
  const json::value& g2 = children[1];
  EXPECT_EQ(g2.at("area").at("id").as_int64(), w.grid2);
  EXPECT_EQ(g2.at("received").as_int64(), 3);  // C, D, G
  EXPECT_EQ(g2.at("accepted").as_int64(), 2);
  EXPECT_EQ(g2.at("closed").as_int64(), 1);
  expect_rate(g2.at("on_time_rate"), 1.0, "grid2 on_time_rate");
  expect_rate(g2.at("satisfaction_rate"), 0.0, "grid2 satisfaction_rate");
  expect_rate(g2.at("rework_rate"), 0.5, "grid2 rework_rate");
  expect_rate(g2.at("closed_in_grid_share"), 0.0, "grid2 grid share");
  expect_rate(g2.at("closed_in_community_share"), 1.0, "grid2 community share");
  expect_rate(g2.at("avg_handling_working_hours"), 1.25, "grid2 avg hours");  // 150 / 2 min

  const auto& cats = s.at("by_category").as_array();
  ASSERT_EQ(cats.size(), 2u);
  EXPECT_EQ(cats[0].at("category").at("name"), "市容环境");  // A, B, E, F
  EXPECT_EQ(cats[0].at("received").as_int64(), 4);
  EXPECT_EQ(cats[0].at("closed").as_int64(), 3);
  expect_rate(cats[0].at("on_time_rate"), 2.0 / 3.0, "市容环境 on_time_rate");
  expect_rate(cats[0].at("satisfaction_rate"), 1.0, "市容环境 satisfaction_rate");
  EXPECT_EQ(cats[1].at("category").at("name"), "公用设施");  // C, D, G
  EXPECT_EQ(cats[1].at("received").as_int64(), 3);
  EXPECT_EQ(cats[1].at("closed").as_int64(), 1);
  expect_rate(cats[1].at("on_time_rate"), 1.0, "公用设施 on_time_rate");
  expect_rate(cats[1].at("satisfaction_rate"), 0.0, "公用设施 satisfaction_rate");
}

TEST_F(CaseStats, StreetSeesEveryCommunityAndEmptyRatesAreNull) {
  build();
  const json::value s = stats("street_admin", window());  // default area: the street
  EXPECT_EQ(s.at("area").at("id").as_int64(), w.street);
  EXPECT_EQ(s.at("received").as_int64(), 8);  // A–H
  const auto& children = s.at("by_child").as_array();
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].at("area").at("id").as_int64(), w.bachang);
  EXPECT_EQ(children[0].at("received").as_int64(), 7);
  EXPECT_EQ(children[1].at("area").at("id").as_int64(), w.wenfeng);
  EXPECT_EQ(children[1].at("received").as_int64(), 1);
  // 文峰 closed nothing: every rate over closed, rated or handled cases is null.
  for (const char* k : {"on_time_rate", "satisfaction_rate", "rework_rate", "closed_in_grid_share",
                        "closed_in_community_share", "avg_handling_working_hours"}) {
    EXPECT_TRUE(children[1].at(k).is_null()) << k;
  }
  // An empty window: zeros and nulls, no children with cases.
  const json::value empty = stats("street_admin", "from=" + std::to_string(cst(2025, 1, 1, 0)) +
                                                      "&to=" + std::to_string(cst(2025, 2, 1, 0)));
  EXPECT_EQ(empty.at("received").as_int64(), 0);
  EXPECT_TRUE(empty.at("on_time_rate").is_null());
  EXPECT_TRUE(empty.at("by_category").as_array().empty());
}

TEST_F(CaseStats, DefaultWindowIsTheLastYearInWholeLocalDays) {
  build();
  cases::testing::set_now(cst(2026, 3, 5, 12));
  const json::value s = stats("bachang_worker", "");
  EXPECT_EQ(s.at("area").at("id").as_int64(), w.bachang);
  // Up to the end of today (local time), so the rollups answer it without reading cases.
  EXPECT_EQ(s.at("to").as_int64(), cst(2026, 3, 6, 0));
  EXPECT_EQ(s.at("from").as_int64(), cst(2026, 3, 6, 0) - 365LL * 24 * 3'600'000);
  EXPECT_EQ(s.at("received").as_int64(), 8);  // A–G and J
}

TEST_F(CaseStats, ScopeDecidesWhatCanBeRead) {
  build();
  // 文峰's worker cannot read 八厂, nor a grid of it: as if it did not exist.
  stats("wenfeng_worker", "area=" + std::to_string(w.bachang), 404);
  stats("wenfeng_worker", "area=" + std::to_string(w.grid1), 404);
  stats("suyang_worker", "area=" + std::to_string(w.street), 404);
  stats("bachang_worker", "area=999999", 404);
  // grid1's worker sees grid1 only, by default and when asked.
  const json::value g = stats("grid1_worker", window());
  EXPECT_EQ(g.at("area").at("id").as_int64(), w.grid1);
  EXPECT_EQ(g.at("received").as_int64(), 4);
  EXPECT_TRUE(g.at("by_child").as_array().empty());
  stats("grid1_worker", "area=" + std::to_string(w.grid2), 404);
  stats("grid1_worker", "area=" + std::to_string(w.bachang), 404);
  // The party secretary of 八厂 reads it; a handler has no viewing role.
  EXPECT_EQ(stats("party1", window()).at("received").as_int64(), 7);
  stats("handler1", "", 403);
  EXPECT_EQ(app.client().get("/api/v1/stats/cases").status, 401);
}

// The response has every field docs/openapi.json requires, at each level.
TEST_F(CaseStats, ResponseHasTheDocumentedFields) {
  build();
  const json::value doc = app.client().get("/api/v1/openapi.json").json();
  const json::value& schema = doc.at("paths")
                                  .at("/api/v1/stats/cases")
                                  .at("get")
                                  .at("responses")
                                  .at("200")
                                  .at("content")
                                  .at("application/json")
                                  .at("schema");
  const json::value s = stats("bachang_worker", window());
  auto check = [](const json::value& sch, const json::value& v, const std::string& where) {
    for (const auto& key : sch.at("required").as_array())
      EXPECT_TRUE(v.as_object().contains(key.as_string())) << where << " lacks " << key;
  };
  check(schema, s, "stats");
  check(schema.at("properties").at("by_child").at("items"), s.at("by_child").as_array().at(0),
        "by_child");
  check(schema.at("properties").at("by_category").at("items"), s.at("by_category").as_array().at(0),
        "by_category");
}

TEST_F(CaseStats, BadParametersAre400) {
  stats("bachang_worker", "from=abc", 400);
  stats("bachang_worker", "to=-5", 400);
  stats("bachang_worker", "area=0", 400);
  stats("bachang_worker", "from=2000&to=1000", 400);
  stats("bachang_worker", "from=1000&to=1000", 400);
}

// GET /api/v1/stats/cases/open-by-grid: the map colours each grid by its running cases,
// whenever they were reported; closed, rejected and merged cases are not running.
TEST_F(CaseStats, OpenCasesPerGridForTheMap) {
  build();
  auto open_of = [](const json::value& body) {
    std::map<std::int64_t, std::int64_t> open;
    for (const auto& item : body.at("items").as_array())
      open[item.at("grid").at("id").as_int64()] = item.at("open").as_int64();
    return open;
  };
  auto get = [&](const std::string& user, const std::string& query, int expect) {
    auto res = app.as(user).get("/api/v1/stats/cases/open-by-grid" + query);
    EXPECT_EQ(res.status, expect) << user << query << " → " << res.body;
    return res.status == 200 ? res.json() : json::value();
  };
  // 八厂 (the worker's own community): grid1 has F and J reported, grid2 has D reopened.
  const json::value bachang = get("bachang_worker", "", 200);
  EXPECT_EQ(bachang.at("area").at("id").as_int64(), w.bachang);
  EXPECT_EQ(open_of(bachang), (std::map<std::int64_t, std::int64_t>{{w.grid1, 2}, {w.grid2, 1}}));
  // The street admin sees every grid of the street, 文峰's grid3 with H included; a grid
  // with no cases is listed with zero.
  const auto street = open_of(get("street_admin", "", 200));
  EXPECT_EQ(street.at(w.grid1), 2);
  EXPECT_EQ(street.at(w.grid3), 1);
  EXPECT_FALSE(street.contains(w.grid4));  // another street
  EXPECT_EQ(open_of(get("street_admin", "?area=" + std::to_string(w.grid2), 200)),
            (std::map<std::int64_t, std::int64_t>{{w.grid2, 1}}));
  // Out of scope is 404, a handler has no viewing role, bad input is a field error.
  get("grid1_worker", "?area=" + std::to_string(w.grid2), 404);
  get("bachang_worker", "?area=" + std::to_string(w.wenfeng), 404);
  get("handler1", "", 403);
  const json::value bad =
      app.as("bachang_worker").get("/api/v1/stats/cases/open-by-grid?area=x").json();
  EXPECT_EQ(bad.at("errors").as_array().at(0).at("field").as_string(), "area");
  EXPECT_EQ(app.client().get("/api/v1/stats/cases/open-by-grid").status, 401);
}

// The indicators come from rollups kept in step with every case write; here
// a seeded random mix of actions (every action the API offers, merges, a
// reopening rating, reworks, supervision escalating overdue cases) over ten
// days, then rollups against a scan of the cases for several areas and
// windows (whole days, partial days at either end, inside one day), and the
// rollup table against one rebuilt from scratch.
class CaseStatsRollups : public CaseStats {
 protected:
  std::mt19937_64 rng{20261203};
  std::vector<std::int64_t> ids;
  std::int64_t clock = cst(2026, 2, 26, 7, 50);  // the story crosses into March
  int done = 0;

  std::int64_t pick(std::int64_t n) {
    return std::uniform_int_distribution<std::int64_t>(0, n - 1)(rng);
  }

  void file() {
    static const std::vector<std::string> codes = {"SR01", "SR02", "GY01", "GY03",
                                                   "LL01", "TF01", "SR",   "AQ01"};
    const std::vector<std::int64_t> grids = {w.grid1, w.grid2, w.grid3};
    cases::testing::set_now(clock);
    auto res = app.as("street_admin")
                   .post("/api/v1/cases", json::object{{"title", "随机工单"},
                                                       {"category_id", category(codes[pick(8)])},
                                                       {"grid_id", grids[pick(3)]}});
    ASSERT_EQ(res.status, 201) << res.body;
    ids.push_back(res.json().at("id").as_int64());
  }

  json::object body_for(const std::string& action) {
    json::object b{{"action", action}};
    if (action == "reject" || action == "return") b["reason"] = "不属于本单位职责";
    if (action == "merge") b["into_case_id"] = ids[pick(static_cast<std::int64_t>(ids.size()))];
    if (action == "handle") {
      b["note"] = "已处理完毕";
      b["photo_ids"] = json::array{json::string(app.upload_photo("street_admin"))};
    }
    if (action == "verify") b["passed"] = pick(3) != 0;
    if (action == "rate") {
      static const char* ratings[] = {"satisfied", "basically_satisfied", "dissatisfied"};
      b["rating"] = ratings[pick(3)];
    }
    if (action == "escalate" || action == "supervise" || action == "comment")
      b["note"] = "请尽快处理";
    if (action == "extend") {
      b["days"] = 1;
      b["reason"] = "需要采购材料";
    }
    if (action == "extend_decision") b["approved"] = pick(2) == 0;
    return b;
  }

  void act_on_one() {
    const std::string url = "/api/v1/cases/" + std::to_string(ids[pick(ids.size())]);
    cases::testing::set_now(clock);
    auto read = app.as("street_admin").get(url);
    ASSERT_EQ(read.status, 200) << url << " → " << read.body;
    const json::value got = read.json();
    const auto& allowed = got.at("allowed_actions").as_array();
    if (allowed.empty()) return;
    // Mostly the next step of the loop, so cases get closed, rated, reworked and reopened.
    std::vector<std::string> offered, forward;
    for (const auto& a : allowed) {
      offered.emplace_back(a.as_string());
      if (std::string_view("accept dispatch start handle verify close rate").find(offered.back()) !=
          std::string_view::npos)
        forward.push_back(offered.back());
    }
    const auto& from = !forward.empty() && pick(4) != 0 ? forward : offered;
    const std::string action = from[pick(from.size())];
    auto res = app.as("street_admin").post(url + "/actions", body_for(action));
    // Some offered actions are refused by their own rules (a merge into a case merged
    // meanwhile, escalating a case at street level): a refusal changes nothing.
    if (res.status == 400 || res.status == 409) return;
    ASSERT_EQ(res.status, 200) << action << " → " << res.body;
    ++done;
  }

  void run_story(int steps) {
    for (int i = 0; i < steps; ++i) {
      clock += (1 + pick(90)) * 60'000LL;  // up to 90 min between steps: about eight days
      if (ids.size() < 3 || pick(7) == 0) {
        file();
      } else {
        act_on_one();
      }
      if (i % 25 == 24) cases::CaseService(app.app()).run_supervision_once(clock);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

  cases::store::PathRange range_of(std::int64_t area) {
    const std::string path = app.app().db->read([&](db::Conn& c) {
      return c.query_one("SELECT path FROM areas WHERE id = $1", {area})->text(0);
    });
    return {path, auth::subtree_end(path)};
  }

  // The end of the local day holding `clock`, where the default window ends.
  std::int64_t end_of_today() const {
    constexpr std::int64_t kDay = 24 * 3'600'000LL, kOffset = 8 * 3'600'000LL;
    return ((clock + kOffset) / kDay + 1) * kDay - kOffset;
  }

  using Windows = std::vector<std::pair<std::int64_t, std::int64_t>>;
  Windows windows() {
    Windows out = {
        {cst(2026, 2, 26, 0), cst(2026, 3, 20, 0)},        // whole days only
        {cst(2026, 3, 2, 13, 17), cst(2026, 3, 7, 9, 5)},  // partial days at both ends
        {cst(2026, 3, 4, 9), cst(2026, 3, 4, 15, 30)},     // inside one day
        {cst(2026, 3, 3, 0), cst(2026, 3, 5, 16)},         // whole start, partial end
        {clock - 365LL * 24 * 3'600'000, clock},           // the default window
        {cst(2026, 3, 1, 0), cst(2026, 4, 1, 0)},          // one whole month
        {cst(2026, 1, 1, 0), cst(2026, 3, 4, 0)},          // whole months, then whole days
        {cst(2026, 2, 25, 0), cst(2026, 5, 1, 0)},         // whole days, then whole months
        {cst(2026, 2, 26, 6, 40), cst(2026, 3, 3, 22)},    // across the month, partial ends
        {cst(2026, 2, 3, 0), end_of_today()},              // a month less its first days
        {cst(2026, 1, 20, 0), end_of_today()},             // whole days, a month taken whole
        {cst(2026, 3, 3, 0), end_of_today()},  // this month less its two first days, with cases
        {cst(2026, 2, 27, 0), end_of_today() + 40LL * 24 * 3'600'000},  // past today
    };
    for (int i = 0; i < 5; ++i) {
      const std::int64_t from = cst(2026, 2, 24, 0) + pick(12 * 24 * 60) * 60'000LL;
      out.push_back({from, from + (1 + pick(6 * 24 * 60)) * 60'000LL});
    }
    return out;
  }

  using Figures = std::vector<cases::store::StatsParts>;
  // Rollup figures for every area and window, each checked against the scan.
  Figures rolled_up_and_checked(const Windows& ws) {
    Figures out;
    for (std::int64_t area : {w.city, w.street, w.bachang, w.wenfeng, w.grid1, w.grid3}) {
      const cases::store::PathRange range = range_of(area);
      for (auto [from, to] : ws) {
        auto [rolled, scanned] = app.app().db->read([&](db::Conn& c) {
          return std::pair{cases::store::stats(c, area, range, from, to, clock),
                           cases::store::scan_stats(c, area, range, from, to)};
        });
        const std::string where = "area " + std::to_string(area) + " [" + std::to_string(from) +
                                  ", " + std::to_string(to) + ")";
        EXPECT_EQ(rolled.total, scanned.total) << where;
        EXPECT_EQ(rolled.by_child, scanned.by_child) << where;
        EXPECT_EQ(rolled.by_category, scanned.by_category) << where;
        out.push_back(std::move(rolled));
      }
    }
    return out;
  }

  // The API's figures (GET /api/v1/stats/cases as `user` over `area`) against a scan of the cases.
  void expect_api_agrees_with_scan(const std::string& user, std::int64_t area, std::int64_t from,
                                   std::int64_t to, const std::string& when) {
    const json::value api =
        stats(user, "area=" + std::to_string(area) + "&from=" + std::to_string(from) +
                        "&to=" + std::to_string(to));
    const cases::store::PathRange range = range_of(area);
    const cases::store::StatsParts scan = app.app().db->read(
        [&](db::Conn& c) { return cases::store::scan_stats(c, area, range, from, to); });
    const std::string where = when + ", area " + std::to_string(area) + " [" +
                              std::to_string(from) + ", " + std::to_string(to) + ")";
    auto same = [&](const json::value& got, const cases::Counts& want, const std::string& what) {
      EXPECT_EQ(got.at("received").as_int64(), want.received) << what << " " << where;
      EXPECT_EQ(got.at("accepted").as_int64(), want.accepted) << what << " " << where;
      EXPECT_EQ(got.at("closed").as_int64(), want.closed) << what << " " << where;
      EXPECT_EQ(got.at("on_time_closed").as_int64(), want.on_time_closed) << what << " " << where;
      EXPECT_EQ(got.at("rated").as_int64(), want.rated) << what << " " << where;
    };
    same(api, scan.total, "total");
    const json::array& children = api.at("by_child").as_array();
    ASSERT_EQ(children.size(), scan.by_child.size()) << where;
    for (std::size_t i = 0; i < children.size(); ++i) {
      EXPECT_EQ(children[i].at("area").at("id").as_int64(), scan.by_child[i].area.id) << where;
      same(children[i], scan.by_child[i].counts, "child " + scan.by_child[i].area.name);
    }
    const json::array& categories = api.at("by_category").as_array();
    ASSERT_EQ(categories.size(), scan.by_category.size()) << where;
    for (std::size_t i = 0; i < categories.size(); ++i) {
      EXPECT_EQ(categories[i].at("received").as_int64(), scan.by_category[i].counts.received)
          << where;
      EXPECT_EQ(categories[i].at("closed").as_int64(), scan.by_category[i].counts.closed) << where;
    }
  }

  std::vector<std::string> rollup_rows() {
    return app.app().db->read([](db::Conn& c) {
      std::vector<std::string> rows;
      for (const db::Row& r :
           c.query("SELECT * FROM case_rollups ORDER BY path, tier, period, category_id")) {
        std::string line = r.text(0) + " " + r.text(1);
        for (std::size_t i = 2; i < 16; ++i) line += " " + std::to_string(r.i64(i));
        rows.push_back(line);
      }
      return rows;
    });
  }
};

// The server keeps the rollup rows it read in memory (StatsCache): a case of a
// month long past that moves must change the figures at once, through the
// cached months of every area on its path, on whichever write path moves it.
TEST_F(CaseStatsRollups, CachedFiguresFollowACaseOfAnOldMonth) {
  run_story(120);
  ASSERT_FALSE(HasFatalFailure());
  const std::int64_t feb = cst(2026, 2, 1, 0), may = cst(2026, 5, 1, 0);
  const std::int64_t year_back = end_of_today() - 365LL * 24 * 3'600'000;
  auto check = [&](const std::string& when) {
    // Whole months (February and March), the default window, a window starting mid-February.
    expect_api_agrees_with_scan("admin", w.city, feb, may, when);
    expect_api_agrees_with_scan("admin", w.district, year_back, end_of_today(), when);
    expect_api_agrees_with_scan("street_admin", w.street, cst(2026, 2, 27, 0), end_of_today(),
                                when);
    expect_api_agrees_with_scan("street_admin", w.bachang, feb, may, when);
  };
  check("first read");
  check("read again");  // now from the cache

  // A case filed late, dated in February (a day already cached), then moved on in March.
  const std::int64_t march = clock;
  clock = cst(2026, 2, 27, 10);
  file();
  ASSERT_FALSE(HasFatalFailure());
  const std::string late = "/api/v1/cases/" + std::to_string(ids.back());
  cases::testing::set_now(clock = march);
  check("after filing into February");
  cases::testing::set_now(clock += 60'000);
  auto res = app.as("street_admin").post(late + "/actions", json::object{{"action", "accept"}});
  ASSERT_EQ(res.status, 200) << res.body;
  check("after accepting the February case in March");
  // February cases of the story moved on now, each step changing what they count as.
  int moved = 0;
  for (std::int64_t id : ids) {
    const std::string url = "/api/v1/cases/" + std::to_string(id);
    const json::value c = app.as("street_admin").get(url).json();
    if (c.at("created_at").as_int64() >= cst(2026, 3, 1, 0)) continue;
    const std::string status(c.at("status").as_string());
    json::object body;
    if (status == "reported") body = {{"action", "accept"}};
    if (status == "verified") body = {{"action", "close"}};
    if (status == "in_progress") body = body_for("handle");
    if (body.empty()) continue;
    cases::testing::set_now(clock += 60'000);
    auto res = app.as("street_admin").post(url + "/actions", body);
    ASSERT_EQ(res.status, 200) << url << " " << res.body;
    check("after moving February case " + std::to_string(id) + " on from " + status);
    ++moved;
  }
  EXPECT_GT(moved, 0);
  // A rebuild forgets everything kept: a rating written behind the service's
  // back shows once the rollups are rebuilt.
  const std::int64_t rated = app.app().db->write([&](db::Conn& c) {
    const std::int64_t n = c.exec(
        "UPDATE cases SET rating = 'satisfied' WHERE id = (SELECT MIN(id) FROM cases"
        " WHERE rating IS NULL AND created_at < $1)",
        {cst(2026, 3, 1, 0)});
    cases::store::rebuild_rollups(c);
    return n;
  });
  EXPECT_EQ(rated, 1);
  check("after a rebuild");
}

TEST_F(CaseStatsRollups, AgreeWithAScanAfterRandomActionsAndSurviveARebuild) {
  run_story(260);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_GT(done, 120);
  const Windows ws = windows();
  const Figures before = rolled_up_and_checked(ws);
  // The story covers what the counters count: every case, closes, ratings, reworks.
  const cases::store::StatsParts& all = before.at(0);  // the city, whole days
  EXPECT_EQ(all.total.received, static_cast<std::int64_t>(ids.size()));
  EXPECT_GT(all.total.closed, 0);
  EXPECT_GT(all.total.on_time_closed, 0);
  EXPECT_GT(all.total.rated, 0);
  EXPECT_GT(all.total.reworked, 0);
  EXPECT_GT(all.total.closed_in_community, 0);
  EXPECT_GT(all.total.handling_cases, 0);
  // The API answers from the same rollups.
  const json::value api = stats("street_admin", "from=" + std::to_string(ws[1].first) +
                                                    "&to=" + std::to_string(ws[1].second));
  EXPECT_EQ(api.at("received").as_int64(), before.at(ws.size() + 1).total.received);
  EXPECT_EQ(api.at("closed").as_int64(), before.at(ws.size() + 1).total.closed);

  const std::vector<std::string> kept = rollup_rows();
  EXPECT_FALSE(kept.empty());
  // The story crosses from February into March: the city has a month row for each.
  const std::int64_t city_months = app.app().db->read([&](db::Conn& c) {
    return c
        .query_one(
            "SELECT COUNT(DISTINCT r.period) FROM case_rollups r JOIN areas a"
            " ON a.path = r.path WHERE a.id = $1 AND r.tier = 'month'",
            {w.city})
        ->i64(0);
  });
  EXPECT_EQ(city_months, 2);
  app.app().db->write([](db::Conn& c) { cases::store::rebuild_rollups(c); });
  EXPECT_EQ(rollup_rows(), kept);
  const Figures after = rolled_up_and_checked(ws);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].total, before[i].total) << i;
    EXPECT_EQ(after[i].by_child, before[i].by_child) << i;
    EXPECT_EQ(after[i].by_category, before[i].by_category) << i;
  }
}

}  // namespace
}  // namespace cg::test
