// Volunteers and the points bank through the HTTP API, on the seeded World:
// residents of 八厂 grid1 register, bachang_worker (community worker, holds
// volunteers.manage over 八厂) approves and organizes; wenfeng_worker and
// suyang_worker are out of scope. The service clock is pinned
// (volunteers::testing::set_now) so QR windows and deadlines are exact.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "app/app.hpp"
#include "core/pii.hpp"
#include "db/db.hpp"
#include "modules/volunteers/service.hpp"
#include "support/fixtures.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

constexpr std::int64_t kT0 = 1'790'000'000'000;  // 2026-09-21, a fixed "now"
constexpr std::int64_t kHour = 3'600'000;

class VolunteerApi : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();
  Client manager = app.as("bachang_worker");

  void SetUp() override { volunteers::testing::set_now(kT0); }
  void TearDown() override { volunteers::testing::set_now(std::nullopt); }
  void at(std::int64_t ms) { volunteers::testing::set_now(ms); }

  std::int64_t count(const std::string& sql) { return scalar(app, sql); }

  // A resident of grid1 (not head of household) signs in by SMS code.
  Resident resident(const std::string& phone, const std::string& name) {
    return sign_in_resident(app, manager, phone, name, {{"relation", "other"}, {"id_number", ""}});
  }

  // Registers and approves a resident volunteer; returns the volunteer id.
  std::int64_t volunteer(Resident& r) {
    auto reg = r.post("/api/v1/volunteers/register",
                      {{"skills", {"急救", "助老"}}, {"available_times", "周末"}});
    EXPECT_EQ(reg.status, 201) << reg.body;
    const std::int64_t id = reg.json().at("id").as_int64();
    auto ok = manager.post("/api/v1/volunteers/" + std::to_string(id) + "/decision",
                           {{"decision", "approve"}});
    EXPECT_EQ(ok.status, 200) << ok.body;
    return id;
  }

  std::int64_t team() {
    auto t =
        manager.post("/api/v1/volunteer-teams",
                     {{"name", "八厂志愿服务队"}, {"kind", "community"}, {"area_id", w.bachang}});
    if (t.status == 409) {
      return app.app().db->read(
          [&](db::Conn& c) { return c.query_one("SELECT id FROM volunteer_teams")->i64(0); });
    }
    EXPECT_EQ(t.status, 201) << t.body;
    return t.json().at("id").as_int64();
  }

  // A published activity from `start` for `hours`, capacity `capacity`.
  std::int64_t activity(std::int64_t start, int hours, int capacity,
                        const std::string& title = "敬老院陪伴") {
    auto a = manager.post("/api/v1/volunteer-activities", {{"team_id", team()},
                                                           {"title", title},
                                                           {"venue", "八厂社区敬老院"},
                                                           {"lat", 32.0},
                                                           {"lng", 120.9},
                                                           {"start_at", start},
                                                           {"end_at", start + hours * kHour},
                                                           {"capacity", capacity},
                                                           {"points_per_hour", 10},
                                                           {"points_cap", 100}});
    EXPECT_EQ(a.status, 201) << a.body;
    const std::int64_t id = a.json().at("id").as_int64();
    auto p = manager.post("/api/v1/volunteer-activities/" + std::to_string(id) + "/actions",
                          {{"action", "publish"}});
    EXPECT_EQ(p.status, 200) << p.body;
    return id;
  }

  std::string path(std::int64_t activity, const std::string& tail = "") {
    return "/api/v1/volunteer-activities/" + std::to_string(activity) + tail;
  }

  std::string qr(std::int64_t activity) {
    auto res = manager.get(path(activity, "/qr"));
    EXPECT_EQ(res.status, 200) << res.body;
    return str(res.json().at("token"));
  }

  // The organizer checks `volunteer_id` in and out by hand (the clock set to
  // `out`); returns the attendance record id.
  std::int64_t attend(std::int64_t activity, std::int64_t volunteer_id, std::int64_t in,
                      std::int64_t out) {
    at(out);
    auto i = manager.post(path(activity, "/attendance"),
                          {{"volunteer_id", volunteer_id}, {"action", "check_in"}, {"at", in}});
    EXPECT_EQ(i.status, 200) << i.body;
    auto o = manager.post(path(activity, "/attendance"),
                          {{"volunteer_id", volunteer_id}, {"action", "check_out"}, {"at", out}});
    EXPECT_EQ(o.status, 200) << o.body;
    return o.json().at("id").as_int64();
  }

  // The caller's notifications of `kind` (GET /api/v1/notifications).
  std::vector<json::object> notices_of(Resident& r, const std::string& kind) {
    auto res = r.get("/api/v1/notifications?limit=100");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<json::object> out;
    for (const auto& n : res.json().at("items").as_array())
      if (str(n.at("kind")) == kind) out.push_back(n.as_object());
    return out;
  }

  // Accounts whose balance is not the sum of their movements, and
  // volunteer or shop accounts below zero: both must stay 0.
  std::int64_t unbalanced_accounts() {
    return count(
        "SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> (SELECT COALESCE(SUM(CASE "
        "WHEN p.to_account = a.id THEN p.amount ELSE -p.amount END), 0) FROM points_transfers p "
        "WHERE p.to_account = a.id OR p.from_account = a.id) OR (a.kind <> 'pool' AND a.balance "
        "< 0)");
  }

  // The volunteer's own card: verified hours and points balance.
  std::pair<double, std::int64_t> card(Resident& r) {
    auto me = r.get("/api/v1/volunteers/me");
    EXPECT_EQ(me.status, 200) << me.body;
    return {me.json().at("verified_hours").to_number<double>(),
            me.json().at("points_balance").as_int64()};
  }
};

