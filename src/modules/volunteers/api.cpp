// HTTP routes of the volunteers module: parse the request, call the
// VolunteerService, write JSON. See docs/api-volunteers.md.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "app/api.hpp"
#include "app/app.hpp"
#include "app/periodic.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "modules/volunteers/module.hpp"
#include "modules/volunteers/service.hpp"

namespace cg::volunteers {
namespace {

namespace json = boost::json;
using http::Need;

constexpr std::int64_t kMaxEpochMs = 4'102'444'800'000;  // 2100-01-01
constexpr int kDefaultSweepSeconds = 60;

template <class T>
json::value opt(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

double hours(std::int64_t minutes) {
  return static_cast<double>(minutes) / 60.0;
}

json::object volunteer_json(const Volunteer& v) {
  return {{"id", v.id},
          {"number", opt(v.number)},
          {"user_id", v.user_id},
          {"resident_id", opt(v.resident_id)},
          {"kind", v.kind},
          {"name", v.name},
          {"area", {{"id", v.area_id}, {"name", v.area_name}}},
          {"id_number_masked", v.id_number_masked},
          {"phone_masked", v.phone_masked},
          {"skills", strings(v.skills)},
          {"available_times", v.available_times},
          {"status", v.status},
          {"decision_note", v.decision_note},
          {"decided_at", opt(v.decided_at)},
          {"created_at", v.created_at},
          {"verified_hours", hours(v.verified_minutes)},
          {"points_balance", v.balance},
          {"stars", v.stars}};
}

json::object team_json(const Team& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"kind", t.kind},
          {"area", {{"id", t.area_id}, {"name", t.area_name}}},
          {"description", t.description},
          {"member_count", t.member_count},
          {"created_at", t.created_at}};
}

json::object activity_json(const Activity& a) {
  return {{"id", a.id},
          {"team", {{"id", a.team_id}, {"name", a.team_name}}},
          {"area", {{"id", a.area_id}, {"name", a.area_name}}},
          {"title", a.title},
          {"content", a.content},
          {"venue", a.venue},
          {"lat", opt(a.lat)},
          {"lng", opt(a.lng)},
          {"start_at", a.start_at},
          {"end_at", a.end_at},
          {"signup_deadline", a.signup_deadline},
          {"capacity", a.capacity},
          {"confirmed", a.confirmed},
          {"waitlisted", a.waitlisted},
          {"points_per_hour", a.points_per_hour},
          {"points_cap", a.points_cap},
          {"required_skills", strings(a.required_skills)},
          {"status", a.status},
          {"cancel_reason", a.cancel_reason},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

json::object signup_json(const Signup& s) {
  return {
      {"id", s.id},
      {"activity", {{"id", s.activity_id}, {"title", s.activity_title}}},
      {"volunteer",
       {{"id", s.volunteer_id}, {"name", s.volunteer_name}, {"number", opt(s.volunteer_number)}}},
      {"status", s.status},
      {"start_at", s.start_at},
      {"end_at", s.end_at},
      {"waitlist_position", opt(s.waitlist_position)}};
}

json::object attendance_json(const Attendance& a) {
  return {{"id", a.id},
          {"activity", {{"id", a.activity_id}, {"title", a.activity_title}}},
          {"volunteer", {{"id", a.volunteer_id}, {"name", a.volunteer_name}}},
          {"check_in_at", a.check_in_at},
          {"check_out_at", opt(a.check_out_at)},
          {"check_in_method", a.check_in_method},
          {"check_out_method", opt(a.check_out_method)},
          {"distance_m", opt(a.distance_m)},
          {"far_flag", a.far_flag},
          {"auto_checkout_flag", a.auto_flag},
          {"minutes", a.minutes},
          {"status", a.status},
          {"verified_minutes", opt(a.verified_minutes)},
          {"verify_reason", a.verify_reason},
          {"verified_at", opt(a.verified_at)},
          {"points", opt(a.points)}};
}

json::object backfill_json(const Backfill& b) {
  return {{"id", b.id},
          {"activity", {{"id", b.activity_id}, {"title", b.activity_title}}},
          {"volunteer", {{"id", b.volunteer_id}, {"name", b.volunteer_name}}},
          {"check_in_at", b.check_in_at},
          {"check_out_at", b.check_out_at},
          {"reason", b.reason},
          {"status", b.status},
          {"decision_note", b.decision_note},
          {"decided_at", opt(b.decided_at)},
          {"attendance_id", opt(b.attendance_id)},
          {"created_at", b.created_at}};
}

json::object transfer_json(const Transfer& t) {
  return {{"id", t.id},
          {"at", t.at},
          {"from_account", t.from_account},
          {"to_account", t.to_account},
          {"amount", t.amount},
          {"kind", t.kind},
          {"attendance_id", opt(t.attendance_id)},
          {"redemption_id", opt(t.redemption_id)},
          {"reverses_id", opt(t.reverses_id)},
          {"memo", t.memo},
          {"actor_name", t.actor_name}};
}

json::object gift_json(const Gift& g) {
  return {{"id", g.id},
          {"area", {{"id", g.area_id}, {"name", g.area_name}}},
          {"name", g.name},
          {"description", g.description},
          {"points_price", g.points_price},
          {"stock", g.stock},
          {"active", g.active},
          {"created_at", g.created_at}};
}

json::object redemption_json(const Redemption& r, bool show_code) {
  return {{"id", r.id},
          {"gift", {{"id", r.gift_id}, {"name", r.gift_name}}},
          {"volunteer", {{"id", r.volunteer_id}, {"name", r.volunteer_name}}},
          {"quantity", r.quantity},
          {"points", r.points},
          {"pickup_code", show_code ? json::value(r.pickup_code) : json::value(nullptr)},
          {"status", r.status},
          {"created_at", r.created_at},
          {"closed_at", opt(r.closed_at)}};
}

json::object certificate_json(const Certificate& c) {
  json::array records;
  for (const Attendance& a : c.records) {
    records.push_back({{"attendance_id", a.id},
                       {"activity", a.activity_title},
                       {"date", a.check_in_at},
                       {"verified_hours", hours(a.verified_minutes.value_or(0))}});
  }
  return {{"number", c.number},
          {"name", c.name},
          {"id_number_masked", c.id_number_masked},
          {"volunteer_number", opt(c.volunteer_number)},
          {"issuer", c.issuer},
          {"total_hours", hours(c.total_minutes)},
          {"record_count", c.record_count},
          {"issued_at", c.issued_at},
          {"records", std::move(records)}};
}

json::object settings_json(const Settings& s) {
  json::array stars;
  for (std::int64_t h : s.star_hours) stars.emplace_back(h);
  return {{"star_hours", std::move(stars)},
          {"points_expiry_days", s.points_expiry_days},
          {"checkin_distance_m", s.checkin_distance_m}};
}

template <class T, class F>
json::object items(const std::vector<T>& rows, F&& to_json) {
  json::array out;
  for (const T& row : rows) out.push_back(to_json(row));
  return {{"items", std::move(out)}};
}

std::optional<std::int64_t> cursor_id(http::QueryFields& f) {
  auto c = f.text("cursor", 20);
  if (!c) return std::nullopt;
  try {
    const std::int64_t id = std::stoll(*c);
    if (id > 0 && std::to_string(id) == *c) return id;
  } catch (const std::exception&) {
  }
  f.add_error("cursor", "format", "分页游标无效");
  return std::nullopt;
}

// Seconds between scheduler passes: CIVICGRID_VOLUNTEER_SECONDS (0 turns it
// off), default 60.
int sweep_seconds() {
  const char* env = std::getenv("CIVICGRID_VOLUNTEER_SECONDS");
  if (!env || !*env) return kDefaultSweepSeconds;
  char* end = nullptr;
  const long v = std::strtol(env, &end, 10);
  if (*end != '\0' || v < 0 || v > 86'400) return kDefaultSweepSeconds;
  return static_cast<int>(v);
}

// The body of every approve/reject endpoint (a registration, a backfill):
// {"decision": "approve" | "reject", "note": optional, at most 200 chars}.
struct Decision {
  bool approve = false;
  std::string note;
};

Result<Decision> read_decision(const http::Request& req) {
  return api::read_body<Decision>(req, [](http::Fields& f) {
    const auto decision = f.one_of("decision", Need::required, {"approve", "reject"});
    return Decision{decision.value_or("") == "approve",
                    f.text("note", Need::optional, 200, 0).value_or("")};
  });
}

// The check-in tokens are signed with a key of their own, kept beside the
// PII key (data/qr.key, created on first start with mode 0600).
PiiKey load_qr_key(const Config& config) {
  const std::filesystem::path dir =
      config.secret_key_file.empty() ? std::filesystem::path(config.data_dir)
                                     : std::filesystem::path(config.secret_key_file).parent_path();
  std::filesystem::create_directories(dir);
  auto key = PiiCipher::load_or_create_key((dir / "qr.key").string());
  if (!key) throw std::runtime_error("QR key: " + key.error().detail);
  return *key;
}

class VolunteersModule : public Module {
 public:
  explicit VolunteersModule(App& app) : app_(app), service_(app, load_qr_key(app.config)) {
    if (const int seconds = sweep_seconds(); seconds > 0 && app.config.background_jobs) {
      scheduler_ = Periodic("志愿服务定时任务", std::chrono::seconds(seconds), [this] { sweep(); });
    }
  }
  std::string_view name() const override { return "volunteers"; }
  void add_routes(http::Router& router) override;

 private:
  // One pass of the scheduler (run every sweep_seconds(), the first a period
  // after start; Periodic logs a pass that throws).
  void sweep() {
    const SweepReport r = service_.run_once(service_.now());
    if (r.auto_checked_out || r.expired_accounts)
      spdlog::info("志愿服务定时任务：自动签退 {} 人，积分过期 {} 个账户", r.auto_checked_out,
                   r.expired_accounts);
  }

  api::Reply reg(http::Request& req, const auth::Actor& actor);
  api::Reply me(http::Request& req, const auth::Actor& actor);
  api::Reply list(http::Request& req, const auth::Actor& actor);
  api::Reply get(http::Request& req, const auth::Actor& actor);
  api::Reply decide(http::Request& req, const auth::Actor& actor);
  api::Reply teams(http::Request& req, const auth::Actor& actor);
  api::Reply create_team(http::Request& req, const auth::Actor& actor);
  api::Reply team(http::Request& req, const auth::Actor& actor);
  api::Reply put_member(http::Request& req, const auth::Actor& actor);
  api::Reply remove_member(http::Request& req, const auth::Actor& actor);
  api::Reply activities(http::Request& req, const auth::Actor& actor);
  api::Reply create_activity(http::Request& req, const auth::Actor& actor);
  api::Reply activity(http::Request& req, const auth::Actor& actor);
  api::Reply act(http::Request& req, const auth::Actor& actor);
  api::Reply sign_up(http::Request& req, const auth::Actor& actor);
  api::Reply cancel_signup(http::Request& req, const auth::Actor& actor);
  api::Reply signups(http::Request& req, const auth::Actor& actor);
  api::Reply my_signups(http::Request& req, const auth::Actor& actor);
  api::Reply qr(http::Request& req, const auth::Actor& actor);
  api::Reply scan(http::Request& req, const auth::Actor& actor);
  api::Reply manual(http::Request& req, const auth::Actor& actor);
  api::Reply attendance(http::Request& req, const auth::Actor& actor);
  api::Reply verify(http::Request& req, const auth::Actor& actor);
  api::Reply backfills(http::Request& req, const auth::Actor& actor);
  api::Reply request_backfill(http::Request& req, const auth::Actor& actor);
  api::Reply decide_backfill(http::Request& req, const auth::Actor& actor);
  api::Reply passbook(http::Request& req, const auth::Actor& actor);
  api::Reply my_passbook(http::Request& req, const auth::Actor& actor);
  api::Reply adjust(http::Request& req, const auth::Actor& actor);
  api::Reply reverse(http::Request& req, const auth::Actor& actor);
  api::Reply gifts(http::Request& req, const auth::Actor& actor);
  api::Reply create_gift(http::Request& req, const auth::Actor& actor);
  api::Reply update_gift(http::Request& req, const auth::Actor& actor);
  api::Reply redeem(http::Request& req, const auth::Actor& actor);
  api::Reply redemptions(http::Request& req, const auth::Actor& actor);
  api::Reply hand_over(http::Request& req, const auth::Actor& actor);
  api::Reply cancel_redemption(http::Request& req, const auth::Actor& actor);
  api::Reply ranking(http::Request& req, const auth::Actor& actor);
  api::Reply certificate(http::Request& req, const auth::Actor& actor);
  api::Reply my_certificate(http::Request& req, const auth::Actor& actor);
  api::Reply notices(http::Request& req, const auth::Actor& actor);
  api::Reply settings(http::Request& req, const auth::Actor& actor);
  api::Reply put_settings(http::Request& req, const auth::Actor& actor);

  App& app_;
  VolunteerService service_;
  Periodic scheduler_;  // last: stops before the service is destroyed
};

void VolunteersModule::add_routes(http::Router& router) {
  using S = VolunteersModule;
  const auto bind = [this](auto method) { return api::guard(app_, this, method); };
  router.post("/api/v1/volunteers/register", bind(&S::reg));
  router.get("/api/v1/volunteers/me", bind(&S::me));
  router.get("/api/v1/volunteers/me/signups", bind(&S::my_signups));
  router.get("/api/v1/volunteers/me/passbook", bind(&S::my_passbook));
  router.get("/api/v1/volunteers/me/notices", bind(&S::notices));
  router.post("/api/v1/volunteers/me/certificates", bind(&S::my_certificate));
  router.get("/api/v1/volunteers", bind(&S::list));
  router.get("/api/v1/volunteers/{id}", bind(&S::get));
  router.post("/api/v1/volunteers/{id}/decision", bind(&S::decide));
  router.get("/api/v1/volunteers/{id}/passbook", bind(&S::passbook));
  router.post("/api/v1/volunteers/{id}/certificates", bind(&S::certificate));
  router.get("/api/v1/volunteer-teams", bind(&S::teams));
  router.post("/api/v1/volunteer-teams", bind(&S::create_team));
  router.get("/api/v1/volunteer-teams/{id}", bind(&S::team));
  router.put("/api/v1/volunteer-teams/{id}/members/{volunteer_id}", bind(&S::put_member));
  router.del("/api/v1/volunteer-teams/{id}/members/{volunteer_id}", bind(&S::remove_member));
  router.get("/api/v1/volunteer-activities", bind(&S::activities));
  router.post("/api/v1/volunteer-activities", bind(&S::create_activity));
  router.get("/api/v1/volunteer-activities/{id}", bind(&S::activity));
  router.post("/api/v1/volunteer-activities/{id}/actions", bind(&S::act));
  router.post("/api/v1/volunteer-activities/{id}/signup", bind(&S::sign_up));
  router.del("/api/v1/volunteer-activities/{id}/signup", bind(&S::cancel_signup));
  router.get("/api/v1/volunteer-activities/{id}/signups", bind(&S::signups));
  router.get("/api/v1/volunteer-activities/{id}/qr", bind(&S::qr));
  router.post("/api/v1/volunteer-activities/{id}/scan", bind(&S::scan));
  router.get("/api/v1/volunteer-activities/{id}/attendance", bind(&S::attendance));
  router.post("/api/v1/volunteer-activities/{id}/attendance", bind(&S::manual));
  router.post("/api/v1/volunteer-attendance/{id}/verify", bind(&S::verify));
  router.get("/api/v1/volunteer-backfills", bind(&S::backfills));
  router.post("/api/v1/volunteer-backfills", bind(&S::request_backfill));
  router.post("/api/v1/volunteer-backfills/{id}/decision", bind(&S::decide_backfill));
  router.post("/api/v1/points/adjustments", bind(&S::adjust));
  router.post("/api/v1/points/transfers/{id}/reverse", bind(&S::reverse));
  router.get("/api/v1/volunteer-gifts", bind(&S::gifts));
  router.post("/api/v1/volunteer-gifts", bind(&S::create_gift));
  router.patch("/api/v1/volunteer-gifts/{id}", bind(&S::update_gift));
  router.post("/api/v1/volunteer-gifts/{id}/redeem", bind(&S::redeem));
  router.get("/api/v1/volunteer-redemptions", bind(&S::redemptions));
  router.post("/api/v1/volunteer-redemptions/{id}/hand-over", bind(&S::hand_over));
  router.post("/api/v1/volunteer-redemptions/{id}/cancel", bind(&S::cancel_redemption));
  router.get("/api/v1/volunteer-rankings", bind(&S::ranking));
  router.get("/api/v1/volunteer-settings", bind(&S::settings));
  router.put("/api/v1/volunteer-settings", bind(&S::put_settings));
  router.get("/api/v1/volunteer-certificates/{number}", [this](http::Request& req) {
    return api::open(req, [&]() -> api::Reply {
      auto c = service_.verify_certificate(req.params["number"]);
      if (!c) return fail(c.error());
      return http::ok(certificate_json(*c));
    });
  });
}

// Every handler below: read input, call the service, render.
#define TRY(var, expr) \
  auto var = (expr);   \
  if (!var) return fail(var.error())

api::Reply VolunteersModule::reg(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<Registration>(req, [](http::Fields& f) {
        return Registration{
            f.text_list("skills", Need::optional, 20, 20).value_or(std::vector<std::string>{}),
            f.text("available_times", Need::optional, 200, 0).value_or("")};
      }));
  TRY(v, service_.register_me(actor, *in));
  return http::created(volunteer_json(*v));
}

api::Reply VolunteersModule::me(http::Request&, const auth::Actor& actor) {
  TRY(v, service_.me(actor));
  return http::ok(volunteer_json(*v));
}

api::Reply VolunteersModule::list(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  VolunteerQuery q;
  q.status = f.one_of("status", {"pending", "approved", "rejected"});
  q.area_id = f.integer("area", 1, INT64_MAX);
  q.q = f.text("q", 20);
  q.before_id = cursor_id(f);
  q.limit = static_cast<int>(f.integer("limit", 1, 100).value_or(20));
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  std::optional<std::string> next;
  TRY(rows, service_.list(actor, q, next));
  json::object out = items(*rows, volunteer_json);
  out["next_cursor"] = opt(next);
  return http::ok(out);
}

api::Reply VolunteersModule::get(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(v, service_.get(actor, *id));
  return http::ok(volunteer_json(*v));
}

api::Reply VolunteersModule::decide(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, read_decision(req));
  TRY(v, service_.decide(actor, *id, in->approve, in->note));
  return http::ok(volunteer_json(*v));
}

api::Reply VolunteersModule::teams(http::Request&, const auth::Actor& actor) {
  TRY(rows, service_.teams(actor));
  return http::ok(items(*rows, team_json));
}

api::Reply VolunteersModule::create_team(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<NewTeam>(req, [](http::Fields& f) {
        return NewTeam{
            f.text("name", Need::required, 40).value_or(""),
            f.one_of("kind", Need::required, {"community", "street", "party_branch"}).value_or(""),
            f.integer("area_id", Need::required, 1).value_or(0),
            f.text("description", Need::optional, 500, 0).value_or("")};
      }));
  TRY(t, service_.create_team(actor, *in));
  return http::created(team_json(*t));
}

api::Reply VolunteersModule::team(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(t, service_.team(actor, *id));
  json::object out = team_json(t->first);
  json::array members;
  for (const TeamMember& m : t->second) {
    members.push_back({{"volunteer_id", m.volunteer_id},
                       {"number", opt(m.number)},
                       {"name", m.name},
                       {"role", m.role},
                       {"joined_at", m.joined_at}});
  }
  out["members"] = std::move(members);
  return http::ok(out);
}

api::Reply VolunteersModule::put_member(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(vid, api::id_param(req, "volunteer_id"));
  TRY(in, api::read_body<std::string>(req, [](http::Fields& f) {
        return f.one_of("role", Need::optional, {"member", "leader"}).value_or("member");
      }));
  if (auto ok = service_.put_member(actor, *id, *vid, *in); !ok) return fail(ok.error());
  return http::no_content();
}

api::Reply VolunteersModule::remove_member(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(vid, api::id_param(req, "volunteer_id"));
  if (auto ok = service_.remove_member(actor, *id, *vid); !ok) return fail(ok.error());
  return http::no_content();
}

api::Reply VolunteersModule::activities(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  ActivityQuery q;
  q.status =
      f.one_of("status", {"draft", "published", "running", "finished", "verified", "cancelled"});
  q.area_id = f.integer("area", 1, INT64_MAX);
  q.team_id = f.integer("team", 1, INT64_MAX);
  q.from = f.integer("from", 0, kMaxEpochMs);
  q.to = f.integer("to", 0, kMaxEpochMs);
  q.before_id = cursor_id(f);
  q.limit = static_cast<int>(f.integer("limit", 1, 100).value_or(20));
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  std::optional<std::string> next;
  TRY(rows, service_.activities(actor, q, next));
  json::object out = items(*rows, activity_json);
  out["next_cursor"] = opt(next);
  return http::ok(out);
}

api::Reply VolunteersModule::create_activity(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<NewActivity>(req, [](http::Fields& f) {
        NewActivity a;
        a.team_id = f.integer("team_id", Need::required, 1).value_or(0);
        a.area_id = f.integer("area_id", Need::optional, 1);
        a.title = f.text("title", Need::required, 60).value_or("");
        a.content = f.text("content", Need::optional, 2000, 0).value_or("");
        a.venue = f.text("venue", Need::optional, 100, 0).value_or("");
        a.lat = f.number("lat", Need::optional, -90, 90);
        a.lng = f.number("lng", Need::optional, -180, 180);
        a.start_at = f.integer("start_at", Need::required, 1, kMaxEpochMs).value_or(0);
        a.end_at = f.integer("end_at", Need::required, 1, kMaxEpochMs).value_or(0);
        a.signup_deadline = f.integer("signup_deadline", Need::optional, 1, kMaxEpochMs);
        a.capacity = f.integer("capacity", Need::required, 1, 10'000).value_or(0);
        a.points_per_hour = f.integer("points_per_hour", Need::optional, 0, 1000).value_or(10);
        a.points_cap = f.integer("points_cap", Need::optional, 0, 100'000).value_or(0);
        a.open_area_id = f.integer("open_area_id", Need::optional, 1);
        a.required_skills = f.text_list("required_skills", Need::optional, 10, 20)
                                .value_or(std::vector<std::string>{});
        return a;
      }));
  TRY(a, service_.create_activity(actor, *in));
  return http::created(activity_json(*a));
}

api::Reply VolunteersModule::activity(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(a, service_.activity(actor, *id));
  return http::ok(activity_json(*a));
}

api::Reply VolunteersModule::act(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  struct In {
    std::string action, reason;
  };
  TRY(in, api::read_body<In>(req, [](http::Fields& f) {
        return In{f.one_of("action", Need::required, {"publish", "cancel"}).value_or(""),
                  f.text("reason", Need::optional, 200, 0).value_or("")};
      }));
  TRY(a, service_.act(actor, *id, in->action, in->reason));
  return http::ok(activity_json(*a));
}

api::Reply VolunteersModule::sign_up(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<int>(req, [](http::Fields&) { return 0; }));
  TRY(s, service_.sign_up(actor, *id));
  return http::created(signup_json(*s));
}

api::Reply VolunteersModule::cancel_signup(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(s, service_.cancel_signup(actor, *id));
  return http::ok(signup_json(*s));
}

api::Reply VolunteersModule::signups(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(rows, service_.signups(actor, *id));
  return http::ok(items(*rows, signup_json));
}

api::Reply VolunteersModule::my_signups(http::Request&, const auth::Actor& actor) {
  TRY(rows, service_.my_signups(actor));
  return http::ok(items(*rows, signup_json));
}

api::Reply VolunteersModule::qr(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(t, service_.qr_token(actor, *id));
  return http::ok(json::object{{"token", t->token},
                               {"window_start", t->window_start},
                               {"expires_at", t->expires_at},
                               {"window_seconds", kQrWindowMs / 1000}});
}

api::Reply VolunteersModule::scan(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<ScanInput>(req, [](http::Fields& f) {
        return ScanInput{f.text("token", Need::required, 100).value_or(""),
                         f.number("lat", Need::optional, -90, 90),
                         f.number("lng", Need::optional, -180, 180)};
      }));
  TRY(r, service_.scan(actor, *id, *in));
  json::object out = attendance_json(r->first);
  out["direction"] = r->second;
  return http::ok(out);
}

