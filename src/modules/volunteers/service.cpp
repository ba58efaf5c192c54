#include "modules/volunteers/service.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "core/text.hpp"
#include "db/db.hpp"
#include "modules/audit/model.hpp"
#include "modules/notify/service.hpp"
#include "modules/org/service.hpp"
#include "modules/volunteers/store.hpp"

namespace cg::volunteers {

namespace testing {
namespace {
std::atomic<std::int64_t> fake_now{0};
}
void set_now(std::optional<std::int64_t> ms) {
  fake_now = ms.value_or(0);
}
}  // namespace testing

namespace {

using auth::Permission;
using db::PathRange;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kCheckInEarly = 30 * kMinute;  // doors open half an hour before the start
constexpr std::int64_t kAutoCheckOutAfter = 12 * kHour;
constexpr std::int64_t kCstOffset = 8 * kHour;

// ---- who may do what ------------------------------------------------------------

bool manages(const auth::Principal& p, std::string_view path) {
  return p.can(Permission::volunteers_manage, path);
}

std::vector<PathRange> manager_scopes(const auth::Principal& p) {
  std::vector<PathRange> out;
  for (const std::string& s : p.scopes(Permission::volunteers_manage))
    out.push_back({s, auth::subtree_end(s)});
  return out;
}

PathRange range_of(const std::string& path) {
  return {path, auth::subtree_end(path)};
}

// Every ancestor path of `path` including itself: "/1/2/" → "/1/", "/1/2/".
std::vector<std::string> ancestors(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < path.size(); ++i)
    if (path[i] == '/') out.push_back(path.substr(0, i + 1));
  return out;
}

std::string role_for(const auth::Principal& p, std::string_view path) {
  return p.acting_role(Permission::volunteers_manage, path);
}

std::string actor_name(const auth::Principal& p) {
  return p.display_name.empty() ? p.username : p.display_name;
}

std::optional<std::int64_t> user_or_none(const auth::Principal& p) {
  if (p.user_id == 0) return std::nullopt;
  return p.user_id;
}

Error not_visible(std::string what = "记录") {
  return errors::not_found(what + "不存在或不在您的管辖范围内");
}

Error state_conflict(std::string detail) {
  return errors::conflict("illegal-transition", "当前状态不允许此操作", std::move(detail));
}

Error not_volunteer() {
  return errors::forbidden("您还不是已通过审核的志愿者，请先注册并等待审核");
}

void audit(App& app, db::Conn& conn, const auth::Actor& actor, const std::string& action,
           const std::string& type, std::int64_t id, std::string detail, const std::string& path) {
  app.audit->record(
      conn, actor,
      {action, type, std::to_string(id), std::move(detail), path, role_for(actor.who, path)});
}

// Tells volunteers what happened to them through the notifications module
// (the console bell, the phone's banner and 我的消息): each notice is recorded
// in the transaction of the change it reports and published after the commit.
// Kinds are "volunteer.<what>"; the subject is the activity when there is one.
class Tell {
 public:
  explicit Tell(App& app, std::optional<std::int64_t> actor_user)
      : app_(app), actor_user_(actor_user) {}

  // A write transaction may run its body again: start each attempt afresh.
  void reset() { recorded_.clear(); }

  // The volunteer is not told of what they did themselves.
  void volunteer(db::Conn& conn, std::int64_t volunteer_id, std::optional<std::int64_t> activity_id,
                 const std::string& kind, std::string title, std::string body, std::int64_t now) {
    auto v = store::find_volunteer(conn, volunteer_id);
    if (!v || v->user_id == 0 || v->user_id == actor_user_) return;
    notify::Notice n;
    n.user_id = v->user_id;
    n.kind = "volunteer." + kind;
    n.title = std::move(title);
    n.body = std::move(body);
    n.subject_type = activity_id ? "volunteer_activity" : "volunteer";
    n.subject_id = activity_id ? activity_id : std::optional(volunteer_id);
    auto made = app_.notify->record(conn, {std::move(n)}, now);
    recorded_.insert(recorded_.end(), made.begin(), made.end());
  }

  // After the commit: to the volunteers' open pages.
  void publish() { app_.notify->publish(recorded_); }

 private:
  App& app_;
  std::optional<std::int64_t> actor_user_;
  std::vector<notify::Notice> recorded_;
};

// Hours to a tenth, without a trailing ".0": 2小时, 1.5小时 (239 minutes: 4小时).
std::string hours_text(std::int64_t minutes) {
  const std::int64_t tenths = (minutes * 10 + 30) / 60;
  return tenths % 10 == 0 ? fmt::format("{}小时", tenths / 10)
                          : fmt::format("{}.{}小时", tenths / 10, tenths % 10);
}

// ---- rules ---------------------------------------------------------------------

// Service time inside the activity's window, in whole minutes.
std::int64_t minutes_in_window(std::int64_t in, std::int64_t out, const Activity& a) {
  const std::int64_t from = std::max(in, a.start_at), to = std::min(out, a.end_at);
  return to > from ? (to - from) / kMinute : 0;
}

std::int64_t points_for(const Activity& a, std::int64_t minutes) {
  const std::int64_t points = minutes * a.points_per_hour / 60;
  return a.points_cap > 0 ? std::min(points, a.points_cap) : points;
}

int stars_for(const Settings& s, std::int64_t minutes) {
  int stars = 0;
  for (std::int64_t hours : s.star_hours)
    if (minutes >= hours * 60) ++stars;
  return stars;
}

double distance_m(double lat1, double lng1, double lat2, double lng2) {
  constexpr double kEarth = 6'371'000.0, kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (lat2 - lat1) * kRad, dlng = (lng2 - lng1) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarth * std::asin(std::sqrt(h));
}

std::string hex(const unsigned char* bytes, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

std::string random_digits(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + randombytes_uniform(10));
  return out;
}

std::string random_code(int n) {
  static constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  std::string out;
  for (int i = 0; i < n; ++i) out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  return out;
}

// The local (China Standard Time) date of an instant.
std::chrono::year_month_day cst_date(std::int64_t ms) {
  using namespace std::chrono;
  return year_month_day{floor<days>(sys_time<milliseconds>(milliseconds(ms + kCstOffset)))};
}

std::int64_t cst_midnight(std::chrono::sys_days day) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count() -
         kCstOffset;
}

// [from, to) of the week (Monday first), month or year holding `day`.
std::pair<std::int64_t, std::int64_t> period_bounds(const std::string& period,
                                                    std::chrono::year_month_day day) {
  using namespace std::chrono;
  if (period == "week") {
    const sys_days d{day};
    const sys_days monday = d - (weekday{d} - Monday);
    return {cst_midnight(monday), cst_midnight(monday + days{7})};
  }
  if (period == "year") {
    return {cst_midnight(sys_days{day.year() / January / 1}),
            cst_midnight(sys_days{(day.year() + years{1}) / January / 1})};
  }
  const year_month ym{day.year(), day.month()};
  return {cst_midnight(sys_days{ym / 1}), cst_midnight(sys_days{(ym + months{1}) / 1})};
}