TEST_F(VolunteerApi, WholePathFromRegistrationToCertificate) {
  Resident wang = resident("13951300081", "王坚");
  Resident li = resident("13951300082", "李梅");
  Resident zhao = resident("13951300083", "赵兰");

  // Register → pending → approved with a volunteer number.
  auto reg = wang.post("/api/v1/volunteers/register", {{"skills", {"急救"}}});
  ASSERT_EQ(reg.status, 201) << reg.body;
  EXPECT_EQ(reg.json().at("status"), "pending");
  EXPECT_TRUE(reg.json().at("number").is_null());
  const std::int64_t wang_id = reg.json().at("id").as_int64();
  EXPECT_EQ(app.as("wenfeng_worker")
                .post("/api/v1/volunteers/" + std::to_string(wang_id) + "/decision",
                      {{"decision", "approve"}})
                .status,
            404);
  auto approved = manager.post("/api/v1/volunteers/" + std::to_string(wang_id) + "/decision",
                               {{"decision", "approve"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json().at("status"), "approved");
  const std::int64_t wang_number = approved.json().at("number").as_int64();
  const std::int64_t li_id = volunteer(li);
  const std::int64_t zhao_id = volunteer(zhao);
  (void)zhao_id;

  // Sign up: capacity 1 → Wang confirmed, Li waitlisted; Wang cancels → Li moves up.
  const std::int64_t start = kT0 + 24 * kHour;
  const std::int64_t act = activity(start, 3, 1);
  auto s1 = wang.post(path(act, "/signup"));
  ASSERT_EQ(s1.status, 201) << s1.body;
  EXPECT_EQ(s1.json().at("status"), "confirmed");
  auto s2 = li.post(path(act, "/signup"));
  ASSERT_EQ(s2.status, 201) << s2.body;
  EXPECT_EQ(s2.json().at("status"), "waitlisted");
  EXPECT_EQ(s2.json().at("waitlist_position").as_int64(), 1);
  auto s3 = zhao.post(path(act, "/signup"));
  EXPECT_EQ(s3.json().at("waitlist_position").as_int64(), 2);
  ASSERT_EQ(wang.send("DELETE", path(act, "/signup"), nullptr).status, 200);
  auto list = manager.get(path(act, "/signups"));
  ASSERT_EQ(list.status, 200) << list.body;
  for (const auto& s : list.json().at("items").as_array()) {
    if (s.at("volunteer").at("id").as_int64() == li_id) {
      EXPECT_EQ(s.at("status"), "confirmed");
    }
  }
  auto li_notices = li.get("/api/v1/volunteers/me/notices");
  ASSERT_EQ(li_notices.status, 200);
  EXPECT_EQ(li_notices.json().at("items").as_array()[0].at("kind"), "waitlist_promoted");
  // Wang signs up again: the place is taken, so he queues behind Zhao.
  EXPECT_EQ(wang.post(path(act, "/signup")).json().at("status"), "waitlisted");

  // QR check-in 10 min after the start, checked out 2 h later (far from the venue).
  at(start + 10 * 60'000);
  auto in = li.post(path(act, "/scan"), {{"token", qr(act)}, {"lat", 32.05}, {"lng", 120.9}});
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json().at("direction"), "in");
  EXPECT_TRUE(in.json().at("far_flag").as_bool());  // ~5.5 km from the venue
  at(start + 2 * kHour + 10 * 60'000);
  auto out = li.post(path(act, "/scan"), {{"token", qr(act)}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(out.json().at("direction"), "out");
  EXPECT_EQ(out.json().at("minutes").as_int64(), 120);
  const std::int64_t rec = out.json().at("id").as_int64();

  // Verify → points posted once (120 min × 10/h = 20).
  auto v = manager.post("/api/v1/volunteer-attendance/" + std::to_string(rec) + "/verify",
                        {{"decision", "approve"}});
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.json().at("points").as_int64(), 20);
  EXPECT_EQ(manager
                .post("/api/v1/volunteer-attendance/" + std::to_string(rec) + "/verify",
                      {{"decision", "approve"}})
                .status,
            409);

  // Gift: redeem with a pick-up code, hand over at the desk.
  auto gift = manager.post(
      "/api/v1/volunteer-gifts",
      {{"area_id", w.bachang}, {"name", "洗衣液"}, {"points_price", 15}, {"stock", 3}});
  ASSERT_EQ(gift.status, 201) << gift.body;
  const std::string gift_path =
      "/api/v1/volunteer-gifts/" + std::to_string(gift.json().at("id").as_int64());
  auto red = li.post(gift_path + "/redeem", {{"quantity", 1}});
  ASSERT_EQ(red.status, 201) << red.body;
  const std::string code = str(red.json().at("pickup_code"));
  const std::string red_path =
      "/api/v1/volunteer-redemptions/" + std::to_string(red.json().at("id").as_int64());
  EXPECT_EQ(manager.post(red_path + "/hand-over", {{"pickup_code", "00000000"}}).status, 400);
  auto handed = manager.post(red_path + "/hand-over", {{"pickup_code", code}});
  ASSERT_EQ(handed.status, 200) << handed.body;
  EXPECT_EQ(handed.json().at("status"), "completed");

  // Passbook: +20 then −15, running balance 20 → 5.
  auto book = li.get("/api/v1/volunteers/me/passbook");
  ASSERT_EQ(book.status, 200) << book.body;
  const auto& lines = book.json().at("lines").as_array();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("points").as_int64(), 20);
  EXPECT_EQ(lines[0].at("balance").as_int64(), 20);
  EXPECT_EQ(lines[0].at("description"), "敬老院陪伴");
  EXPECT_EQ(lines[0].at("verified_hours").as_double(), 2.0);
  EXPECT_EQ(lines[1].at("points").as_int64(), -15);
  EXPECT_EQ(lines[1].at("balance").as_int64(), 5);
  EXPECT_EQ(book.json().at("balance").as_int64(), 5);
  // Every balance equals the sum of its movements.
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> "
                  "(SELECT COALESCE(SUM(CASE WHEN p.to_account = a.id THEN p.amount ELSE "
                  "-p.amount END), 0) FROM points_transfers p WHERE p.to_account = a.id OR "
                  "p.from_account = a.id)"),
            0);

  // Certificate, verifiable by number without signing in.
  auto cert = li.post("/api/v1/volunteers/me/certificates");
  ASSERT_EQ(cert.status, 201) << cert.body;
  EXPECT_EQ(cert.json().at("total_hours").as_double(), 2.0);
  auto check = app.client().get("/api/v1/volunteer-certificates/" + str(cert.json().at("number")));
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.json().at("name"), "李梅");
  EXPECT_EQ(check.json().at("record_count").as_int64(), 1);
  EXPECT_EQ(app.client().get("/api/v1/volunteer-certificates/ZYFW20260101XXXXXXXX").status, 404);

  // Rankings of 八厂 for the month: Li first with 2 h.
  auto rank = manager.get("/api/v1/volunteer-rankings?area=" + std::to_string(w.bachang) +
                          "&period=month&by=hours&date=2026-09-22");
  ASSERT_EQ(rank.status, 200) << rank.body;
  ASSERT_EQ(rank.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(rank.json().at("items").as_array()[0].at("volunteer_id").as_int64(), li_id);
  EXPECT_GT(wang_number, 0);
}

TEST_F(VolunteerApi, RefusalsChangeNothing) {
  Resident a = resident("13951300091", "周一");
  Resident b = resident("13951300092", "吴二");
  volunteer(a);
  volunteer(b);
  const std::int64_t start = kT0 + 48 * kHour;
  const std::int64_t act = activity(start, 2, 5);
  const std::int64_t overlapping = activity(start + kHour, 2, 5, "垃圾分类宣传");
  ASSERT_EQ(a.post(path(act, "/signup")).status, 201);
  // Double booking and signing up twice.
  auto clash = a.post(path(overlapping, "/signup"));
  EXPECT_EQ(clash.status, 409);
  EXPECT_EQ(str(clash.json().at("type")), "/problems/double-booking");
  EXPECT_EQ(a.post(path(act, "/signup")).status, 409);
  // Over capacity: a one-place activity, second one waitlisted, never confirmed.
  const std::int64_t small = activity(start + 10 * kHour, 1, 1, "楼道清扫");
  EXPECT_EQ(b.post(path(small, "/signup")).json().at("status"), "confirmed");
  EXPECT_EQ(a.post(path(small, "/signup")).json().at("status"), "waitlisted");
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_signups WHERE status = 'confirmed' AND "
                  "activity_id = " +
                  std::to_string(small)),
            1);

  // QR: forged, expired, replayed.
  at(start + 5 * 60'000);
  const std::string token = qr(act);
  EXPECT_EQ(a.post(path(act, "/scan"), {{"token", token + "0"}}).status, 422);
  at(start + 5 * 60'000 + 61'000);
  auto expired = a.post(path(act, "/scan"), {{"token", token}});
  EXPECT_EQ(expired.status, 422);
  EXPECT_EQ(str(expired.json().at("type")), "/problems/qr-expired");
  const std::string fresh = qr(act);
  ASSERT_EQ(a.post(path(act, "/scan"), {{"token", fresh}}).status, 200);
  auto replay = a.post(path(act, "/scan"), {{"token", fresh}});
  EXPECT_EQ(replay.status, 409);
  EXPECT_EQ(str(replay.json().at("type")), "/problems/qr-replayed");
  // Cancelling after the start is refused.
  EXPECT_EQ(a.send("DELETE", path(act, "/signup"), nullptr).status, 409);

  // Auto check-out 12 h after the end, at the end, flagged; idempotent pass.
  volunteers::VolunteerService sweeper(app.app(), PiiKey{});
  EXPECT_EQ(sweeper.run_once(start + 13 * kHour).auto_checked_out, 0);  // only 11 h after the end
  EXPECT_EQ(sweeper.run_once(start + 15 * kHour).auto_checked_out, 1);
  EXPECT_EQ(sweeper.run_once(start + 16 * kHour).auto_checked_out, 0);  // restart-safe: once
  auto tick = manager.get(path(act, "/attendance"));
  ASSERT_EQ(tick.status, 200);
  const auto& rec = tick.json().at("items").as_array()[0];
  EXPECT_EQ(rec.at("status"), "pending");
  EXPECT_TRUE(rec.at("auto_checkout_flag").as_bool());
  EXPECT_EQ(rec.at("check_out_at").as_int64(), start + 2 * kHour);
  EXPECT_EQ(rec.at("minutes").as_int64(), 113);  // in at 0:06:01, out at the end

  // Too few points, no stock.
  auto gift =
      manager.post("/api/v1/volunteer-gifts",
                   {{"area_id", w.bachang}, {"name", "大米"}, {"points_price", 50}, {"stock", 0}});
  ASSERT_EQ(gift.status, 201);
  const std::string gift_path =
      "/api/v1/volunteer-gifts/" + std::to_string(gift.json().at("id").as_int64());
  EXPECT_EQ(str(a.post(gift_path + "/redeem").json().at("type")), "/problems/out-of-stock");
  ASSERT_EQ(manager.send("PATCH", gift_path, "{\"stock\": 2}", "application/json").status, 200);
  auto poor = a.post(gift_path + "/redeem");
  EXPECT_EQ(poor.status, 409);
  EXPECT_EQ(str(poor.json().at("type")), "/problems/insufficient-points");
  EXPECT_EQ(count("SELECT stock FROM volunteer_gifts WHERE id = " +
                  std::to_string(gift.json().at("id").as_int64())),
            2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_redemptions"), 0);

  // Out of scope: 文峰 and 苏阳 workers see nothing of 八厂.
  Client wenfeng = app.as("suyang_worker");
  EXPECT_EQ(wenfeng.get(path(act)).status, 404);
  EXPECT_EQ(wenfeng.get(path(act, "/qr")).status, 404);
  EXPECT_EQ(wenfeng.get("/api/v1/volunteers").json().at("items").as_array().size(), 0u);
  EXPECT_EQ(wenfeng.post(gift_path + "/redeem", json::object{}).status, 404);
}

TEST_F(VolunteerApi, LedgerRowsCannotBeEditedOrDeletedAndPostingTwiceFails) {
  Resident a = resident("13951300101", "钱三");
  const std::int64_t vid = volunteer(a);
  auto adj = manager.post("/api/v1/points/adjustments",
                          {{"volunteer_id", vid}, {"points", 30}, {"reason", "纸质存折迁入"}});
  ASSERT_EQ(adj.status, 201) << adj.body;
  const std::int64_t id = adj.json().at("id").as_int64();
  EXPECT_EQ(manager
                .post("/api/v1/points/adjustments",
                      {{"volunteer_id", vid}, {"points", 10}, {"reason", ""}})
                .status,
            400);
  EXPECT_THROW(app.app().db->write([&](db::Conn& c) {
    c.exec("UPDATE points_transfers SET amount = 999 WHERE id = $1", {id});
  }),
               db::DbError);
  EXPECT_THROW(app.app().db->write([&](db::Conn& c) {
    c.exec("DELETE FROM points_transfers WHERE id = $1", {id});
  }),
               db::DbError);
  // A second posting with the same key is refused by the database.
  EXPECT_THROW(app.app().db->write([&](db::Conn& c) {
    for (int i = 0; i < 2; ++i)
      c.exec(
          "INSERT INTO points_transfers (at, from_account, to_account, amount, kind, "
          "posting_key) SELECT 1, from_account, to_account, 1, 'earn', 'earn:test' FROM "
          "points_transfers WHERE id = $1",
          {id});
  }),
               db::DbError);
  // Reversal is a new transfer; reversing twice is refused; taking more than
  // the balance is refused.
  auto rev = manager.post("/api/v1/points/transfers/" + std::to_string(id) + "/reverse",
                          {{"reason", "录入错误"}});
  ASSERT_EQ(rev.status, 201) << rev.body;
  EXPECT_EQ(manager
                .post("/api/v1/points/transfers/" + std::to_string(id) + "/reverse",
                      {{"reason", "再次冲正"}})
                .status,
            409);
  EXPECT_EQ(manager
                .post("/api/v1/points/adjustments",
                      {{"volunteer_id", vid}, {"points", -1}, {"reason", "扣减"}})
                .status,
            409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'points.%'"), 2);
}

TEST_F(VolunteerApi, ConcurrentRedemptionsOfTheLastItemAndConcurrentVerification) {
  constexpr int kThreads = 6;
  std::vector<Resident> people;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kThreads; ++i) {
    people.push_back(resident("1395130020" + std::to_string(i), "志愿者" + std::to_string(i)));
    ids.push_back(volunteer(people.back()));
    ASSERT_EQ(manager
                  .post("/api/v1/points/adjustments",
                        {{"volunteer_id", ids.back()}, {"points", 100}, {"reason", "测试"}})
                  .status,
              201);
  }
  auto gift = manager.post(
      "/api/v1/volunteer-gifts",
      {{"area_id", w.bachang}, {"name", "保温杯"}, {"points_price", 40}, {"stock", 1}});
  const std::string redeem =
      "/api/v1/volunteer-gifts/" + std::to_string(gift.json().at("id").as_int64()) + "/redeem";
  std::vector<int> status(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i)
      threads.emplace_back([&, i] { status[i] = people[i].post(redeem).status; });
  }
  EXPECT_EQ(std::count(status.begin(), status.end(), 201), 1);
  EXPECT_EQ(std::count(status.begin(), status.end(), 409), kThreads - 1);
  EXPECT_EQ(count("SELECT stock FROM volunteer_gifts"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers WHERE kind = 'redeem'"), 1);

  // Many organizers verify the same record at once: one posting.
  const std::int64_t start = kT0 + 24 * kHour;
  const std::int64_t act = activity(start, 2, 10);
  ASSERT_EQ(people[0].post(path(act, "/signup")).status, 201);
  at(start);
  ASSERT_EQ(
      manager.post(path(act, "/attendance"), {{"volunteer_id", ids[0]}, {"action", "check_in"}})
          .status,
      200);
  at(start + 2 * kHour);
  auto out =
      manager.post(path(act, "/attendance"), {{"volunteer_id", ids[0]}, {"action", "check_out"}});
  ASSERT_EQ(out.status, 200) << out.body;
  const std::string verify =
      "/api/v1/volunteer-attendance/" + std::to_string(out.json().at("id").as_int64()) + "/verify";
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i)
      threads.emplace_back([&, i] {
        Client c = app.as("bachang_worker");
        status[i] = c.post(verify, {{"decision", "approve"}}).status;
      });
  }
  EXPECT_EQ(std::count(status.begin(), status.end(), 200), 1);
  EXPECT_EQ(std::count(status.begin(), status.end(), 409), kThreads - 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers WHERE kind = 'earn'"), 1);
}

TEST_F(VolunteerApi, AVolunteerReadsTheirOwnCardWithHoursPointsAndStars) {
  Resident r = resident("13951300061", "季秀英");
  EXPECT_EQ(r.get("/api/v1/volunteers/me").status, 404);  // not registered yet
  const std::int64_t id = volunteer(r);
  auto me = r.get("/api/v1/volunteers/me");  // a read on the read-only connection
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("id").as_int64(), id);
  EXPECT_FALSE(me.json().at("number").is_null());
  EXPECT_EQ(me.json().at("points_balance").as_int64(), 0);
  EXPECT_EQ(me.json().at("stars").as_int64(), 0);
}