api::Reply VolunteersModule::manual(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<ManualAttendance>(req, [](http::Fields& f) {
        return ManualAttendance{
            f.integer("volunteer_id", Need::required, 1).value_or(0),
            f.one_of("action", Need::required, {"check_in", "check_out"}).value_or(""),
            f.integer("at", Need::optional, 1, kMaxEpochMs)};
      }));
  TRY(a, service_.manual(actor, *id, *in));
  return http::ok(attendance_json(*a));
}

api::Reply VolunteersModule::attendance(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(rows, service_.attendance(actor, *id));
  return http::ok(items(*rows, attendance_json));
}

api::Reply VolunteersModule::verify(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<Verification>(req, [](http::Fields& f) {
        return Verification{
            f.one_of("decision", Need::required, {"approve", "adjust", "reject"}).value_or(""),
            f.integer("minutes", Need::optional, 0, 7 * 24 * 60),
            f.text("reason", Need::optional, 200, 0).value_or("")};
      }));
  TRY(a, service_.verify(actor, *id, *in));
  return http::ok(attendance_json(*a));
}

api::Reply VolunteersModule::backfills(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  auto status = f.one_of("status", {"pending", "approved", "rejected"});
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  TRY(rows, service_.backfills(actor, status));
  return http::ok(items(*rows, backfill_json));
}