std::string format_cst_date(std::int64_t ms) {
  const auto d = cst_date(ms);
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

// ---- reading the caller ----------------------------------------------------------

std::optional<Volunteer> my_volunteer(db::Conn& conn, const auth::Principal& p) {
  if (p.user_id == 0) return std::nullopt;
  return store::volunteer_of_user(conn, p.user_id);
}

Result<Volunteer> approved_me(db::Conn& conn, const auth::Principal& p) {
  auto v = my_volunteer(conn, p);
  if (!v || v->status != "approved") return fail(not_volunteer());
  return *v;
}

bool can_see_activity(const auth::Principal& p, const Activity& a,
                      const std::optional<Volunteer>& me) {
  if (manages(p, a.path)) return true;
  return me && me->status == "approved" && a.status != "draft" &&
         auth::path_within(me->path, a.open_area_path);
}

Status check_activity_input(const NewActivity& in) {
  std::vector<FieldError> errors;
  const std::size_t title = utf8_length(trim(in.title));
  if (title < 2 || title > 60) errors.push_back({"title", "length", "标题应为2到60个字符"});
  if (in.end_at <= in.start_at) errors.push_back({"end_at", "order", "结束时间应晚于开始时间"});
  if (in.end_at - in.start_at > 7 * kDay)
    errors.push_back({"end_at", "range", "一次活动不能超过7天"});
  if (in.signup_deadline && *in.signup_deadline > in.start_at)
    errors.push_back({"signup_deadline", "order", "报名截止时间不能晚于开始时间"});
  if (in.lat.has_value() != in.lng.has_value())
    errors.push_back({in.lat ? "lng" : "lat", "required", "经纬度需同时提供"});
  for (const std::string& s : in.required_skills)
    if (s.find(',') != std::string::npos)
      errors.push_back({"required_skills", "format", "技能名称不能包含逗号"});
  if (!errors.empty()) return fail(errors::validation(std::move(errors)));
  return {};
}

// ---- the points bank -------------------------------------------------------------

// Posts the earning of a verified record, once: the posting key is unique, so
// a second posting (also a concurrent one) fails in the database.
void post_earning(db::Conn& conn, const auth::Principal& p, const Activity& a,
                  const Attendance& rec, std::int64_t minutes, std::int64_t now) {
  const std::int64_t points = points_for(a, minutes);
  if (points <= 0) return;
  const Account pool = store::pool_account(conn, a.area_id, a.path, now);
  auto vol = store::find_volunteer(conn, rec.volunteer_id);
  const Account mine = store::volunteer_account(conn, rec.volunteer_id, vol->path, now);
  Transfer t;
  t.at = now;
  t.from_account = pool.id;
  t.to_account = mine.id;
  t.amount = points;
  t.kind = "earn";
  t.attendance_id = rec.id;
  t.posting_key = "earn:" + std::to_string(rec.id);
  t.memo = a.title;
  t.actor_id = user_or_none(p);
  t.actor_name = actor_name(p);
  store::transfer(conn, t);  // a pool may always pay
}

Error too_few_points(std::int64_t balance, std::int64_t needed) {
  return errors::conflict("insufficient-points", "积分不足",
                          fmt::format("当前积分 {}，需要 {}", balance, needed));
}

// Verifies a pending record and posts its earning; moves a finished activity
// to "verified" when nothing is left to verify. Tells the volunteer when
// `tell` is given (an approved back-fill tells of its own).
Result<Attendance> verify_record(App& app, db::Conn& conn, const auth::Actor& actor,
                                 const Attendance& rec, const Verification& in, std::int64_t now,
                                 Tell* tell) {
  auto a = store::find_activity(conn, rec.activity_id);
  std::optional<std::int64_t> minutes;
  std::string status;
  if (in.decision == "approve") {
    status = "approved";
    minutes = rec.minutes;
  } else if (in.decision == "adjust") {
    status = "adjusted";
    minutes = in.minutes;
    const std::int64_t window = (a->end_at - a->start_at) / kMinute;
    if (!minutes || *minutes < 0 || *minutes > window)
      return fail(errors::invalid_field(
          "minutes", "range", fmt::format("核定时长应在0到{}分钟之间（活动时长）", window)));
  } else {
    status = "rejected";
    minutes = 0;
  }
  if (in.decision != "approve" && trim(in.reason).empty())
    return fail(errors::invalid_field("reason", "required", "调整或驳回时长须填写原因"));
  if (!store::verify_attendance(conn, rec.id, status, minutes, std::string(trim(in.reason)),
                                actor.who.user_id, now))
    return fail(state_conflict("该记录已审核或尚未签退，不能重复审核"));
  if (status != "rejected") post_earning(conn, actor.who, *a, rec, *minutes, now);
  if (a->status == "finished" && store::count_unverified(conn, a->id) == 0)
    store::set_activity_status(conn, a->id, "verified", "", now);
  audit(app, conn, actor, "volunteer.attendance." + in.decision, "volunteer_attendance", rec.id,
        fmt::format("minutes={} reason={}", *minutes, in.reason), rec.path);
  if (tell) {
    const std::string reason(trim(in.reason));
    if (status == "rejected") {
      tell->volunteer(conn, rec.volunteer_id, a->id, "hours_rejected", "服务时长未通过审核",
                      fmt::format("活动“{}”的服务记录未通过审核：{}", a->title, reason), now);
    } else {
      tell->volunteer(
          conn, rec.volunteer_id, a->id, "hours_verified", "服务时长已审核",
          fmt::format("活动“{}”核定服务时长{}，积分{}{}", a->title, hours_text(*minutes),
                      points_for(*a, *minutes), reason.empty() ? "" : "（" + reason + "）"),
          now);
    }
  }
  return *store::find_attendance(conn, rec.id);
}

// Runs `fn` in a write transaction; a duplicate key (a posting made twice by
// concurrent requests) becomes 409 instead of 500.
template <class F>
auto write_once(App& app, F&& fn) -> std::invoke_result_t<F, db::Conn&> {
  try {
    return app.db->write(std::forward<F>(fn));
  } catch (const db::DbError& e) {
    if (!e.unique_violation()) throw;
    return fail(state_conflict("该操作已完成，不能重复执行"));
  }
}

}  // namespace

VolunteerService::VolunteerService(App& app, const PiiKey& qr_key) : app_(app), qr_key_(qr_key) {
  clock_ = [] {
    const std::int64_t fake = testing::fake_now.load();
    return fake != 0 ? fake : now_ms();
  };
}

// ---- volunteers ----------------------------------------------------------------

Result<Volunteer> VolunteerService::register_me(const auth::Actor& actor,
                                                const Registration& input) const {
  const auth::Principal& p = actor.who;
  for (const std::string& s : input.skills)
    if (s.find(',') != std::string::npos)
      return fail(errors::invalid_field("skills", "format", "技能名称不能包含逗号"));
  if (p.user_id == 0 || p.grants.empty())
    return fail(errors::forbidden("该账号没有所属区域，不能注册志愿者"));
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Volunteer> {
    if (auto existing = store::volunteer_of_user(conn, p.user_id)) {
      if (existing->status == "approved")
        return fail(errors::conflict("already-registered", "已经是志愿者",
                                     fmt::format("您已是志愿者（编号{}）", *existing->number)));
      // A pending or rejected registration is updated and (again) awaits approval.
      existing->skills = input.skills;
      existing->available_times = input.available_times;
      existing->status = "pending";
      store::update_registration(conn, *existing, now);
      return *store::find_volunteer(conn, existing->id);
    }
    Volunteer v;
    v.user_id = p.user_id;
    v.skills = input.skills;
    v.available_times = input.available_times;
    v.status = "pending";
    v.created_at = now;
    if (p.kind == "resident" && p.resident_id) {
      auto r = store::find_resident(conn, *p.resident_id);
      if (!r) return fail(errors::forbidden("找不到您的居民档案，请联系社区"));
      v.kind = "resident";
      v.resident_id = r->id;
      v.name = r->name;
      v.area_id = r->grid_id;
      v.street_id = r->street_id;
      v.path = r->path;
      v.id_number_masked = r->id_number_masked;
      v.phone_masked = r->phone_masked;
    } else {
      const auth::Grant& g = p.grants.front();
      auto area = app_.org->area_by_id(conn, g.area_id);
      if (!area) return fail(errors::forbidden("该账号没有所属区域，不能注册志愿者"));
      v.kind = "staff";
      v.name = actor_name(p);
      v.area_id = area->id;
      v.street_id = area->street_id;
      v.path = area->path;
    }
    v.id = store::insert_volunteer(conn, v);
    return *store::find_volunteer(conn, v.id);
  });
}

Result<Volunteer> VolunteerService::me(const auth::Actor& actor) const {
  return app_.db->read([&](db::Conn& conn) -> Result<Volunteer> {
    auto v = my_volunteer(conn, actor.who);
    if (!v) return fail(errors::not_found("您还没有注册志愿者"));
    v->verified_minutes = store::verified_minutes_of(conn, v->id);
    v->stars = stars_for(store::settings(conn), v->verified_minutes);
    // A read: look the account up rather than creating it (volunteer_account would write).
    auto account =
        conn.query_one("SELECT balance FROM points_accounts WHERE volunteer_id = $1", {v->id});
    v->balance = account ? account->i64(0) : 0;
    return *v;
  });
}

Result<Volunteer> VolunteerService::get(const auth::Actor& actor, std::int64_t id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<Volunteer> {
    auto v = store::find_volunteer(conn, id);
    if (!v || !(manages(actor.who, v->path) || v->user_id == actor.who.user_id))
      return fail(not_visible("志愿者"));
    v->verified_minutes = store::verified_minutes_of(conn, v->id);
    v->stars = stars_for(store::settings(conn), v->verified_minutes);
    auto rows = conn.query_one("SELECT balance FROM points_accounts WHERE volunteer_id = $1", {id});
    v->balance = rows ? rows->i64(0) : 0;
    return *v;
  });
}

