// In-app notifications: who is told what as a case moves, listing and marking
// read, and the live stream (server-sent events) read off a raw socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "app/app.hpp"
#include "db/db.hpp"
#include "modules/cases/service.hpp"
#include "modules/notify/service.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// An open GET /api/v1/notifications/stream, read as raw bytes.
class EventStream {
 public:
  EventStream(int port, const std::string& token, const std::string& last_event_id = "") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE();
    std::string req =
        "GET /api/v1/notifications/stream HTTP/1.1\r\nHost: localhost\r\n"
        "Accept: text/event-stream\r\nAuthorization: Bearer " +
        token + "\r\n";
    if (!last_event_id.empty()) req += "Last-Event-ID: " + last_event_id + "\r\n";
    req += "\r\n";
    ::send(fd_, req.data(), req.size(), MSG_NOSIGNAL);
  }
  ~EventStream() { ::close(fd_); }

  // Reads until `needle` has arrived (true) or `seconds` pass (false).
  bool wait_for(const std::string& needle, int seconds = 5) {
    const auto until = Clock::now() + std::chrono::seconds(seconds);
    while (received_.find(needle) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return received_.find(needle) != std::string::npos;
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

class Notifications : public ::testing::Test {
 protected:
  TestApp app;
  const World& w = app.world();

  void TearDown() override { cases::testing::set_now(std::nullopt); }

  std::string token(const std::string& user) {
    auto res = app.as(user).post("/api/v1/auth/tokens", {{"name", "实时消息"}});
    EXPECT_EQ(res.status, 201) << res.body;
    return std::string(res.json().at("token").as_string());
  }
  std::int64_t category(const std::string& code) {
    return app.app().db->read([&](db::Conn& c) {
      return c.query_one("SELECT id FROM case_categories WHERE code = $1", {code})->i64(0);
    });
  }
  std::int64_t file(const std::string& user, const std::string& code = "GY01") {
    auto res = app.as(user).post(
        "/api/v1/cases",
        {{"title", "楼下充电桩坏了"}, {"category_id", category(code)}, {"grid_id", w.grid1}});
    EXPECT_EQ(res.status, 201) << res.body;
    return res.json().at("id").as_int64();
  }
  void act(const std::string& user, std::int64_t id, json::object body) {
    auto res = app.as(user).post("/api/v1/cases/" + std::to_string(id) + "/actions", body);
    EXPECT_EQ(res.status, 200) << body << " → " << res.body;
  }
  // The kinds of `user`'s notices, newest first.
  std::vector<std::string> kinds(const std::string& user) {
    auto res = app.as(user).get("/api/v1/notifications?limit=100");
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> out;
    for (const auto& n : res.json().at("items").as_array())
      out.emplace_back(n.at("kind").as_string());
    return out;
  }
  std::int64_t unread(const std::string& user) {
    return app.as(user).get("/api/v1/notifications").json().at("unread_count").as_int64();
  }
};

TEST_F(Notifications, DispatchOverdueAndRatingReachThePeopleConcernedButNotTheActor) {
  cases::testing::set_now(1'772'413'200'000);  // Monday 2026-03-02 09:00 CST
  const std::int64_t id = file("grid1_worker");
  // Staff filing tell nobody; the reporter is never told of their own acts.
  EXPECT_TRUE(kinds("bachang_worker").empty());
  act("bachang_worker", id, {{"action", "accept"}});
  act("bachang_worker", id, {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}});
  EXPECT_EQ(kinds("handler1"), std::vector<std::string>{"case.dispatched"});
  EXPECT_TRUE(kinds("bachang_worker").empty());
  // grid1_worker reported it: told of acceptance and dispatch.
  EXPECT_EQ(kinds("grid1_worker"), (std::vector<std::string>{"case.progress", "case.progress"}));
  EXPECT_TRUE(kinds("wenfeng_worker").empty());

  // A week later it is overdue: the handler, the grid and the community hear of it.
  cases::CaseService service(app.app());
  auto report = service.run_supervision_once(1'772'413'200'000 + 7 * 86'400'000LL);
  EXPECT_EQ(report.escalated, 1);
  EXPECT_EQ(kinds("handler1").front(), "case.overdue");
  EXPECT_EQ(kinds("bachang_worker").front(), "case.overdue");
  EXPECT_EQ(kinds("grid1_worker").front(), "case.overdue");
  EXPECT_TRUE(kinds("grid2_worker").empty());
  EXPECT_TRUE(kinds("suyang_worker").empty());

  auto list = app.as("handler1").get("/api/v1/notifications").json();
  const auto& newest = list.at("items").at(0);
  EXPECT_EQ(newest.at("subject_type"), "case");
  EXPECT_EQ(newest.at("subject_id").as_int64(), id);
  EXPECT_NE(std::string(newest.at("title").as_string()).find("超期"), std::string::npos);
  EXPECT_EQ(list.at("unread_count").as_int64(), 2);
}

TEST_F(Notifications, AResidentsReportIsHeardByTheGridAndTheResidentHearsBack) {
  // A resident account of grid1, signed in by phone.
  auto created = app.as("bachang_worker")
                     .post("/api/v1/residents", {{"household_id", w.household_of_grid.at(w.grid1)},
                                                 {"name", "陈玲玲"},
                                                 {"gender", "female"},
                                                 {"relation", "head"},
                                                 {"residence_type", "registered"},
                                                 {"phone", "13951300077"}});
  ASSERT_EQ(created.status, 201) << created.body;
  Client resident = app.client();
  ASSERT_EQ(resident.post("/api/v1/auth/sms-code", {{"phone", "13951300077"}}).status, 202);
  auto login =
      resident.post("/api/v1/auth/sms-login",
                    {{"phone", "13951300077"}, {"code", app.last_sms_code("13951300077")}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string set_cookie = login.header("set-cookie");
  const std::size_t at = set_cookie.find("cg_session=") + 11;
  const std::map<std::string, std::string> session = {
      {"Cookie", "cg_session=" + set_cookie.substr(at, set_cookie.find(';', at) - at)},
      {"X-CSRF-Token", std::string(login.json().at("csrf_token").as_string())}};
  auto filed = resident.send(
      "POST", "/api/v1/cases",
      json::serialize(json::object{{"title", "路灯不亮"}, {"category_id", category("GY02")}}),
      "application/json", session);
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::int64_t id = filed.json().at("id").as_int64();
  EXPECT_EQ(kinds("grid1_worker"), std::vector<std::string>{"case.reported"});
  EXPECT_EQ(kinds("bachang_worker"), std::vector<std::string>{"case.reported"});
  EXPECT_TRUE(kinds("grid2_worker").empty());
  EXPECT_TRUE(kinds("handler1").empty());

  act("bachang_worker", id, {{"action", "accept"}});
  auto mine = resident.send("GET", "/api/v1/notifications", "", "", session);
  ASSERT_EQ(mine.status, 200);
  const auto& told = mine.json().at("items").at(0);
  EXPECT_EQ(told.at("kind"), "case.progress");
  EXPECT_NE(std::string(told.at("body").as_string()).find("已受理"), std::string::npos);
}

TEST_F(Notifications, MarkingReadTouchesOnlyTheCallersOwnAndBadInputIsRefused) {
  const std::int64_t id = file("bachang_worker");
  act("bachang_worker", id, {{"action", "accept"}});
  act("bachang_worker", id, {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}});
  const std::int64_t notice =
      app.as("handler1").get("/api/v1/notifications").json().at("items").at(0).at("id").as_int64();
  // Someone else's id changes nothing.
  auto other = app.as("grid1_worker").post("/api/v1/notifications/read", {{"ids", {notice}}});
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(unread("handler1"), 1);
  for (json::object bad :
       {json::object{}, json::object{{"ids", "1"}}, json::object{{"ids", json::array{-1}}},
        json::object{{"all", "yes"}}, json::object{{"ids", json::array{1}}, {"extra", 1}}}) {
    auto res = app.as("handler1").post("/api/v1/notifications/read", bad);
    EXPECT_EQ(res.status, 400) << bad << " → " << res.body;
  }
  EXPECT_EQ(unread("handler1"), 1);
  EXPECT_EQ(app.client().get("/api/v1/notifications").status, 401);
  EXPECT_EQ(app.as("handler1").get("/api/v1/notifications?limit=0").status, 400);

  auto read = app.as("handler1").post("/api/v1/notifications/read", {{"ids", {notice}}});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().at("unread_count").as_int64(), 0);
  EXPECT_EQ(app.as("handler1")
                .get("/api/v1/notifications?unread=true")
                .json()
                .at("items")
                .as_array()
                .size(),
            0u);
  EXPECT_EQ(app.as("handler1").get("/api/v1/notifications").json().at("items").as_array().size(),
            1u);
}

TEST_F(Notifications, OpenPagesHearOfADispatchAtOnceAndAReconnectGetsWhatItMissed) {
  const std::string handler = token("handler1");
  EventStream live(app.port(), handler);
  ASSERT_TRUE(live.wait_for("event: unread")) << live.received();
  EXPECT_NE(live.received().find("text/event-stream"), std::string::npos);
  EXPECT_NE(live.received().find("\"unread_count\":0"), std::string::npos);

  const std::int64_t id = file("bachang_worker");
  act("bachang_worker", id, {{"action", "accept"}});
  act("bachang_worker", id, {{"action", "dispatch"}, {"handler_user_id", w.users.at("handler1")}});
  ASSERT_TRUE(live.wait_for("\"kind\":\"case.dispatched\"")) << live.received();
  EXPECT_NE(live.received().find("event: notification"), std::string::npos);
  const std::int64_t notice =
      app.as("handler1").get("/api/v1/notifications").json().at("items").at(0).at("id").as_int64();
  EXPECT_NE(live.received().find("id: " + std::to_string(notice)), std::string::npos);

  // A page that saw everything before this notice gets it replayed on reconnect.
  EventStream again(app.port(), handler, std::to_string(notice - 1));
  ASSERT_TRUE(again.wait_for("\"kind\":\"case.dispatched\"")) << again.received();
  // A hostile Last-Event-ID is ignored: the stream opens without a replay.
  EventStream hostile(app.port(), handler, "1 OR 1=1");
  ASSERT_TRUE(hostile.wait_for("event: unread")) << hostile.received();
  EXPECT_EQ(hostile.received().find("event: notification"), std::string::npos);
  // Nobody else's stream hears it.
  EventStream other(app.port(), token("grid2_worker"));
  ASSERT_TRUE(other.wait_for("event: unread"));
  EXPECT_FALSE(other.wait_for("case.dispatched", 1));
}

TEST_F(Notifications, StreamsNeedASignInAndAreLimitedPerUser) {
  EXPECT_EQ(app.client().get("/api/v1/notifications/stream").status, 401);
  for (const char* bad : {"?after=-1", "?after=abc", "?after=99999999999999999999"}) {
    EXPECT_EQ(app.as("handler1").get(std::string("/api/v1/notifications/stream") + bad).status, 400)
        << bad;
  }
  const std::string handler = token("handler1");
  std::vector<std::unique_ptr<EventStream>> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(std::make_unique<EventStream>(app.port(), handler));
    ASSERT_TRUE(open.back()->wait_for("event: unread")) << i;
  }
  EventStream seventh(app.port(), handler);
  ASSERT_TRUE(seventh.wait_for("HTTP/1.1 429"));

  EXPECT_EQ(app.app().notify->open_streams(), 6u);
}

}  // namespace
}  // namespace cg::test