api::Reply VolunteersModule::request_backfill(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<NewBackfill>(req, [](http::Fields& f) {
        return NewBackfill{f.integer("activity_id", Need::required, 1).value_or(0),
                           f.integer("volunteer_id", Need::optional, 1),
                           f.integer("check_in_at", Need::required, 1, kMaxEpochMs).value_or(0),
                           f.integer("check_out_at", Need::required, 1, kMaxEpochMs).value_or(0),
                           f.text("reason", Need::required, 200).value_or("")};
      }));
  TRY(b, service_.request_backfill(actor, *in));
  return http::created(backfill_json(*b));
}

api::Reply VolunteersModule::decide_backfill(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, read_decision(req));
  TRY(b, service_.decide_backfill(actor, *id, in->approve, in->note));
  return http::ok(backfill_json(*b));
}

json::object passbook_json(const Passbook& p) {
  json::array lines;
  for (const PassbookLine& l : p.lines) {
    lines.push_back({{"transfer_id", l.transfer_id},
                     {"at", l.at},
                     {"kind", l.kind},
                     {"description", l.description},
                     {"place", l.place},
                     {"verified_hours", l.minutes ? json::value(hours(*l.minutes)) : nullptr},
                     {"points", l.points},
                     {"balance", l.balance}});
  }
  return {{"volunteer", volunteer_json(p.volunteer)},
          {"balance", p.balance},
          {"verified_hours", hours(p.verified_minutes)},
          {"lines", std::move(lines)}};
}