Result<std::vector<Volunteer>> VolunteerService::list(const auth::Actor& actor,
                                                      const VolunteerQuery& q,
                                                      std::optional<std::string>& next) const {
  const auto scopes = manager_scopes(actor.who);
  if (scopes.empty()) return fail(errors::forbidden("只有志愿者管理员可以查看志愿者名册"));
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Volunteer>> {
    std::optional<PathRange> area;
    if (q.area_id) {
      auto a = app_.org->area_by_id(conn, *q.area_id);
      if (!a) return fail(errors::invalid_field("area", "not-found", "区域不存在"));
      area = range_of(a->path);
    }
    auto rows = store::search_volunteers(conn, scopes, q, area);
    if (rows.size() > static_cast<std::size_t>(q.limit)) {
      rows.resize(static_cast<std::size_t>(q.limit));
      next = std::to_string(rows.back().id);
    }
    return rows;
  });
}

Result<Volunteer> VolunteerService::decide(const auth::Actor& actor, std::int64_t id, bool approve,
                                           const std::string& note) const {
  const std::int64_t now = this->now();
  if (!approve && trim(note).empty())
    return fail(errors::invalid_field("note", "required", "不通过时请填写原因"));
  Tell tell(app_, user_or_none(actor.who));
  auto done = app_.db->write([&](db::Conn& conn) -> Result<Volunteer> {
    tell.reset();
    auto v = store::find_volunteer(conn, id);
    if (!v || !manages(actor.who, v->path)) return fail(not_visible("志愿者"));
    if (v->status != "pending") return fail(state_conflict("该注册申请已审核"));
    std::optional<std::int64_t> number;
    if (approve) number = store::next_volunteer_number(conn);
    store::decide_volunteer(conn, id, approve ? "approved" : "rejected", number,
                            std::string(trim(note)), actor.who.user_id, now);
    if (approve) store::volunteer_account(conn, id, v->path, now);
    audit(app_, conn, actor, approve ? "volunteer.approve" : "volunteer.reject", "volunteer", id,
          number ? fmt::format("number={}", *number) : note, v->path);
    tell.volunteer(conn, id, std::nullopt, approve ? "approved" : "rejected",
                   approve ? "志愿者注册已通过" : "志愿者注册未通过",
                   approve ? fmt::format("您的志愿者注册已通过审核，志愿者编号{}号", *number)
                           : "您的志愿者注册未通过审核：" + std::string(trim(note)),
                   now);
    return *store::find_volunteer(conn, id);
  });
  if (done) tell.publish();
  return done;
}

// ---- teams ---------------------------------------------------------------------

Result<Team> VolunteerService::create_team(const auth::Actor& actor, const NewTeam& in) const {
  const std::size_t len = utf8_length(trim(in.name));
  if (len < 2 || len > 40)
    return fail(errors::invalid_field("name", "length", "队伍名称应为2到40个字符"));
  const std::int64_t now = this->now();
  try {
    return app_.db->write([&](db::Conn& conn) -> Result<Team> {
      auto area = app_.org->area_by_id(conn, in.area_id);
      if (!area || !manages(actor.who, area->path)) return fail(not_visible("区域"));
      const bool level_ok = (in.kind == "street" && area->level == org::Level::street) ||
                            (in.kind != "street" && (area->level == org::Level::community ||
                                                     area->level == org::Level::grid));
      if (!level_ok)
        return fail(errors::invalid_field("area_id", "level",
                                          "街道队伍应属于街道，社区和党支部队伍应属于社区或网格"));
      Team t{0,
             std::string(trim(in.name)),
             in.kind,
             area->id,
             area->name,
             area->path,
             in.description,
             0,
             now};
      t.id = store::insert_team(conn, t);
      audit(app_, conn, actor, "volunteer.team.create", "volunteer_team", t.id, t.name, t.path);
      return *store::find_team(conn, t.id);
    });
  } catch (const db::DbError& e) {
    if (!e.unique_violation()) throw;
    return fail(errors::conflict("duplicate", "名称重复", "该区域已有同名队伍"));
  }
}

Result<std::vector<Team>> VolunteerService::teams(const auth::Actor& actor) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Team>> {
    auto scopes = manager_scopes(actor.who);
    // A volunteer sees the teams of the areas they live in.
    if (auto me = my_volunteer(conn, actor.who); me && me->status == "approved") {
      for (const std::string& a : ancestors(me->path)) scopes.push_back({a, a + "\x01"});
    }
    return store::teams_in(conn, scopes);
  });
}

Result<std::pair<Team, std::vector<TeamMember>>> VolunteerService::team(const auth::Actor& actor,
                                                                        std::int64_t id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::pair<Team, std::vector<TeamMember>>> {
    auto t = store::find_team(conn, id);
    auto me = my_volunteer(conn, actor.who);
    const bool member_area =
        me && me->status == "approved" && t && auth::path_within(me->path, t->path);
    if (!t || !(manages(actor.who, t->path) || member_area)) return fail(not_visible("队伍"));
    return std::pair{*t, store::team_members(conn, id)};
  });
}

Status VolunteerService::put_member(const auth::Actor& actor, std::int64_t team_id,
                                    std::int64_t volunteer_id, const std::string& role) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Status {
    auto t = store::find_team(conn, team_id);
    if (!t || !manages(actor.who, t->path)) return fail(not_visible("队伍"));
    auto v = store::find_volunteer(conn, volunteer_id);
    if (!v || !manages(actor.who, v->path))
      return fail(errors::invalid_field("volunteer_id", "not-found", "志愿者不存在"));
    if (v->status != "approved")
      return fail(errors::invalid_field("volunteer_id", "not-approved", "志愿者尚未通过审核"));
    store::put_team_member(conn, team_id, volunteer_id, role, now);
    audit(app_, conn, actor, "volunteer.team.member", "volunteer_team", team_id,
          fmt::format("volunteer={} role={}", volunteer_id, role), t->path);
    return {};
  });
}

Status VolunteerService::remove_member(const auth::Actor& actor, std::int64_t team_id,
                                       std::int64_t volunteer_id) const {
  return app_.db->write([&](db::Conn& conn) -> Status {
    auto t = store::find_team(conn, team_id);
    if (!t || !manages(actor.who, t->path)) return fail(not_visible("队伍"));
    if (!store::delete_team_member(conn, team_id, volunteer_id))
      return fail(errors::not_found("该志愿者不在队伍中"));
    audit(app_, conn, actor, "volunteer.team.leave", "volunteer_team", team_id,
          fmt::format("volunteer={}", volunteer_id), t->path);
    return {};
  });
}

// ---- activities ------------------------------------------------------------------

Result<Activity> VolunteerService::create_activity(const auth::Actor& actor,
                                                   const NewActivity& in) const {
  if (auto ok = check_activity_input(in); !ok) return fail(ok.error());
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Activity> {
    auto team = store::find_team(conn, in.team_id);
    if (!team || !manages(actor.who, team->path))
      return fail(errors::invalid_field("team_id", "not-found", "队伍不存在或不在您的管辖范围内"));
    auto area = app_.org->area_by_id(conn, in.area_id.value_or(team->area_id));
    if (!area || !auth::path_within(area->path, team->path))
      return fail(errors::invalid_field("area_id", "outside", "活动区域应在队伍所属区域之内"));
    auto open = app_.org->area_by_id(conn, in.open_area_id.value_or(area->id));
    if (!open || !manages(actor.who, open->path))
      return fail(
          errors::invalid_field("open_area_id", "not-found", "可报名区域不存在或超出管辖范围"));
    Activity a;
    a.team_id = team->id;
    a.area_id = area->id;
    a.street_id = area->street_id;
    a.path = area->path;
    a.title = std::string(trim(in.title));
    a.content = in.content;
    a.venue = in.venue;
    a.lat = in.lat;
    a.lng = in.lng;
    a.start_at = in.start_at;
    a.end_at = in.end_at;
    a.signup_deadline = in.signup_deadline.value_or(in.start_at);
    a.capacity = in.capacity;
    a.points_per_hour = in.points_per_hour;
    a.points_cap = in.points_cap;
    a.open_area_path = open->path;
    a.required_skills = in.required_skills;
    a.status = "draft";
    a.created_at = now;
    a.id = store::insert_activity(conn, a);
    audit(app_, conn, actor, "volunteer.activity.create", "volunteer_activity", a.id, a.title,
          a.path);
    return *store::find_activity(conn, a.id);
  });
}

