// Signing in, sessions, CSRF, API tokens, resident codes, accounts and scope.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/app.hpp"
#include "db/db.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

namespace json = boost::json;

class Auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { app_ = new TestApp(); }
  static void TearDownTestSuite() { delete app_; }
  static TestApp* app_;
};
TestApp* Auth::app_ = nullptr;

TEST_F(Auth, StaffSignInSetsAnHttpOnlySameSiteCookieAndReturnsTheCsrfToken) {
  auto c = app_->client();
  auto res =
      c.post("/api/v1/auth/login", {{"username", "grid1_worker"}, {"password", Client::kPassword}});
  ASSERT_EQ(res.status, 200) << res.body;
  std::string cookie = res.header("set-cookie");
  EXPECT_NE(cookie.find("cg_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  auto body = res.json().as_object();
  EXPECT_EQ(body.at("csrf_token").as_string().size(), 32u);
  EXPECT_EQ(body.at("user").at("username"), "grid1_worker");
  EXPECT_EQ(body.at("user").at("roles").as_array()[0].at("role"), "grid_worker");
}

TEST_F(Auth, MeDescribesTheCallerAndTheirPermissions) {
  auto c = app_->as("party1");
  auto me = c.get("/api/v1/me").json().as_object();
  EXPECT_EQ(me.at("display_name"), "八厂党支部书记");
  auto perms = me.at("permissions").as_array();
  EXPECT_NE(std::find(perms.begin(), perms.end(), json::value("people.read")), perms.end());
  EXPECT_EQ(std::find(perms.begin(), perms.end(), json::value("people.reveal")), perms.end());
}

TEST_F(Auth, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  auto c = app_->client();
  auto wrong =
      c.post("/api/v1/auth/login", {{"username", "handler1"}, {"password", "nope-nope-nope"}});
  auto unknown =
      c.post("/api/v1/auth/login", {{"username", "nobody"}, {"password", "nope-nope-nope"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json().at("title"), unknown.json().at("title"));
}

TEST_F(Auth, SignInValidatesItsFields) {
  auto c = app_->client();
  auto res = c.post("/api/v1/auth/login", {{"username", 42}});
  EXPECT_EQ(res.status, 400);
  auto errors = res.json().at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].at("field"), "username");
  EXPECT_EQ(errors[0].at("code"), "type");
  EXPECT_EQ(errors[1].at("field"), "password");
  EXPECT_EQ(errors[1].at("code"), "required");
}

TEST_F(Auth, RepeatedFailuresAreRateLimitedPerAccount) {
  TestApp own;  // a fresh limiter
  auto c = own.client();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        c.post("/api/v1/auth/login", {{"username", "party1"}, {"password", "wrong-wrong"}}).status,
        401);
  }
  auto blocked =
      c.post("/api/v1/auth/login", {{"username", "party1"}, {"password", Client::kPassword}});
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.json().at("type"), "/problems/rate-limited");
}

TEST_F(Auth, CookieWritesNeedTheCsrfHeader) {
  auto c = app_->as("admin");
  c.drop_csrf();
  auto res = c.post("/api/v1/auth/tokens", {{"name", "no csrf"}});
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(res.json().at("type"), "/problems/csrf");
}

TEST_F(Auth, BearerTokensWorkWithoutCsrfAndCanBeUsedByPrograms) {
  auto admin = app_->as("admin");
  auto res = admin.post("/api/v1/auth/tokens", {{"name", "导入脚本"}, {"days", 30}});
  ASSERT_EQ(res.status, 201) << res.body;
  std::string token(res.json().at("token").as_string());
  Client program(app_->port());
  program.set_bearer(token);
  EXPECT_EQ(program.get("/api/v1/me").json().at("username"), "admin");
  Client forged(app_->port());
  forged.set_bearer(std::string(64, 'a'));
  EXPECT_EQ(forged.get("/api/v1/me").status, 401);
}

TEST_F(Auth, SignOutEndsTheSession) {
  auto c = app_->as("handler1");
  EXPECT_EQ(c.post("/api/v1/auth/logout", json::object{}).status, 204);
  EXPECT_EQ(c.get("/api/v1/me").status, 401);
}