api::Reply VolunteersModule::passbook(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(p, service_.passbook(actor, *id));
  return http::ok(passbook_json(*p));
}

api::Reply VolunteersModule::my_passbook(http::Request&, const auth::Actor& actor) {
  TRY(p, service_.passbook(actor, std::nullopt));
  return http::ok(passbook_json(*p));
}

api::Reply VolunteersModule::adjust(http::Request& req, const auth::Actor& actor) {
  struct In {
    std::int64_t volunteer_id = 0, points = 0;
    std::string reason;
  };
  TRY(in, api::read_body<In>(req, [](http::Fields& f) {
        return In{f.integer("volunteer_id", Need::required, 1).value_or(0),
                  f.integer("points", Need::required, -100'000, 100'000).value_or(0),
                  f.text("reason", Need::required, 200).value_or("")};
      }));
  TRY(t, service_.adjust(actor, in->volunteer_id, in->points, in->reason));
  return http::created(transfer_json(*t));
}

api::Reply VolunteersModule::reverse(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<std::string>(req, [](http::Fields& f) {
        return f.text("reason", Need::required, 200).value_or("");
      }));
  TRY(t, service_.reverse(actor, *id, *in));
  return http::created(transfer_json(*t));
}

GiftInput read_gift(http::Fields& f, bool patch) {
  const Need need = patch ? Need::optional : Need::required;
  GiftInput g;
  if (!patch) g.area_id = f.integer("area_id", Need::required, 1);
  g.name = f.text("name", need, 40);
  g.description = f.text("description", Need::optional, 500, 0);
  g.points_price = f.integer("points_price", need, 1, 1'000'000);
  g.stock = f.integer("stock", need, 0, 1'000'000);
  g.active = f.boolean("active", Need::optional);
  return g;
}