Result<Activity> VolunteerService::activity(const auth::Actor& actor, std::int64_t id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<Activity> {
    auto a = store::find_activity(conn, id);
    if (!a || !can_see_activity(actor.who, *a, my_volunteer(conn, actor.who)))
      return fail(not_visible("活动"));
    return *a;
  });
}

Result<std::vector<Activity>> VolunteerService::activities(const auth::Actor& actor,
                                                           const ActivityQuery& q,
                                                           std::optional<std::string>& next) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Activity>> {
    std::vector<std::string> open;
    if (auto me = my_volunteer(conn, actor.who); me && me->status == "approved")
      open = ancestors(me->path);
    std::optional<PathRange> area;
    if (q.area_id) {
      auto a = app_.org->area_by_id(conn, *q.area_id);
      if (!a) return fail(errors::invalid_field("area", "not-found", "区域不存在"));
      area = range_of(a->path);
    }
    auto rows = store::search_activities(conn, manager_scopes(actor.who), open, q, area);
    if (rows.size() > static_cast<std::size_t>(q.limit)) {
      rows.resize(static_cast<std::size_t>(q.limit));
      next = std::to_string(rows.back().id);
    }
    return rows;
  });
}

Result<Activity> VolunteerService::act(const auth::Actor& actor, std::int64_t id,
                                       const std::string& action, const std::string& reason) const {
  const std::int64_t now = this->now();
  Tell tell(app_, user_or_none(actor.who));
  auto done = app_.db->write([&](db::Conn& conn) -> Result<Activity> {
    tell.reset();
    auto a = store::find_activity(conn, id);
    if (!a || !can_see_activity(actor.who, *a, my_volunteer(conn, actor.who)))
      return fail(not_visible("活动"));
    if (!manages(actor.who, a->path))
      return fail(errors::forbidden("只有组织者可以发布或取消活动"));
    if (action == "publish") {
      if (a->status != "draft") return fail(state_conflict("只有草稿状态的活动可以发布"));
      if (a->start_at <= now) return fail(state_conflict("活动开始时间已过，不能发布"));
      store::set_activity_status(conn, id, "published", "", now);
    } else {
      if (a->status != "draft" && a->status != "published")
        return fail(state_conflict("活动已开始或已结束，不能取消"));
      if (trim(reason).empty())
        return fail(errors::invalid_field("reason", "required", "取消活动须填写原因"));
      store::set_activity_status(conn, id, "cancelled", std::string(trim(reason)), now);
      for (const Signup& s : store::signups_of_activity(conn, id)) {
        if (s.status == "cancelled") continue;
        store::set_signup_status(conn, s.id, "cancelled", now);
        tell.volunteer(conn, s.volunteer_id, id, "activity_cancelled", "活动已取消",
                       fmt::format("活动“{}”已取消：{}", a->title, trim(reason)), now);
      }
    }
    audit(app_, conn, actor, "volunteer.activity." + action, "volunteer_activity", id, reason,
          a->path);
    return *store::find_activity(conn, id);
  });
  if (done) tell.publish();
  return done;
}

Result<Signup> VolunteerService::sign_up(const auth::Actor& actor, std::int64_t activity_id) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Signup> {
    auto me = approved_me(conn, actor.who);
    auto a = store::find_activity(conn, activity_id);
    if (!a || !can_see_activity(actor.who, *a, me ? std::optional(*me) : std::nullopt))
      return fail(not_visible("活动"));
    if (!me) return fail(me.error());
    if (a->status != "published") return fail(state_conflict("活动不在报名阶段"));
    if (now > a->signup_deadline) return fail(state_conflict("报名已截止"));
    if (!auth::path_within(me->path, a->open_area_path))
      return fail(errors::forbidden("该活动只接受指定区域的志愿者报名"));
    for (const std::string& skill : a->required_skills)
      if (std::ranges::find(me->skills, skill) == me->skills.end())
        return fail(errors::forbidden("该活动要求具备技能：" + skill));
    // Locks first, then count: two sign-ups for the last place, or two
    // overlapping bookings of one volunteer, are decided one after the other.
    store::lock_activity(conn, a->id, now);
    store::lock_volunteer(conn, me->id);
    auto existing = store::find_signup(conn, a->id, me->id);
    if (existing && existing->status != "cancelled")
      return fail(errors::conflict("already-signed-up", "已报名", "您已报名该活动"));
    if (auto clash = store::overlapping_signup(conn, me->id, a->id, a->start_at, a->end_at))
      return fail(
          errors::conflict("double-booking", "时间冲突",
                           fmt::format("您已报名同一时段的活动“{}”", clash->activity_title)));
    const bool full = store::count_signups(conn, a->id, "confirmed") >= a->capacity;
    Signup s;
    s.activity_id = a->id;
    s.volunteer_id = me->id;
    s.status = full ? "waitlisted" : "confirmed";
    s.start_at = a->start_at;
    s.end_at = a->end_at;
    store::upsert_signup(conn, s, now);
    auto made = *store::find_signup(conn, a->id, me->id);
    if (full) made.waitlist_position = store::waitlist_position(conn, made);
    return made;
  });
}

Result<Signup> VolunteerService::cancel_signup(const auth::Actor& actor,
                                               std::int64_t activity_id) const {
  const std::int64_t now = this->now();
  Tell tell(app_, user_or_none(actor.who));
  auto done = app_.db->write([&](db::Conn& conn) -> Result<Signup> {
    tell.reset();
    auto me = approved_me(conn, actor.who);
    if (!me) return fail(me.error());
    auto a = store::find_activity(conn, activity_id);
    auto s = a ? store::find_signup(conn, a->id, me->id) : std::nullopt;
    if (!s || s->status == "cancelled") return fail(errors::not_found("您没有报名该活动"));
    if (now >= a->start_at) return fail(state_conflict("活动已开始，不能取消报名"));
    store::lock_activity(conn, a->id, now);
    store::set_signup_status(conn, s->id, "cancelled", now);
    // The first on the waitlist takes the freed place.
    if (s->status == "confirmed" && a->status == "published" &&
        store::count_signups(conn, a->id, "confirmed") < a->capacity) {
      if (auto next = store::first_waitlisted(conn, a->id)) {
        store::set_signup_status(conn, next->id, "confirmed", now);
        tell.volunteer(conn, next->volunteer_id, a->id, "waitlist_promoted", "候补转为正式报名",
                       fmt::format("您已从候补转为正式报名：活动“{}”", a->title), now);
      }
    }
    return *store::find_signup(conn, a->id, me->id);
  });
  if (done) tell.publish();
  return done;
}

Result<std::vector<Signup>> VolunteerService::signups(const auth::Actor& actor,
                                                      std::int64_t activity_id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Signup>> {
    auto a = store::find_activity(conn, activity_id);
    if (!a || !manages(actor.who, a->path)) return fail(not_visible("活动"));
    auto rows = store::signups_of_activity(conn, activity_id);
    for (Signup& s : rows)
      if (s.status == "waitlisted") s.waitlist_position = store::waitlist_position(conn, s);
    return rows;
  });
}

Result<std::vector<Signup>> VolunteerService::my_signups(const auth::Actor& actor) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Signup>> {
    auto me = my_volunteer(conn, actor.who);
    if (!me) return fail(errors::not_found("您还没有注册志愿者"));
    auto rows = store::signups_of_volunteer(conn, me->id);
    for (Signup& s : rows)
      if (s.status == "waitlisted") s.waitlist_position = store::waitlist_position(conn, s);
    return rows;
  });
}

// ---- attendance ------------------------------------------------------------------

std::string VolunteerService::token_for(std::int64_t activity_id, std::int64_t window) const {
  const std::string message = fmt::format("volunteer-checkin:{}:{}", activity_id, window);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), qr_key_.data());
  return fmt::format("{}.{}.{}", activity_id, window, hex(mac, 16));
}

Result<QrToken> VolunteerService::qr_token(const auth::Actor& actor,
                                           std::int64_t activity_id) const {
  const std::int64_t now = this->now();
  return app_.db->read([&](db::Conn& conn) -> Result<QrToken> {
    auto a = store::find_activity(conn, activity_id);
    if (!a || !can_see_activity(actor.who, *a, my_volunteer(conn, actor.who)))
      return fail(not_visible("活动"));
    if (!manages(actor.who, a->path)) return fail(errors::forbidden("只有组织者可以出示签到码"));
    if (a->status != "published" && a->status != "running" && a->status != "finished")
      return fail(state_conflict("活动不在签到阶段"));
    const std::int64_t window = now / kQrWindowMs;
    return QrToken{token_for(a->id, window), window * kQrWindowMs, (window + 1) * kQrWindowMs};
  });
}