// ---- demo data -------------------------------------------------------------------

TEST_F(VolunteerApi, DemoDataCoversEveryActivityStatusAndTheLedgerBalances) {
  // Residents with phones in 八厂, from whom the demo draws its volunteers.
  for (int i = 0; i < 30; ++i) {
    auto made =
        manager.post("/api/v1/residents", {{"household_id", w.household_of_grid.at(w.grid1)},
                                           {"name", "志愿者" + std::to_string(i)},
                                           {"gender", i % 2 ? "female" : "male"},
                                           {"birth_date", i % 3 ? "1980-05-01" : "1958-03-12"},
                                           {"relation", "other"},
                                           {"residence_type", "registered"},
                                           {"id_number", ""},
                                           {"phone", "1395130" + std::to_string(1000 + i)}});
    ASSERT_EQ(made.status, 201) << made.body;
  }
  ASSERT_TRUE(volunteers::seed_demo(app.app(), 11, 40));

  std::set<std::string> statuses;
  app.app().db->read([&](db::Conn& c) {
    for (const auto& row : c.query("SELECT DISTINCT status FROM volunteer_activities"))
      statuses.insert(row.text(0));
  });
  for (const char* s : {"draft", "published", "running", "finished", "verified", "cancelled"})
    EXPECT_TRUE(statuses.count(s)) << s;
  EXPECT_GE(
      count("SELECT COUNT(*) FROM volunteer_teams WHERE area_id = " + std::to_string(w.bachang)),
      3);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteers WHERE status = 'approved'"), 20);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteers WHERE status = 'pending'"), 0);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteer_signups WHERE status = 'waitlisted'"), 0);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteer_attendance WHERE status = 'approved'"), 50);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteer_attendance WHERE check_in_method = 'qr'"), 50);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteer_redemptions WHERE status = 'completed'"), 0);
  EXPECT_GT(count("SELECT COUNT(*) FROM volunteer_certificates"), 0);

  // Double entry: each account's balance is the sum of its movements, and all
  // balances together are zero (what the pools issued is what the others hold).
  EXPECT_GT(count("SELECT COUNT(*) FROM points_transfers WHERE kind = 'earn'"), 50);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM points_accounts a WHERE a.balance <> "
            "COALESCE((SELECT SUM(amount) FROM points_transfers WHERE to_account = a.id), 0) "
            "- COALESCE((SELECT SUM(amount) FROM points_transfers WHERE from_account = a.id), "
            "0)"),
      0);
  EXPECT_EQ(count("SELECT COALESCE(SUM(balance), 0) FROM points_accounts"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_accounts WHERE kind <> 'pool' AND balance < 0"), 0);

  // A volunteer signs in and finds their passbook with a running balance.
  auto v = app.app().db->read([&](db::Conn& c) {
    return c
        .query_one(
            "SELECT v.id FROM volunteers v JOIN points_accounts a ON a.volunteer_id = "
            "v.id WHERE a.balance > 0 ORDER BY v.id LIMIT 1")
        ->i64(0);
  });
  auto book = manager.get("/api/v1/volunteers/" + std::to_string(v) + "/passbook");
  ASSERT_EQ(book.status, 200) << book.body;
  const auto& lines = book.json().at("lines").as_array();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().at("balance"), book.json().at("balance"));
}