api::Reply VolunteersModule::gifts(http::Request&, const auth::Actor& actor) {
  TRY(rows, service_.gifts(actor));
  return http::ok(items(*rows, gift_json));
}

api::Reply VolunteersModule::create_gift(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<GiftInput>(req, [](http::Fields& f) { return read_gift(f, false); }));
  TRY(g, service_.create_gift(actor, *in));
  return http::created(gift_json(*g));
}

api::Reply VolunteersModule::update_gift(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<GiftInput>(req, [](http::Fields& f) { return read_gift(f, true); }));
  TRY(g, service_.update_gift(actor, *id, *in));
  return http::ok(gift_json(*g));
}

api::Reply VolunteersModule::redeem(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<std::int64_t>(req, [](http::Fields& f) {
        return f.integer("quantity", Need::optional, 1, 100).value_or(1);
      }));
  TRY(r, service_.redeem(actor, *id, *in));
  return http::created(redemption_json(*r, true));
}

api::Reply VolunteersModule::redemptions(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  auto status = f.one_of("status", {"reserved", "completed", "cancelled"});
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  TRY(rows, service_.redemptions(actor, status));
  // The pick-up code is shown to its owner only; the desk asks for it.
  return http::ok(
      items(*rows, [&](const Redemption& r) { return redemption_json(r, r.callers_own); }));
}