Result<std::pair<Attendance, std::string>> VolunteerService::scan(const auth::Actor& actor,
                                                                  std::int64_t activity_id,
                                                                  const ScanInput& in) const {
  const std::int64_t now = this->now();
  // "activity.window.mac"; a token of the current window or the one before
  // (the scan may take a moment) is accepted.
  const auto dot1 = in.token.find('.'), dot2 = in.token.rfind('.');
  std::int64_t window = -1;
  if (dot1 != std::string::npos && dot2 > dot1) {
    try {
      window = std::stoll(in.token.substr(dot1 + 1, dot2 - dot1 - 1));
    } catch (const std::exception&) {
      window = -1;
    }
  }
  if (window < 0 || in.token != token_for(activity_id, window))
    return fail(Error{422,
                      "qr-invalid",
                      "签到码无效",
                      "签到码无效，请扫描现场组织者出示的二维码",
                      {{"token", "invalid", "签到码无效"}}});
  const std::int64_t current = now / kQrWindowMs;
  if (window != current && window != current - 1)
    return fail(Error{422,
                      "qr-expired",
                      "签到码已过期",
                      "签到码已过期，请重新扫描最新的二维码",
                      {{"token", "expired", "签到码已过期"}}});
  return app_.db->write([&](db::Conn& conn) -> Result<std::pair<Attendance, std::string>> {
    auto me = approved_me(conn, actor.who);
    if (!me) return fail(me.error());
    auto a = store::find_activity(conn, activity_id);
    if (!a || !can_see_activity(actor.who, *a, *me)) return fail(not_visible("活动"));
    auto s = store::find_signup(conn, a->id, me->id);
    if (!s || s->status != "confirmed") return fail(errors::forbidden("您没有该活动的正式报名"));
    if (!store::record_qr_scan(conn, a->id, me->id, window, now))
      return fail(errors::conflict("qr-replayed", "签到码已使用",
                                   "这个签到码您已经扫过，请等待二维码刷新后再扫"));
    auto rec = store::attendance_of(conn, a->id, me->id);
    if (!rec) {
      if (a->status != "published" && a->status != "running")
        return fail(state_conflict("活动不在签到阶段"));
      if (now < a->start_at - kCheckInEarly || now > a->end_at)
        return fail(state_conflict("不在签到时间内（开始前30分钟至结束）"));
      Attendance n;
      n.activity_id = a->id;
      n.volunteer_id = me->id;
      n.path = a->path;
      n.check_in_at = now;
      n.check_in_method = "qr";
      n.status = "checked_in";
      if (in.lat && in.lng && a->lat && a->lng) {
        const double d = distance_m(*in.lat, *in.lng, *a->lat, *a->lng);
        n.distance_m = static_cast<std::int64_t>(std::lround(d));
        n.far_flag = *n.distance_m > store::settings(conn).checkin_distance_m;
      }
      const std::int64_t id = store::insert_attendance(conn, n, now);
      return std::pair{*store::find_attendance(conn, id), std::string("in")};
    }
    if (rec->status != "checked_in") return fail(state_conflict("您已签退"));
    if (!store::check_out(conn, rec->id, now, "qr", false,
                          minutes_in_window(rec->check_in_at, now, *a)))
      return fail(state_conflict("您已签退"));
    return std::pair{*store::find_attendance(conn, rec->id), std::string("out")};
  });
}

Result<Attendance> VolunteerService::manual(const auth::Actor& actor, std::int64_t activity_id,
                                            const ManualAttendance& in) const {
  const std::int64_t now = this->now();
  const std::int64_t at = in.at.value_or(now);
  if (at > now) return fail(errors::invalid_field("at", "future", "时间不能晚于当前时间"));
  return app_.db->write([&](db::Conn& conn) -> Result<Attendance> {
    auto a = store::find_activity(conn, activity_id);
    if (!a || !manages(actor.who, a->path)) return fail(not_visible("活动"));
    auto s = store::find_signup(conn, a->id, in.volunteer_id);
    if (!s || s->status != "confirmed")
      return fail(errors::invalid_field("volunteer_id", "not-signed-up", "该志愿者没有正式报名"));
    auto rec = store::attendance_of(conn, a->id, in.volunteer_id);
    std::int64_t id = 0;
    if (in.action == "check_in") {
      if (rec) return fail(state_conflict("该志愿者已签到"));
      if (a->status != "published" && a->status != "running")
        return fail(state_conflict("活动不在签到阶段"));
      if (at < a->start_at - kCheckInEarly || at > a->end_at)
        return fail(
            errors::invalid_field("at", "window", "签到时间应在活动开始前30分钟至结束之间"));
      Attendance n;
      n.activity_id = a->id;
      n.volunteer_id = in.volunteer_id;
      n.path = a->path;
      n.check_in_at = at;
      n.check_in_method = "manual";
      n.status = "checked_in";
      id = store::insert_attendance(conn, n, now);
    } else {
      if (!rec || rec->status != "checked_in")
        return fail(state_conflict("该志愿者未签到或已签退"));
      if (at < rec->check_in_at)
        return fail(errors::invalid_field("at", "order", "签退时间不能早于签到时间"));
      store::check_out(conn, rec->id, at, "manual", false,
                       minutes_in_window(rec->check_in_at, at, *a));
      id = rec->id;
    }
    audit(app_, conn, actor, "volunteer.attendance." + in.action, "volunteer_attendance", id,
          fmt::format("volunteer={} at={}", in.volunteer_id, at), a->path);
    return *store::find_attendance(conn, id);
  });
}

Result<std::vector<Attendance>> VolunteerService::attendance(const auth::Actor& actor,
                                                             std::int64_t activity_id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Attendance>> {
    auto a = store::find_activity(conn, activity_id);
    if (!a || !manages(actor.who, a->path)) return fail(not_visible("活动"));
    return store::attendance_of_activity(conn, activity_id);
  });
}

Result<Attendance> VolunteerService::verify(const auth::Actor& actor, std::int64_t attendance_id,
                                            const Verification& in) const {
  const std::int64_t now = this->now();
  Tell tell(app_, user_or_none(actor.who));
  auto done = write_once(app_, [&](db::Conn& conn) -> Result<Attendance> {
    tell.reset();
    auto rec = store::find_attendance(conn, attendance_id);
    if (!rec || !manages(actor.who, rec->path)) return fail(not_visible("服务记录"));
    if (rec->status != "pending")
      return fail(state_conflict("该记录已审核或尚未签退，不能重复审核"));
    return verify_record(app_, conn, actor, *rec, in, now, &tell);
  });
  if (done) tell.publish();
  return done;
}

Result<Backfill> VolunteerService::request_backfill(const auth::Actor& actor,
                                                    const NewBackfill& in) const {
  const std::int64_t now = this->now();
  if (trim(in.reason).empty())
    return fail(errors::invalid_field("reason", "required", "补录须说明原因"));
  if (in.check_out_at <= in.check_in_at)
    return fail(errors::invalid_field("check_out_at", "order", "签退时间应晚于签到时间"));
  return app_.db->write([&](db::Conn& conn) -> Result<Backfill> {
    auto a = store::find_activity(conn, in.activity_id);
    auto me = my_volunteer(conn, actor.who);
    if (!a || !can_see_activity(actor.who, *a, me))
      return fail(errors::invalid_field("activity_id", "not-found", "活动不存在"));
    std::int64_t volunteer_id = 0;
    if (in.volunteer_id && manages(actor.who, a->path)) {
      volunteer_id = *in.volunteer_id;
    } else if (me && me->status == "approved" && (!in.volunteer_id || *in.volunteer_id == me->id)) {
      volunteer_id = me->id;
    } else {
      return fail(errors::forbidden("只能为自己申请补录"));
    }
    auto s = store::find_signup(conn, a->id, volunteer_id);
    if (!s || s->status != "confirmed")
      return fail(
          errors::invalid_field("volunteer_id", "not-signed-up", "该志愿者没有正式报名该活动"));
    if (now < a->end_at || a->status == "cancelled")
      return fail(state_conflict("活动结束后才能申请补录"));
    if (store::attendance_of(conn, a->id, volunteer_id))
      return fail(state_conflict("该志愿者已有本活动的服务记录，请由组织者审核调整"));
    // Claimed time outside the activity would be cut to nothing on approval.
    if (in.check_out_at <= a->start_at || in.check_in_at >= a->end_at)
      return fail(errors::invalid_field("check_in_at", "window", "补录的服务时间应在活动时间之内"));
    // One open request per volunteer and activity (locked: two at once queue).
    store::lock_volunteer(conn, volunteer_id);
    if (store::pending_backfill(conn, a->id, volunteer_id))
      return fail(errors::conflict("backfill-pending", "补录申请待审核",
                                   "该活动已有待审核的补录申请，请等待组织者处理"));
    Backfill b;
    b.activity_id = a->id;
    b.volunteer_id = volunteer_id;
    b.path = a->path;
    b.check_in_at = in.check_in_at;
    b.check_out_at = in.check_out_at;
    b.reason = std::string(trim(in.reason));
    const std::int64_t id = store::insert_backfill(conn, b, user_or_none(actor.who), now);
    return *store::find_backfill(conn, id);
  });
}