TEST_F(VolunteerApi, BackfillApprovedCountsRejectedCountsNothingDecidedOnce) {
  Resident li = resident("13951300111", "孙梅");
  Resident zhao = resident("13951300112", "郑兰");
  const std::int64_t li_id = volunteer(li);
  const std::int64_t zhao_id = volunteer(zhao);
  const std::int64_t start = kT0 + 24 * kHour;
  const std::int64_t act = activity(start, 3, 5);
  ASSERT_EQ(li.post(path(act, "/signup")).status, 201);
  ASSERT_EQ(zhao.post(path(act, "/signup")).status, 201);
  const json::object claim{{"activity_id", act},
                           {"check_in_at", start},
                           {"check_out_at", start + 2 * kHour},
                           {"reason", "手机没电，未能扫码签到"}};

  // Before the end of the activity there is nothing to back-fill.
  at(start + kHour);
  EXPECT_EQ(li.post("/api/v1/volunteer-backfills", claim).status, 409);
  at(start + 4 * kHour);

  // Malformed input: field errors, nothing stored.
  auto bad = li.post("/api/v1/volunteer-backfills",
                     {{"activity_id", "x"}, {"check_in_at", -1}, {"reason", ""}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  std::set<std::string> fields;
  for (const auto& e : bad.json().at("errors").as_array()) fields.insert(str(e.at("field")));
  EXPECT_EQ(fields,
            (std::set<std::string>{"activity_id", "check_in_at", "check_out_at", "reason"}));
  json::object reversed = claim;
  reversed["check_out_at"] = start - kHour;
  auto order = li.post("/api/v1/volunteer-backfills", reversed);
  EXPECT_EQ(order.status, 400);
  EXPECT_EQ(str(order.json().at("errors").as_array()[0].at("field")), "check_out_at");
  json::object elsewhen = claim;
  elsewhen["check_in_at"] = start + 5 * kHour;
  elsewhen["check_out_at"] = start + 6 * kHour;
  auto outside = li.post("/api/v1/volunteer-backfills", elsewhen);
  EXPECT_EQ(outside.status, 400);
  EXPECT_EQ(str(outside.json().at("errors").as_array()[0].at("field")), "check_in_at");
  json::object blank = claim;
  blank["reason"] = "   ";
  EXPECT_EQ(li.post("/api/v1/volunteer-backfills", blank).status, 400);
  // For someone else: only an organizer may file for another volunteer.
  json::object for_zhao = claim;
  for_zhao["volunteer_id"] = zhao_id;
  EXPECT_EQ(li.post("/api/v1/volunteer-backfills", for_zhao).status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_backfills"), 0);

  // Li asks once; a second open request for the same activity is refused.
  auto asked = li.post("/api/v1/volunteer-backfills", claim);
  ASSERT_EQ(asked.status, 201) << asked.body;
  EXPECT_EQ(asked.json().at("status"), "pending");
  EXPECT_EQ(asked.json().at("volunteer").at("id").as_int64(), li_id);
  EXPECT_TRUE(asked.json().at("attendance_id").is_null());
  const std::string li_bf =
      "/api/v1/volunteer-backfills/" + std::to_string(asked.json().at("id").as_int64());
  auto again = li.post("/api/v1/volunteer-backfills", claim);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(str(again.json().at("type")), "/problems/backfill-pending");
  // Nothing counts while it waits.
  EXPECT_EQ(card(li), (std::pair<double, std::int64_t>{0.0, 0}));

  // The manager's list of pending requests; out of scope sees none and may not decide.
  auto pending = manager.get("/api/v1/volunteer-backfills?status=pending");
  ASSERT_EQ(pending.status, 200) << pending.body;
  ASSERT_EQ(pending.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(str(pending.json().at("items").as_array()[0].at("reason")), "手机没电，未能扫码签到");
  Client outsider = app.as("wenfeng_worker");
  EXPECT_EQ(outsider.get("/api/v1/volunteer-backfills?status=pending")
                .json()
                .at("items")
                .as_array()
                .size(),
            0u);
  EXPECT_EQ(outsider.post(li_bf + "/decision", {{"decision", "approve"}}).status, 404);
  EXPECT_EQ(app.as("suyang_worker")
                .post(li_bf + "/decision", {{"decision", "reject"}, {"note", "不"}})
                .status,
            404);
  // A volunteer may not decide their own request.
  EXPECT_EQ(li.post(li_bf + "/decision", {{"decision", "approve"}}).status, 404);
  auto nonsense = manager.post(li_bf + "/decision", {{"decision", "maybe"}});
  EXPECT_EQ(nonsense.status, 400);
  EXPECT_EQ(str(nonsense.json().at("errors").as_array()[0].at("field")), "decision");
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_backfills WHERE status = 'pending'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_attendance"), 0);

  // Approved: a verified record of 2 h and 20 points (10/h), once.
  auto ok =
      manager.post(li_bf + "/decision", {{"decision", "approve"}, {"note", "组织者确认在场"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("status"), "approved");
  ASSERT_FALSE(ok.json().at("attendance_id").is_null());
  EXPECT_EQ(card(li), (std::pair<double, std::int64_t>{2.0, 20}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_attendance WHERE check_in_method = 'backfill' "
                  "AND status = 'approved' AND verified_minutes = 120"),
            1);
  auto twice = manager.post(li_bf + "/decision", {{"decision", "approve"}});
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(manager.post(li_bf + "/decision", {{"decision", "reject"}, {"note", "重复"}}).status,
            409);
  EXPECT_EQ(card(li), (std::pair<double, std::int64_t>{2.0, 20}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers WHERE kind = 'earn'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'volunteer.backfill.approve'"), 1);
  // With a record now, a new request is refused.
  EXPECT_EQ(li.post("/api/v1/volunteer-backfills", claim).status, 409);
  auto li_told = notices_of(li, "volunteer.backfill_approved");
  ASSERT_EQ(li_told.size(), 1u);
  EXPECT_EQ(li_told[0].at("subject_type"), "volunteer_activity");
  EXPECT_EQ(li_told[0].at("subject_id").as_int64(), act);

  // Zhao's request filed by the organizer, rejected: a note is required, nothing counts.
  auto filed = manager.post("/api/v1/volunteer-backfills", for_zhao);
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string zhao_bf =
      "/api/v1/volunteer-backfills/" + std::to_string(filed.json().at("id").as_int64());
  auto no_note = manager.post(zhao_bf + "/decision", {{"decision", "reject"}});
  EXPECT_EQ(no_note.status, 400);
  EXPECT_EQ(str(no_note.json().at("errors").as_array()[0].at("field")), "note");
  auto no =
      manager.post(zhao_bf + "/decision", {{"decision", "reject"}, {"note", "当天未见到本人"}});
  ASSERT_EQ(no.status, 200) << no.body;
  EXPECT_EQ(no.json().at("status"), "rejected");
  EXPECT_TRUE(no.json().at("attendance_id").is_null());
  EXPECT_EQ(manager.post(zhao_bf + "/decision", {{"decision", "approve"}}).status, 409);
  EXPECT_EQ(card(zhao), (std::pair<double, std::int64_t>{0.0, 0}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_attendance WHERE volunteer_id = " +
                  std::to_string(zhao_id)),
            0);
  auto zhao_told = notices_of(zhao, "volunteer.backfill_rejected");
  ASSERT_EQ(zhao_told.size(), 1u);
  EXPECT_NE(str(zhao_told[0].at("body")).find("当天未见到本人"), std::string::npos);
  // The volunteer sees their own requests only.
  auto mine = zhao.get("/api/v1/volunteer-backfills");
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(mine.json().at("items").as_array()[0].at("status"), "rejected");
  EXPECT_EQ(unbalanced_accounts(), 0);
}

TEST_F(VolunteerApi, VerificationAdjustNeedsAReasonAndRejectPostsNothing) {
  Resident a = resident("13951300121", "冯一");
  Resident b = resident("13951300122", "陈二");
  const std::int64_t a_id = volunteer(a);
  const std::int64_t b_id = volunteer(b);
  const std::int64_t start = kT0 + 24 * kHour;
  const std::int64_t act = activity(start, 3, 5);
  ASSERT_EQ(a.post(path(act, "/signup")).status, 201);
  ASSERT_EQ(b.post(path(act, "/signup")).status, 201);
  const std::int64_t rec_a = attend(act, a_id, start, start + 2 * kHour);
  const std::int64_t rec_b = attend(act, b_id, start, start + 2 * kHour + 30 * 60'000);
  at(start + 4 * kHour);
  const std::string verify_a = "/api/v1/volunteer-attendance/" + std::to_string(rec_a) + "/verify";
  const std::string verify_b = "/api/v1/volunteer-attendance/" + std::to_string(rec_b) + "/verify";

  // Adjust: a reason is required and the minutes must fit the activity.
  auto no_reason = manager.post(verify_a, {{"decision", "adjust"}, {"minutes", 90}});
  ASSERT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_EQ(str(no_reason.json().at("errors").as_array()[0].at("field")), "reason");
  auto too_long =
      manager.post(verify_a, {{"decision", "adjust"}, {"minutes", 181}, {"reason", "多算"}});
  ASSERT_EQ(too_long.status, 400);
  EXPECT_EQ(str(too_long.json().at("errors").as_array()[0].at("field")), "minutes");
  EXPECT_EQ(manager.post(verify_a, {{"decision", "adjust"}, {"reason", "少了分钟"}}).status, 400);
  EXPECT_EQ(
      manager.post(verify_a, {{"decision", "adjust"}, {"minutes", -5}, {"reason", "x"}}).status,
      400);
  EXPECT_EQ(app.as("wenfeng_worker")
                .post(verify_a, {{"decision", "adjust"}, {"minutes", 60}, {"reason", "越权"}})
                .status,
            404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM volunteer_attendance WHERE status = 'pending'"), 2);

  auto adjusted =
      manager.post(verify_a, {{"decision", "adjust"}, {"minutes", 90}, {"reason", "提前离开"}});
  ASSERT_EQ(adjusted.status, 200) << adjusted.body;
  EXPECT_EQ(adjusted.json().at("status"), "adjusted");
  EXPECT_EQ(adjusted.json().at("minutes").as_int64(), 120);  // what the clock said, kept
  EXPECT_EQ(adjusted.json().at("verified_minutes").as_int64(), 90);
  EXPECT_EQ(str(adjusted.json().at("verify_reason")), "提前离开");
  EXPECT_EQ(adjusted.json().at("points").as_int64(), 15);  // 90 min × 10/h
  EXPECT_EQ(card(a), (std::pair<double, std::int64_t>{1.5, 15}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'volunteer.attendance.adjust' "
                  "AND target_id = '" +
                  std::to_string(rec_a) + "' AND detail LIKE '%minutes=90%提前离开%'"),
            1);
  EXPECT_EQ(manager.post(verify_a, {{"decision", "approve"}}).status, 409);
  auto told = notices_of(a, "volunteer.hours_verified");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(str(told[0].at("body")).find("1.5小时"), std::string::npos) << str(told[0].at("body"));

  // Reject: a reason is required; nothing posted, no hours.
  EXPECT_EQ(manager.post(verify_b, {{"decision", "reject"}}).status, 400);
  auto rejected = manager.post(verify_b, {{"decision", "reject"}, {"reason", "未在现场"}});
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.json().at("status"), "rejected");
  EXPECT_EQ(rejected.json().at("verified_minutes").as_int64(), 0);
  EXPECT_TRUE(rejected.json().at("points").is_null());
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM points_transfers WHERE attendance_id = " + std::to_string(rec_b)),
      0);
  EXPECT_EQ(card(b), (std::pair<double, std::int64_t>{0.0, 0}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'volunteer.attendance.reject'"),
            1);
  EXPECT_EQ(manager.post(verify_b, {{"decision", "approve"}}).status, 409);
  EXPECT_EQ(notices_of(b, "volunteer.hours_rejected").size(), 1u);
  EXPECT_EQ(notices_of(b, "volunteer.hours_verified").size(), 0u);
  EXPECT_EQ(unbalanced_accounts(), 0);
}

TEST_F(VolunteerApi, OldPointsExpireThroughTheLedgerHoursNever) {
  Resident r = resident("13951300131", "褚三");
  const std::int64_t vid = volunteer(r);
  const std::int64_t start = kT0 + 24 * kHour;
  const std::int64_t act = activity(start, 3, 5);
  ASSERT_EQ(r.post(path(act, "/signup")).status, 201);
  const std::int64_t rec = attend(act, vid, start, start + 2 * kHour);
  const std::int64_t earned_at = start + 3 * kHour;
  at(earned_at);
  ASSERT_EQ(manager
                .post("/api/v1/volunteer-attendance/" + std::to_string(rec) + "/verify",
                      {{"decision", "approve"}})
                .status,
            200);  // +20
  constexpr std::int64_t kDay = 24 * kHour;
  at(earned_at + 20 * kDay);
  ASSERT_EQ(manager
                .post("/api/v1/points/adjustments",
                      {{"volunteer_id", vid}, {"points", 30}, {"reason", "年度表彰"}})
                .status,
            201);  // +30
  auto gift =
      manager.post("/api/v1/volunteer-gifts",
                   {{"area_id", w.bachang}, {"name", "肥皂"}, {"points_price", 5}, {"stock", 9}});
  ASSERT_EQ(gift.status, 201);
  at(earned_at + 21 * kDay);
  ASSERT_EQ(r.post("/api/v1/volunteer-gifts/" + std::to_string(gift.json().at("id").as_int64()) +
                   "/redeem")
                .status,
            201);  // −5
  EXPECT_EQ(card(r), (std::pair<double, std::int64_t>{2.0, 45}));

  // Expiry is off by default (0 days): nothing expires, however old.
  volunteers::VolunteerService sweeper(app.app(), PiiKey{});
  EXPECT_EQ(sweeper.run_once(earned_at + 400 * kDay).expired_accounts, 0);

  // Settings: platform admin only, checked input.
  const json::object expiry{{"star_hours", {100, 300, 600, 1000, 1500}},
                            {"points_expiry_days", 30},
                            {"checkin_distance_m", 500}};
  EXPECT_EQ(
      manager.send("PUT", "/api/v1/volunteer-settings", json::serialize(expiry), "application/json")
          .status,
      403);
  Client admin = app.as("admin");
  json::object negative = expiry;
  negative["points_expiry_days"] = -1;
  auto bad = admin.send("PUT", "/api/v1/volunteer-settings", json::serialize(negative),
                        "application/json");
  ASSERT_EQ(bad.status, 400);
  EXPECT_EQ(str(bad.json().at("errors").as_array()[0].at("field")), "points_expiry_days");
  EXPECT_EQ(admin.get("/api/v1/volunteer-settings").json().at("points_expiry_days").as_int64(), 0);
  auto put =
      admin.send("PUT", "/api/v1/volunteer-settings", json::serialize(expiry), "application/json");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json().at("points_expiry_days").as_int64(), 30);

  // 29 days after the earning: nothing is old enough.
  EXPECT_EQ(sweeper.run_once(earned_at + 29 * kDay).expired_accounts, 0);
  EXPECT_EQ(card(r).second, 45);
  // 31 days: the 20 earned, less the 5 spent since (first in, first out), go back.
  EXPECT_EQ(sweeper.run_once(earned_at + 31 * kDay).expired_accounts, 1);
  EXPECT_EQ(card(r), (std::pair<double, std::int64_t>{2.0, 30}));
  EXPECT_EQ(sweeper.run_once(earned_at + 32 * kDay).expired_accounts, 0);  // once only
  // 51 days: the 30 of the adjustment too; the balance stops at 0, never below.
  EXPECT_EQ(sweeper.run_once(earned_at + 51 * kDay).expired_accounts, 1);
  EXPECT_EQ(card(r), (std::pair<double, std::int64_t>{2.0, 0}));  // hours never expire
  EXPECT_EQ(sweeper.run_once(earned_at + 90 * kDay).expired_accounts, 0);

  // In the ledger: two "expire" transfers back to the pool, 15 and 30.
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers WHERE kind = 'expire'"), 2);
  EXPECT_EQ(count("SELECT SUM(amount) FROM points_transfers WHERE kind = 'expire'"), 45);
  EXPECT_EQ(count("SELECT COUNT(*) FROM points_transfers t JOIN points_accounts p ON p.id = "
                  "t.to_account WHERE t.kind = 'expire' AND p.kind <> 'pool'"),
            0);
  auto book = r.get("/api/v1/volunteers/me/passbook");
  ASSERT_EQ(book.status, 200);
  const auto& lines = book.json().at("lines").as_array();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3].at("kind"), "expire");
  EXPECT_EQ(lines[3].at("points").as_int64(), -15);
  EXPECT_EQ(lines[4].at("points").as_int64(), -30);
  EXPECT_EQ(lines[4].at("balance").as_int64(), 0);
  EXPECT_EQ(book.json().at("verified_hours").to_number<double>(), 2.0);
  EXPECT_EQ(unbalanced_accounts(), 0);
  EXPECT_EQ(notices_of(r, "volunteer.points_expired").size(), 2u);
  auto adjusted = notices_of(r, "volunteer.points_adjusted");
  ASSERT_EQ(adjusted.size(), 1u);
  EXPECT_EQ(str(adjusted[0].at("body")), "积分+30：年度表彰");
}

TEST_F(VolunteerApi, AVolunteerMovedUpFromTheWaitlistIsNotified) {
  Resident first = resident("13951300141", "卫一");
  Resident second = resident("13951300142", "蒋二");
  volunteer(first);
  volunteer(second);
  const std::int64_t act = activity(kT0 + 24 * kHour, 2, 1, "社区义诊");
  ASSERT_EQ(first.post(path(act, "/signup")).json().at("status"), "confirmed");
  ASSERT_EQ(second.post(path(act, "/signup")).json().at("status"), "waitlisted");
  EXPECT_EQ(notices_of(second, "volunteer.waitlist_promoted").size(), 0u);
  const std::int64_t unread_before =
      second.get("/api/v1/notifications").json().at("unread_count").as_int64();

  ASSERT_EQ(first.send("DELETE", path(act, "/signup"), nullptr).status, 200);
  auto told = notices_of(second, "volunteer.waitlist_promoted");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(str(told[0].at("title")), "候补转为正式报名");
  EXPECT_NE(str(told[0].at("body")).find("社区义诊"), std::string::npos);
  EXPECT_EQ(told[0].at("subject_type"), "volunteer_activity");
  EXPECT_EQ(told[0].at("subject_id").as_int64(), act);
  EXPECT_TRUE(told[0].at("read_at").is_null());
  EXPECT_EQ(second.get("/api/v1/notifications").json().at("unread_count").as_int64(),
            unread_before + 1);
  // The one who cancelled is not told of their own act; the volunteer's list agrees.
  EXPECT_EQ(notices_of(first, "volunteer.waitlist_promoted").size(), 0u);
  auto mine = second.get("/api/v1/volunteers/me/notices");
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json().at("items").as_array()[0].at("kind"), "waitlist_promoted");
  EXPECT_EQ(mine.json().at("items").as_array()[0].at("activity_id").as_int64(), act);
  // Another's notices are not the caller's: the organizer's list holds none of them.
  for (const auto& n : manager.get("/api/v1/notifications?limit=100").json().at("items").as_array())
    EXPECT_FALSE(str(n.at("kind")).starts_with("volunteer."));
}

}  // namespace
}  // namespace cg::test