api::Reply VolunteersModule::hand_over(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<std::string>(req, [](http::Fields& f) {
        return f.text("pickup_code", Need::required, 20).value_or("");
      }));
  TRY(r, service_.hand_over(actor, *id, *in));
  return http::ok(redemption_json(*r, false));
}

api::Reply VolunteersModule::cancel_redemption(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<int>(req, [](http::Fields&) { return 0; }));
  TRY(r, service_.cancel_redemption(actor, *id));
  return http::ok(redemption_json(*r, false));
}

api::Reply VolunteersModule::ranking(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  RankingQuery q;
  q.area_id = f.integer("area", 1, INT64_MAX);
  q.period = f.one_of("period", {"week", "month", "year"}).value_or("month");
  q.by = f.one_of("by", {"hours", "points"}).value_or("hours");
  q.date = f.text("date", 10);
  if (q.date && !http::is_valid_date(*q.date))
    f.add_error("date", "format", "日期格式应为 YYYY-MM-DD");
  q.limit = static_cast<int>(f.integer("limit", 1, 100).value_or(20));
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  TRY(r, service_.ranking(actor, q));
  json::array rows;
  for (const RankingRow& row : r->rows) {
    rows.push_back({{"rank", row.rank},
                    {"volunteer_id", row.volunteer_id},
                    {"number", opt(row.number)},
                    {"name", row.name},
                    {"area_name", row.area_name},
                    {"hours", hours(row.minutes)},
                    {"points", row.points}});
  }
  return http::ok(json::object{{"area", {{"id", r->area_id}, {"name", r->area_name}}},
                               {"period", r->period},
                               {"by", r->by},
                               {"from", r->from},
                               {"to", r->to},
                               {"items", std::move(rows)}});
}