Result<Backfill> VolunteerService::decide_backfill(const auth::Actor& actor, std::int64_t id,
                                                   bool approve, const std::string& note) const {
  const std::int64_t now = this->now();
  Tell tell(app_, user_or_none(actor.who));
  auto done = write_once(app_, [&](db::Conn& conn) -> Result<Backfill> {
    tell.reset();
    auto b = store::find_backfill(conn, id);
    if (!b || !manages(actor.who, b->path)) return fail(not_visible("补录申请"));
    if (!approve && trim(note).empty())
      return fail(errors::invalid_field("note", "required", "驳回补录须填写原因"));
    if (!store::decide_backfill(conn, id, approve ? "approved" : "rejected",
                                std::string(trim(note)), actor.who.user_id, now))
      return fail(state_conflict("该补录申请已处理"));
    audit(app_, conn, actor, approve ? "volunteer.backfill.approve" : "volunteer.backfill.reject",
          "volunteer_backfill", id, note, b->path);
    if (approve) {
      // The approved back-fill becomes a service record, verified by the
      // same decision, and earns like any other.
      auto a = store::find_activity(conn, b->activity_id);
      if (store::attendance_of(conn, a->id, b->volunteer_id))
        return fail(state_conflict("该志愿者已有本活动的服务记录"));
      Attendance n;
      n.activity_id = a->id;
      n.volunteer_id = b->volunteer_id;
      n.path = a->path;
      n.check_in_at = b->check_in_at;
      n.check_out_at = b->check_out_at;
      n.check_in_method = "backfill";
      n.check_out_method = "backfill";
      n.minutes = minutes_in_window(b->check_in_at, b->check_out_at, *a);
      n.status = "pending";
      const std::int64_t rec_id = store::insert_attendance(conn, n, now);
      auto made = verify_record(app_, conn, actor, *store::find_attendance(conn, rec_id),
                                {"approve", std::nullopt, "补录：" + b->reason}, now, nullptr);
      if (!made) return fail(made.error());
      tell.volunteer(conn, b->volunteer_id, a->id, "backfill_approved", "补录申请已通过",
                     fmt::format("活动“{}”的补录已通过，核定服务时长{}，积分{}", a->title,
                                 hours_text(made->minutes), made->points.value_or(0)),
                     now);
    } else {
      tell.volunteer(conn, b->volunteer_id, b->activity_id, "backfill_rejected", "补录申请未通过",
                     fmt::format("活动“{}”的补录未通过：{}", b->activity_title, trim(note)), now);
    }
    return *store::find_backfill(conn, id);
  });
  if (done) tell.publish();
  return done;
}

Result<std::vector<Backfill>> VolunteerService::backfills(
    const auth::Actor& actor, const std::optional<std::string>& status) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Backfill>> {
    auto me = my_volunteer(conn, actor.who);
    return store::search_backfills(conn, manager_scopes(actor.who),
                                   me ? std::optional(me->id) : std::nullopt, status);
  });
}

// ---- points bank -----------------------------------------------------------------

Result<Passbook> VolunteerService::passbook(const auth::Actor& actor,
                                            std::optional<std::int64_t> id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<Passbook> {
    auto v = id ? store::find_volunteer(conn, *id) : my_volunteer(conn, actor.who);
    if (!v || !(manages(actor.who, v->path) || v->user_id == actor.who.user_id))
      return fail(not_visible("志愿者"));
    Passbook book;
    book.volunteer = *v;
    auto account =
        conn.query_one("SELECT id FROM points_accounts WHERE volunteer_id = $1", {v->id});
    if (account) {
      const std::int64_t mine = account->i64(0);
      std::int64_t running = 0;
      for (const store::LedgerRow& row : store::ledger_of(conn, mine)) {
        const Transfer& t = row.transfer;
        const std::int64_t signed_points = t.to_account == mine ? t.amount : -t.amount;
        running += signed_points;
        PassbookLine line{t.id, t.at, t.kind, t.memo, "", std::nullopt, signed_points, running};
        if (t.kind == "earn") {
          line.description = row.activity_title;
          line.place = row.venue;
          line.minutes = row.minutes;
        } else if (t.kind == "redeem" || t.kind == "refund") {
          line.description = row.gift_name;
          line.place = row.gift_area;
        }
        book.lines.push_back(std::move(line));
      }
      book.balance = running;
    }
    book.verified_minutes = store::verified_minutes_of(conn, v->id);
    book.volunteer.verified_minutes = book.verified_minutes;
    book.volunteer.balance = book.balance;
    book.volunteer.stars = stars_for(store::settings(conn), book.verified_minutes);
    return book;
  });
}

Result<Transfer> VolunteerService::adjust(const auth::Actor& actor, std::int64_t volunteer_id,
                                          std::int64_t points, const std::string& reason) const {
  const std::int64_t now = this->now();
  if (points == 0) return fail(errors::invalid_field("points", "range", "调整积分不能为0"));
  if (trim(reason).empty())
    return fail(errors::invalid_field("reason", "required", "调整积分须填写原因"));
  Tell tell(app_, user_or_none(actor.who));
  auto done = app_.db->write([&](db::Conn& conn) -> Result<Transfer> {
    tell.reset();
    auto v = store::find_volunteer(conn, volunteer_id);
    if (!v || !manages(actor.who, v->path)) return fail(not_visible("志愿者"));
    if (v->status != "approved") return fail(state_conflict("志愿者尚未通过审核"));
    const Account mine = store::volunteer_account(conn, v->id, v->path, now);
    const Account pool = store::pool_account(conn, v->area_id, v->path, now);
    Transfer t;
    t.at = now;
    t.from_account = points > 0 ? pool.id : mine.id;
    t.to_account = points > 0 ? mine.id : pool.id;
    t.amount = std::abs(points);
    t.kind = "adjust";
    t.memo = std::string(trim(reason));
    t.actor_id = user_or_none(actor.who);
    t.actor_name = actor_name(actor.who);
    auto id = store::transfer(conn, t);
    if (!id) return fail(too_few_points(mine.balance, t.amount));
    audit(app_, conn, actor, "points.adjust", "points_transfer", *id,
          fmt::format("volunteer={} points={} reason={}", v->id, points, t.memo), v->path);
    tell.volunteer(conn, v->id, std::nullopt, "points_adjusted", "积分调整",
                   fmt::format("积分{:+}：{}", points, t.memo), now);
    return *store::find_transfer(conn, *id);
  });
  if (done) tell.publish();
  return done;
}

Result<Transfer> VolunteerService::reverse(const auth::Actor& actor, std::int64_t transfer_id,
                                           const std::string& reason) const {
  const std::int64_t now = this->now();
  if (trim(reason).empty())
    return fail(errors::invalid_field("reason", "required", "冲正须填写原因"));
  return write_once(app_, [&](db::Conn& conn) -> Result<Transfer> {
    auto t = store::find_transfer(conn, transfer_id);
    auto to = t ? store::find_account(conn, t->to_account) : std::nullopt;
    auto from = t ? store::find_account(conn, t->from_account) : std::nullopt;
    if (!t || !(manages(actor.who, to->path) && manages(actor.who, from->path)))
      return fail(not_visible("积分流水"));
    if (t->kind == "reverse" || t->kind == "redeem" || t->kind == "refund")
      return fail(state_conflict("冲正流水和兑换流水不能冲正（兑换请取消兑换单）"));
    Transfer r;
    r.at = now;
    r.from_account = t->to_account;
    r.to_account = t->from_account;
    r.amount = t->amount;
    r.kind = "reverse";
    r.reverses_id = t->id;
    r.memo = std::string(trim(reason));
    r.actor_id = user_or_none(actor.who);
    r.actor_name = actor_name(actor.who);
    auto id = store::transfer(conn, r);
    if (!id) return fail(too_few_points(to->balance, r.amount));
    audit(app_, conn, actor, "points.reverse", "points_transfer", *id,
          fmt::format("reverses={} reason={}", t->id, r.memo), to->path);
    return *store::find_transfer(conn, *id);
  });
}