TEST_F(Auth, ResidentSignsInWithPhoneAndCode) {
  auto c = app_->client();
  auto sent = c.post("/api/v1/auth/sms-code", {{"phone", "139-5130-0077"}});
  ASSERT_EQ(sent.status, 202) << sent.body;
  std::string code = app_->last_sms_code("13951300077");
  ASSERT_EQ(code.size(), 6u);
  auto wrong = c.post("/api/v1/auth/sms-login",
                      {{"phone", "13951300077"}, {"code", code == "000000" ? "111111" : "000000"}});
  EXPECT_EQ(wrong.status, 401);
  auto ok = c.post("/api/v1/auth/sms-login", {{"phone", "13951300077"}, {"code", code}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("user").at("kind"), "resident");
  // A code works once.
  auto again = c.post("/api/v1/auth/sms-login", {{"phone", "13951300077"}, {"code", code}});
  EXPECT_EQ(again.status, 401);
}

TEST_F(Auth, ARegisteredResidentSeesTheirOwnHomeAfterSigningInByPhone) {
  const World& w = app_->world();
  auto worker = app_->as("bachang_worker");
  auto created =
      worker.post("/api/v1/residents", {{"household_id", w.household_of_grid.at(w.grid1)},
                                        {"name", "陈玲玲"},
                                        {"gender", "female"},
                                        {"relation", "head"},
                                        {"residence_type", "registered"},
                                        {"phone", "13951300066"}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto c = app_->client();
  ASSERT_EQ(c.post("/api/v1/auth/sms-code", {{"phone", "13951300066"}}).status, 202);
  auto ok = c.post("/api/v1/auth/sms-login",
                   {{"phone", "13951300066"}, {"code", app_->last_sms_code("13951300066")}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("user").at("display_name"), "陈玲玲");
  std::string cookie = ok.header("set-cookie");
  Client resident(app_->port());
  std::size_t start = cookie.find("cg_session=") + 11;
  auto me = resident.send(
      "GET", "/api/v1/me", "", "",
      {{"Cookie", "cg_session=" + cookie.substr(start, cookie.find(';', start) - start)}});
  ASSERT_EQ(me.status, 200);
  ASSERT_TRUE(me.json().as_object().contains("household")) << me.body;
  EXPECT_EQ(me.json().at("household").at("address"), "八厂社区 1幢 1单元 101室");
  EXPECT_EQ(me.json().at("grid").at("id"), w.grid1);
  EXPECT_EQ(me.json().at("household").at("building_id"), w.building_of_grid.at(w.grid1));
  // The buildings a resident may pick when reporting: those of her own grid only.
  auto buildings = resident.send(
      "GET", "/api/v1/me/buildings", "", "",
      {{"Cookie", "cg_session=" + cookie.substr(start, cookie.find(';', start) - start)}});
  ASSERT_EQ(buildings.status, 200) << buildings.body;
  auto items = buildings.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << buildings.body;
  EXPECT_EQ(items[0].at("id"), w.building_of_grid.at(w.grid1));
  EXPECT_EQ(items[0].at("grid_id"), w.grid1);
  // A resident holds no staff permission: the registry stays closed to them.
  auto list = resident.send(
      "GET", "/api/v1/residents", "", "",
      {{"Cookie", "cg_session=" + cookie.substr(start, cookie.find(';', start) - start)}});
  EXPECT_EQ(list.status, 403) << list.body;
}

TEST_F(Auth, OwnGridBuildingsAreThoseOfTheCallersGridRolesOnly) {
  const World& w = app_->world();
  auto grid2 = app_->as("grid2_worker").get("/api/v1/me/buildings");
  ASSERT_EQ(grid2.status, 200) << grid2.body;
  ASSERT_EQ(grid2.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(grid2.json().at("items").as_array()[0].at("grid_id"), w.grid2);
  // A community worker holds no grid role: nothing to pick (she reads /buildings instead).
  auto community = app_->as("bachang_worker").get("/api/v1/me/buildings");
  ASSERT_EQ(community.status, 200);
  EXPECT_TRUE(community.json().at("items").as_array().empty());
  EXPECT_EQ(app_->client().get("/api/v1/me/buildings").status, 401);
}

TEST_F(Auth, CodesAreNotResentWithinAMinuteAndBadPhonesAreRefused) {
  auto c = app_->client();
  EXPECT_EQ(c.post("/api/v1/auth/sms-code", {{"phone", "13951300088"}}).status, 202);
  EXPECT_EQ(c.post("/api/v1/auth/sms-code", {{"phone", "13951300088"}}).status, 429);
  auto bad = c.post("/api/v1/auth/sms-code", {{"phone", "12345"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("errors").as_array()[0].at("field"), "phone");
}

TEST_F(Auth, ACommunityWorkerCreatesAGridWorkerInTheirCommunity) {
  auto c = app_->as("bachang_worker");
  const World& w = app_->world();
  auto res = c.post("/api/v1/users",
                    {{"username", "grid1_new"},
                     {"display_name", "新网格员"},
                     {"password", "Grid@Worker2026"},
                     {"roles", json::array{{{"role", "grid_worker"}, {"area_id", w.grid1}}}}});
  ASSERT_EQ(res.status, 201) << res.body;
  Client fresh(app_->port());
  fresh.login("grid1_new", "Grid@Worker2026");
  EXPECT_EQ(fresh.get("/api/v1/me").json().at("roles").as_array()[0].at("area").at("id"), w.grid1);
}

TEST_F(Auth, NobodyGrantsOutsideTheirScopeOrAboveTheirRole) {
  auto c = app_->as("bachang_worker");
  const World& w = app_->world();
  auto outside = c.post("/api/v1/users",
                        {{"username", "x_wenfeng"},
                         {"display_name", "x"},
                         {"password", "Grid@Worker2026"},
                         {"roles", json::array{{{"role", "grid_worker"}, {"area_id", w.grid3}}}}});
  EXPECT_EQ(outside.status, 400);
  EXPECT_EQ(outside.json().at("errors").as_array()[0].at("field"), "roles[0].area_id");
  auto above = c.post("/api/v1/users",
                      {{"username", "x_admin"},
                       {"display_name", "x"},
                       {"password", "Grid@Worker2026"},
                       {"roles", json::array{{{"role", "street_admin"}, {"area_id", w.bachang}}}}});
  EXPECT_EQ(above.status, 400);
  auto grid_worker = app_->as("grid1_worker");
  auto no_right = grid_worker.post(
      "/api/v1/users", {{"username", "x_g"},
                        {"display_name", "x"},
                        {"password", "Grid@Worker2026"},
                        {"roles", json::array{{{"role", "grid_worker"}, {"area_id", w.grid1}}}}});
  EXPECT_EQ(no_right.status, 400);
}

TEST_F(Auth, WeakPasswordsAndDuplicateNamesAreRefused) {
  auto c = app_->as("admin");
  const World& w = app_->world();
  auto weak = c.post("/api/v1/users",
                     {{"username", "weakling"},
                      {"display_name", "x"},
                      {"password", "12345678"},
                      {"roles", json::array{{{"role", "handler"}, {"area_id", w.bachang}}}}});
  EXPECT_EQ(weak.status, 400);
  EXPECT_EQ(weak.json().at("errors").as_array()[0].at("field"), "password");
  auto dup = c.post("/api/v1/users",
                    {{"username", "handler1"},
                     {"display_name", "x"},
                     {"password", "Handler@Unit2026"},
                     {"roles", json::array{{{"role", "handler"}, {"area_id", w.bachang}}}}});
  EXPECT_EQ(dup.status, 409);
  auto bad_role = c.post("/api/v1/users",
                         {{"username", "x_role"},
                          {"display_name", "x"},
                          {"password", "Handler@Unit2026"},
                          {"roles", json::array{{{"role", "emperor"}, {"area_id", w.bachang}}}}});
  EXPECT_EQ(bad_role.status, 400);
}

TEST_F(Auth, UserListsFollowScope) {
  auto c = app_->as("wenfeng_worker");
  auto users = c.get("/api/v1/users").json().at("items").as_array();
  for (const auto& u : users) EXPECT_NE(u.at("username"), "grid1_worker");
  EXPECT_EQ(c.get("/api/v1/users?area=" + std::to_string(app_->world().bachang)).status, 404);
  EXPECT_EQ(app_->as("grid1_worker").get("/api/v1/users").status, 403);
}

// Creates a staff account as `creator` and returns its id; the password is Client::kPassword.
std::int64_t new_account(Client& creator, const std::string& username, json::array roles) {
  auto res = creator.post("/api/v1/users", {{"username", username},
                                            {"display_name", "账号" + username},
                                            {"password", Client::kPassword},
                                            {"roles", std::move(roles)}});
  EXPECT_EQ(res.status, 201) << res.body;
  return res.status == 201 ? res.json().at("id").as_int64() : 0;
}

json::array one_role(const char* role, std::int64_t area) {
  return json::array{{{"role", role}, {"area_id", area}}};
}

std::string user_path(std::int64_t id) {
  return "/api/v1/users/" + std::to_string(id);
}

TEST_F(Auth, DisablingAnAccountEndsItsSessionsAndTokensAtOnceAndStopsSignIn) {
  const World& w = app_->world();
  auto manager = app_->as("bachang_worker");
  std::int64_t id = new_account(manager, "acct_off", one_role("grid_worker", w.grid1));
  Client session(app_->port());
  session.login("acct_off");
  auto token = session.post("/api/v1/auth/tokens", {{"name", "脚本"}});
  ASSERT_EQ(token.status, 201) << token.body;
  Client program(app_->port());
  program.set_bearer(std::string(token.json().at("token").as_string()));
  ASSERT_EQ(program.get("/api/v1/me").status, 200);

  auto off = manager.patch(user_path(id), {{"disabled", true}, {"display_name", "已调离"}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.json().at("disabled"), true);
  EXPECT_EQ(off.json().at("display_name"), "已调离");
  EXPECT_EQ(session.get("/api/v1/me").status, 401);
  EXPECT_EQ(program.get("/api/v1/me").status, 401);
  auto refused = app_->client().post("/api/v1/auth/login",
                                     {{"username", "acct_off"}, {"password", Client::kPassword}});
  EXPECT_EQ(refused.status, 401);

  // Enabled again, the account signs in anew; the old session and token stay dead.
  auto on = manager.patch(user_path(id), {{"disabled", false}});
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(on.json().at("disabled"), false);
  EXPECT_EQ(session.get("/api/v1/me").status, 401);
  EXPECT_EQ(program.get("/api/v1/me").status, 401);
  Client again(app_->port());
  again.login("acct_off");
  EXPECT_EQ(again.get("/api/v1/me").json().at("display_name"), "已调离");
  auto audit = app_->as("admin").get("/api/v1/audit?action=user.disable&limit=5");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_FALSE(audit.json().at("items").as_array().empty());
}

TEST_F(Auth, NobodyDisablesThemselves) {
  for (const char* name : {"bachang_worker", "admin"}) {
    auto self = app_->as(name);
    auto res = self.patch(user_path(app_->world().users.at(name)), {{"disabled", true}});
    EXPECT_EQ(res.status, 400) << name << res.body;
    EXPECT_EQ(res.json().at("errors").as_array()[0].at("field"), "disabled");
    EXPECT_EQ(self.get("/api/v1/me").status, 200);
  }
}

TEST_F(Auth, AccountsOutsideTheCallersSubtreeAre404AndAboveTheirRole403) {
  const World& w = app_->world();
  auto admin = app_->as("admin");
  std::int64_t mixed =
      new_account(admin, "acct_mixed",
                  json::array{{{"role", "grid_worker"}, {"area_id", w.grid1}},
                              {{"role", "community_worker"}, {"area_id", w.wenfeng}}});
  auto wenfeng = app_->as("wenfeng_worker");
  std::int64_t grid1_worker = w.users.at("grid1_worker");
  EXPECT_EQ(wenfeng.patch(user_path(grid1_worker), {{"disabled", true}}).status, 404);
  EXPECT_EQ(
      wenfeng
          .post(user_path(grid1_worker) + "/roles", {{"role", "grid_worker"}, {"area_id", w.grid3}})
          .status,
      404);
  EXPECT_EQ(wenfeng.del(user_path(grid1_worker) + "/roles/1").status, 404);
  // The street admin's role is on the street, beyond 八厂: not even visible to its worker.
  auto bachang = app_->as("bachang_worker");
  EXPECT_EQ(bachang.patch(user_path(w.users.at("street_admin")), {{"disabled", true}}).status, 404);
  // Visible through its grid role, but it also holds a community role in 文峰.
  auto above = bachang.patch(user_path(mixed), {{"disabled", true}});
  EXPECT_EQ(above.status, 403) << above.body;
  // Residents' accounts are not staff accounts, and unknown ones are simply not found.
  auto phone = app_->client();
  ASSERT_EQ(phone.post("/api/v1/auth/sms-code", {{"phone", "13951300099"}}).status, 202);
  auto resident =
      phone.post("/api/v1/auth/sms-login",
                 {{"phone", "13951300099"}, {"code", app_->last_sms_code("13951300099")}});
  ASSERT_EQ(resident.status, 200) << resident.body;
  EXPECT_EQ(
      admin.patch(user_path(resident.json().at("user").at("id").as_int64()), {{"disabled", true}})
          .status,
      404);
  EXPECT_EQ(admin.patch(user_path(999999), {{"disabled", true}}).status, 404);
  // Without users.manage anywhere.
  EXPECT_EQ(app_->as("grid1_worker").patch(user_path(mixed), {{"display_name", "x"}}).status, 403);
  // Nothing changed.
  auto listed = admin.get("/api/v1/users?area=" + std::to_string(w.grid1));
  for (const auto& u : listed.json().at("items").as_array()) {
    EXPECT_EQ(u.at("disabled"), false) << u;
  }
}

TEST_F(Auth, RolesAreGrantedAndRevokedWithinTheManagersOwnRights) {
  const World& w = app_->world();
  auto manager = app_->as("bachang_worker");
  std::int64_t id = new_account(manager, "acct_roles", one_role("grid_worker", w.grid1));
  Client holder(app_->port());
  holder.login("acct_roles");

  auto granted =
      manager.post(user_path(id) + "/roles", {{"role", "handler"}, {"area_id", w.grid2}});
  ASSERT_EQ(granted.status, 201) << granted.body;
  auto roles = granted.json().at("roles").as_array();
  ASSERT_EQ(roles.size(), 2u);
  // The holder's next request already carries the new role.
  EXPECT_EQ(holder.get("/api/v1/me").json().at("roles").as_array().size(), 2u);
  EXPECT_EQ(
      manager.post(user_path(id) + "/roles", {{"role", "handler"}, {"area_id", w.grid2}}).status,
      409);
  auto above =
      manager.post(user_path(id) + "/roles", {{"role", "street_admin"}, {"area_id", w.grid2}});
  EXPECT_EQ(above.status, 400);
  EXPECT_EQ(above.json().at("errors").as_array()[0].at("field"), "role");
  auto outside =
      manager.post(user_path(id) + "/roles", {{"role", "handler"}, {"area_id", w.grid3}});
  EXPECT_EQ(outside.status, 400);
  EXPECT_EQ(outside.json().at("errors").as_array()[0].at("field"), "area_id");
  auto bad = manager.post(user_path(id) + "/roles", {{"role", "emperor"}, {"area_id", "x"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json().at("errors").as_array().size(), 2u);
  // Nobody changes their own roles.
  EXPECT_EQ(manager
                .post(user_path(w.users.at("bachang_worker")) + "/roles",
                      {{"role", "handler"}, {"area_id", w.grid1}})
                .status,
            403);

  std::int64_t handler_grant = 0, grid_grant = 0;
  for (const auto& r : roles) {
    (r.at("role") == "handler" ? handler_grant : grid_grant) = r.at("id").as_int64();
  }
  ASSERT_GT(handler_grant, 0);
  // A grant id of another account names nothing here.
  EXPECT_EQ(
      manager.del(user_path(w.users.at("grid2_worker")) + "/roles/" + std::to_string(handler_grant))
          .status,
      404);
  auto revoked = manager.del(user_path(id) + "/roles/" + std::to_string(handler_grant));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json().at("roles").as_array().size(), 1u);
  EXPECT_EQ(holder.get("/api/v1/me").json().at("roles").as_array().size(), 1u);
  auto last = manager.del(user_path(id) + "/roles/" + std::to_string(grid_grant));
  EXPECT_EQ(last.status, 409) << last.body;
}

TEST_F(Auth, AccountPatchesAreValidated) {
  auto admin = app_->as("admin");
  std::string path = user_path(app_->world().users.at("handler1"));
  auto empty = admin.patch(path, json::object{});
  EXPECT_EQ(empty.status, 400);
  auto typed = admin.patch(path, {{"disabled", "yes"}, {"display_name", ""}});
  EXPECT_EQ(typed.status, 400);
  EXPECT_EQ(typed.json().at("errors").as_array().size(), 2u);
  auto unknown = admin.patch(path, {{"password", "Whatever@2026"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json().at("errors").as_array()[0].at("field"), "password");
  EXPECT_EQ(admin.patch("/api/v1/users/abc", {{"disabled", true}}).status, 404);
}

TEST_F(Auth, AuditLogRecordsWritesAndIsScoped) {
  auto admin = app_->as("admin");
  admin.post("/api/v1/auth/tokens", {{"name", "audit-check"}});
  auto res = admin.get("/api/v1/audit?action=api_token.create&limit=5");
  ASSERT_EQ(res.status, 200) << res.body;
  auto items = res.json().at("items").as_array();
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].at("user").at("display_name"), "平台管理员");
  EXPECT_FALSE(items[0].at("request_id").as_string().empty());
  EXPECT_EQ(app_->as("grid1_worker").get("/api/v1/audit").status, 403);
  // Not even direct SQL can rewrite history.
  EXPECT_THROW(
      app_->app().db->write([](db::Conn& c) { c.exec("UPDATE audit_log SET detail = 'edited'"); }),
      db::DbError);
  EXPECT_THROW(app_->app().db->write([](db::Conn& c) { c.exec("DELETE FROM audit_log"); }),
               db::DbError);
  EXPECT_EQ(admin.get("/api/v1/audit?cursor=abc").status, 400);
  EXPECT_EQ(app_->client().get("/api/v1/audit").status, 401);
}

}  // namespace
}  // namespace cg::test