api::Reply VolunteersModule::certificate(http::Request& req, const auth::Actor& actor) {
  TRY(id, api::id_param(req));
  TRY(in, api::read_body<int>(req, [](http::Fields&) { return 0; }));
  TRY(c, service_.issue_certificate(actor, *id));
  return http::created(certificate_json(*c));
}

api::Reply VolunteersModule::my_certificate(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<int>(req, [](http::Fields&) { return 0; }));
  TRY(c, service_.issue_certificate(actor, std::nullopt));
  return http::created(certificate_json(*c));
}

api::Reply VolunteersModule::notices(http::Request&, const auth::Actor& actor) {
  TRY(rows, service_.notices(actor));
  return http::ok(items(*rows, [](const Notice& n) {
    return json::object{{"id", n.id},
                        {"activity_id", opt(n.activity_id)},
                        {"kind", n.kind},
                        {"message", n.message},
                        {"created_at", n.created_at}};
  }));
}

api::Reply VolunteersModule::settings(http::Request&, const auth::Actor& actor) {
  TRY(s, service_.settings(actor));
  return http::ok(settings_json(*s));
}

api::Reply VolunteersModule::put_settings(http::Request& req, const auth::Actor& actor) {
  TRY(in, api::read_body<Settings>(req, [](http::Fields& f) {
        Settings s;
        s.star_hours.clear();
        if (const json::value* v = f.raw("star_hours", Need::required)) {
          const bool ok = v->is_array() && !v->as_array().empty() && v->as_array().size() <= 10 &&
                          std::ranges::all_of(v->as_array(), [](const json::value& h) {
                            return h.is_int64() && h.as_int64() > 0 && h.as_int64() <= 100'000;
                          });
          if (ok) {
            for (const json::value& h : v->as_array()) s.star_hours.push_back(h.as_int64());
          } else {
            f.add_error("star_hours", "format", "星级时长应为1到10个正整数（小时）");
          }
        }
        s.points_expiry_days =
            f.integer("points_expiry_days", Need::required, 0, 36'500).value_or(0);
        s.checkin_distance_m =
            f.integer("checkin_distance_m", Need::required, 10, 100'000).value_or(500);
        return s;
      }));
  TRY(s, service_.put_settings(actor, *in));
  return http::ok(settings_json(*s));
}

#undef TRY

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<VolunteersModule>(app);
}

}  // namespace cg::volunteers