Result<Gift> VolunteerService::create_gift(const auth::Actor& actor, const GiftInput& in) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Gift> {
    auto area = app_.org->area_by_id(conn, in.area_id.value_or(0));
    if (!area || !manages(actor.who, area->path))
      return fail(errors::invalid_field("area_id", "not-found", "区域不存在或不在您的管辖范围内"));
    if (area->level != org::Level::community)
      return fail(errors::invalid_field("area_id", "level", "礼品目录按社区设置，请选择社区"));
    Gift g{0,
           area->id,
           area->name,
           area->path,
           std::string(trim(in.name.value_or(""))),
           in.description.value_or(""),
           in.points_price.value_or(0),
           in.stock.value_or(0),
           in.active.value_or(true),
           now};
    g.id = store::insert_gift(conn, g);
    audit(app_, conn, actor, "volunteer.gift.create", "volunteer_gift", g.id,
          fmt::format("{} price={} stock={}", g.name, g.points_price, g.stock), g.path);
    return *store::find_gift(conn, g.id);
  });
}

Result<Gift> VolunteerService::update_gift(const auth::Actor& actor, std::int64_t id,
                                           const GiftInput& in) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Gift> {
    auto g = store::find_gift(conn, id);
    if (!g || !manages(actor.who, g->path)) return fail(not_visible("礼品"));
    if (in.name) g->name = std::string(trim(*in.name));
    if (in.description) g->description = *in.description;
    if (in.points_price) g->points_price = *in.points_price;
    if (in.stock) g->stock = *in.stock;
    if (in.active) g->active = *in.active;
    store::update_gift(conn, *g, now);
    audit(app_, conn, actor, "volunteer.gift.update", "volunteer_gift", id,
          fmt::format("price={} stock={} active={}", g->points_price, g->stock, g->active),
          g->path);
    return *store::find_gift(conn, id);
  });
}

Result<std::vector<Gift>> VolunteerService::gifts(const auth::Actor& actor) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Gift>> {
    auto scopes = manager_scopes(actor.who);
    const bool staff = !scopes.empty();
    if (auto me = my_volunteer(conn, actor.who); me && me->status == "approved") {
      for (const std::string& a : ancestors(me->path)) scopes.push_back({a, a + "\x01"});
    }
    return store::gifts_in(conn, scopes, !staff);
  });
}

Result<Redemption> VolunteerService::redeem(const auth::Actor& actor, std::int64_t gift_id,
                                            std::int64_t quantity) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Redemption> {
    auto me = approved_me(conn, actor.who);
    auto g = store::find_gift(conn, gift_id);
    if (!g || !me || !auth::path_within(me->path, g->path)) {
      if (!me && g && manages(actor.who, g->path)) return fail(not_volunteer());
      return fail(not_visible("礼品"));
    }
    const std::int64_t points = g->points_price * quantity;
    // Stock and points are taken in one transaction: a failure of either
    // rolls back both, and each conditional UPDATE lets exactly one of two
    // concurrent redeemers take the last item or the last points.
    if (!store::take_stock(conn, g->id, quantity, now))
      return fail(errors::conflict("out-of-stock", "库存不足",
                                   fmt::format("“{}”库存不足（剩余{}）", g->name, g->stock)));
    const Account mine = store::volunteer_account(conn, me->id, me->path, now);
    const Account shop = store::shop_account(conn, g->area_id, g->path, now);
    Redemption r;
    r.gift_id = g->id;
    r.volunteer_id = me->id;
    r.path = g->path;
    r.quantity = quantity;
    r.points = points;
    r.pickup_code = random_digits(8);
    r.created_at = now;
    r.id = store::insert_redemption(conn, r);
    Transfer t;
    t.at = now;
    t.from_account = mine.id;
    t.to_account = shop.id;
    t.amount = points;
    t.kind = "redeem";
    t.redemption_id = r.id;
    t.posting_key = fmt::format("redeem:{}", r.id);
    t.memo = g->name;
    t.actor_id = user_or_none(actor.who);
    t.actor_name = actor_name(actor.who);
    if (!store::transfer(conn, t)) return fail(too_few_points(mine.balance, points));
    return *store::find_redemption(conn, r.id);
  });
}

Result<Redemption> VolunteerService::hand_over(const auth::Actor& actor, std::int64_t id,
                                               const std::string& pickup_code) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Redemption> {
    auto r = store::find_redemption(conn, id);
    if (!r || !manages(actor.who, r->path)) return fail(not_visible("兑换单"));
    if (r->pickup_code != pickup_code)
      return fail(errors::invalid_field("pickup_code", "mismatch", "取货码不正确"));
    if (!store::close_redemption(conn, id, "completed", actor.who.user_id, now))
      return fail(state_conflict("兑换单已完成或已取消"));
    audit(app_, conn, actor, "volunteer.redemption.hand_over", "volunteer_redemption", id,
          fmt::format("gift={} quantity={}", r->gift_id, r->quantity), r->path);
    return *store::find_redemption(conn, id);
  });
}

Result<Redemption> VolunteerService::cancel_redemption(const auth::Actor& actor,
                                                       std::int64_t id) const {
  const std::int64_t now = this->now();
  Tell tell(app_, user_or_none(actor.who));
  auto done = write_once(app_, [&](db::Conn& conn) -> Result<Redemption> {
    tell.reset();
    auto r = store::find_redemption(conn, id);
    auto me = my_volunteer(conn, actor.who);
    const bool mine = r && me && r->volunteer_id == me->id;
    if (!r || !(mine || manages(actor.who, r->path))) return fail(not_visible("兑换单"));
    if (!store::close_redemption(conn, id, "cancelled", user_or_none(actor.who), now))
      return fail(state_conflict("兑换单已完成或已取消"));
    store::return_stock(conn, r->gift_id, r->quantity, now);
    auto g = store::find_gift(conn, r->gift_id);
    auto v = store::find_volunteer(conn, r->volunteer_id);
    Transfer t;
    t.at = now;
    t.from_account = store::shop_account(conn, g->area_id, g->path, now).id;
    t.to_account = store::volunteer_account(conn, v->id, v->path, now).id;
    t.amount = r->points;
    t.kind = "refund";
    t.redemption_id = r->id;
    t.posting_key = fmt::format("refund:{}", r->id);
    t.memo = g->name;
    t.actor_id = user_or_none(actor.who);
    t.actor_name = actor_name(actor.who);
    if (!store::transfer(conn, t)) return fail(state_conflict("礼品账户积分不足，无法退回"));
    audit(app_, conn, actor, "volunteer.redemption.cancel", "volunteer_redemption", id,
          fmt::format("refund={}", r->points), r->path);
    tell.volunteer(conn, v->id, std::nullopt, "redemption_cancelled", "兑换已取消",
                   fmt::format("“{}”的兑换已取消，{}积分已退回", g->name, r->points), now);
    return *store::find_redemption(conn, id);
  });
  if (done) tell.publish();
  return done;
}

Result<std::vector<Redemption>> VolunteerService::redemptions(
    const auth::Actor& actor, const std::optional<std::string>& status) const {
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<Redemption>> {
    auto me = my_volunteer(conn, actor.who);
    auto rows = store::search_redemptions(conn, manager_scopes(actor.who),
                                          me ? std::optional(me->id) : std::nullopt, status);
    for (Redemption& r : rows) r.callers_own = me && r.volunteer_id == me->id;
    return rows;
  });
}

// ---- recognition -------------------------------------------------------------------

Result<Ranking> VolunteerService::ranking(const auth::Actor& actor, const RankingQuery& q) const {
  const std::int64_t now = this->now();
  std::chrono::year_month_day day = cst_date(now);
  if (q.date) {
    const int y = std::stoi(q.date->substr(0, 4));
    const unsigned m = static_cast<unsigned>(std::stoi(q.date->substr(5, 2)));
    const unsigned d = static_cast<unsigned>(std::stoi(q.date->substr(8, 2)));
    day = std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d};
  }
  return app_.db->read([&](db::Conn& conn) -> Result<Ranking> {
    auto me = my_volunteer(conn, actor.who);
    std::optional<std::int64_t> area_id = q.area_id;
    if (!area_id) {
      const auto scopes = actor.who.scopes(Permission::volunteers_manage);
      for (const auth::Grant& g : actor.who.grants)
        if (!scopes.empty() && g.area_path == scopes.front()) area_id = g.area_id;
      if (!area_id && me) area_id = me->area_id;
      if (!area_id) return fail(errors::invalid_field("area", "required", "请选择区域"));
    }
    auto area = app_.org->area_by_id(conn, *area_id);
    const bool inside =
        me && me->status == "approved" && area && auth::path_within(me->path, area->path);
    if (!area || !(manages(actor.who, area->path) || inside)) return fail(not_visible("区域"));
    Ranking r;
    r.area_id = area->id;
    r.area_name = area->name;
    r.period = q.period;
    r.by = q.by;
    std::tie(r.from, r.to) = period_bounds(q.period, day);
    r.rows = store::ranking(conn, range_of(area->path), r.from, r.to, q.by == "points", q.limit);
    return r;
  });
}

Result<Certificate> VolunteerService::issue_certificate(
    const auth::Actor& actor, std::optional<std::int64_t> volunteer_id) const {
  const std::int64_t now = this->now();
  return app_.db->write([&](db::Conn& conn) -> Result<Certificate> {
    auto v =
        volunteer_id ? store::find_volunteer(conn, *volunteer_id) : my_volunteer(conn, actor.who);
    if (!v || !(manages(actor.who, v->path) || v->user_id == actor.who.user_id))
      return fail(not_visible("志愿者"));
    if (v->status != "approved") return fail(state_conflict("志愿者尚未通过审核"));
    Certificate c;
    c.records = store::verified_attendance_of(conn, v->id, std::nullopt);
    if (c.records.empty()) return fail(state_conflict("还没有经审核的服务记录，不能开具证明"));
    for (const Attendance& a : c.records) c.total_minutes += a.verified_minutes.value_or(0);
    c.record_count = static_cast<std::int64_t>(c.records.size());
    c.number = fmt::format("ZYFW{}{}", format_cst_date(now), random_code(8));
    c.volunteer_id = v->id;
    c.name = v->name;
    c.id_number_masked = v->id_number_masked;
    c.volunteer_number = v->number;
    // The issuer is the community (or street) the volunteer belongs to.
    std::string issuer = v->area_name;
    for (const std::string& p : ancestors(v->path)) {
      auto row = conn.query_one("SELECT name, level FROM areas WHERE path = $1", {p});
      if (row && row->text(1) == "community") issuer = row->text(0);
    }
    c.issuer = issuer + "志愿服务站";
    c.issued_at = now;
    std::int64_t through = 0;
    for (const Attendance& a : c.records) through = std::max(through, a.id);
    const std::int64_t id = store::insert_certificate(conn, c, through, actor.who.user_id);
    audit(app_, conn, actor, "volunteer.certificate.issue", "volunteer_certificate", id, c.number,
          v->path);
    return c;
  });
}

Result<Certificate> VolunteerService::verify_certificate(const std::string& number) const {
  return app_.db->read([&](db::Conn& conn) -> Result<Certificate> {
    auto row = store::find_certificate(conn, number);
    if (!row) return fail(errors::not_found("证明编号不存在"));
    Certificate c = row->cert;
    c.records = store::verified_attendance_of(conn, c.volunteer_id, row->through_attendance_id);
    return c;
  });
}

Result<std::vector<Notice>> VolunteerService::notices(const auth::Actor& actor) const {
  auto me = app_.db->read([&](db::Conn& conn) { return my_volunteer(conn, actor.who); });
  if (!me) return fail(errors::not_found("您还没有注册志愿者"));
  // The volunteer's notices are the caller's notifications of volunteer kinds.
  notify::Query q;
  q.kind_prefix = "volunteer.";
  q.limit = 100;
  auto page = app_.notify->list(actor, q);
  if (!page) return fail(page.error());
  std::vector<Notice> out;
  for (const notify::Notice& n : page->items) {
    Notice v;
    v.id = n.id;
    if (n.subject_type == "volunteer_activity") v.activity_id = n.subject_id;
    v.kind = n.kind.substr(q.kind_prefix.size());
    v.message = n.body;
    v.created_at = n.created_at;
    out.push_back(std::move(v));
  }
  return out;
}

Result<Settings> VolunteerService::settings(const auth::Actor& actor) const {
  if (!actor.who.can_somewhere(Permission::volunteers_manage))
    return fail(errors::forbidden("只有志愿者管理员可以查看设置"));
  return app_.db->read([&](db::Conn& conn) -> Result<Settings> { return store::settings(conn); });
}

Result<Settings> VolunteerService::put_settings(const auth::Actor& actor, const Settings& s) const {
  const bool platform = std::ranges::any_of(
      actor.who.grants, [](const auth::Grant& g) { return g.role == auth::Role::platform_admin; });
  if (!platform) return fail(errors::forbidden("只有平台管理员可以修改志愿服务设置"));
  if (s.star_hours.empty() || !std::ranges::is_sorted(s.star_hours) ||
      std::ranges::adjacent_find(s.star_hours) != s.star_hours.end() || s.star_hours.front() <= 0)
    return fail(errors::invalid_field("star_hours", "order", "星级时长应为递增的正整数"));
  return app_.db->write([&](db::Conn& conn) -> Result<Settings> {
    std::string hours;
    for (std::int64_t h : s.star_hours) hours += (hours.empty() ? "" : ",") + std::to_string(h);
    store::put_setting(conn, "star_hours", hours);
    store::put_setting(conn, "points_expiry_days", std::to_string(s.points_expiry_days));
    store::put_setting(conn, "checkin_distance_m", std::to_string(s.checkin_distance_m));
    app_.audit->record(
        conn, actor,
        {"volunteer.settings", "volunteer_settings", "", hours, "/", "platform_admin"});
    return store::settings(conn);
  });
}

// ---- the scheduler -----------------------------------------------------------------

SweepReport VolunteerService::run_once(std::int64_t now) const {
  SweepReport report;
  const auth::Actor system = auth::system_actor();
  Tell tell(app_, std::nullopt);
  app_.db->write([&](db::Conn& conn) {
    report = {};
    tell.reset();
    for (const Activity& a : store::activities_to_start(conn, now)) {
      store::set_activity_status(conn, a.id, "running", "", now);
      ++report.started;
    }
    for (const Activity& a : store::activities_to_finish(conn, now)) {
      store::set_activity_status(conn, a.id, "finished", "", now);
      ++report.finished;
    }
    // Still checked in 12 h after the end: out at the end, flagged for the organizer.
    for (const Attendance& rec : store::stale_open_attendance(conn, now - kAutoCheckOutAfter)) {
      auto a = store::find_activity(conn, rec.activity_id);
      if (store::check_out(conn, rec.id, a->end_at, "auto", true,
                           minutes_in_window(rec.check_in_at, a->end_at, *a)))
        ++report.auto_checked_out;
    }
    const Settings s = store::settings(conn);
    if (s.points_expiry_days > 0) {
      // First in, first out: points credited before the cut-off and not yet
      // spent (or expired) go back to the pool. Hours never expire.
      const std::int64_t cutoff = now - s.points_expiry_days * kDay;
      for (const Account& acc : store::volunteer_accounts_with_balance(conn)) {
        const std::int64_t stale =
            store::credited_before(conn, acc.id, cutoff) - store::debited_total(conn, acc.id);
        const std::int64_t amount = std::min(stale, acc.balance);
        if (amount <= 0) continue;
        auto v = store::find_volunteer(conn, *acc.volunteer_id);
        Transfer t;
        t.at = now;
        t.from_account = acc.id;
        t.to_account = store::pool_account(conn, v->area_id, v->path, now).id;
        t.amount = amount;
        t.kind = "expire";
        t.memo = fmt::format("积分有效期{}天，过期清零", s.points_expiry_days);
        t.actor_name = actor_name(system.who);
        if (!store::transfer(conn, t)) continue;  // spent meanwhile: nothing to expire
        ++report.expired_accounts;
        tell.volunteer(conn, v->id, std::nullopt, "points_expired", "积分已过期",
                       fmt::format("{}积分已超过{}天有效期，已过期", amount, s.points_expiry_days),
                       now);
      }
    }
  });
  tell.publish();
  return report;
}

}  // namespace cg::volunteers
