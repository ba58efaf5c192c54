#include "modules/cases/service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <set>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "core/pii.hpp"
#include "core/text.hpp"
#include "db/db.hpp"
#include "modules/audit/model.hpp"
#include "modules/cases/notices.hpp"
#include "modules/cases/stats_cache.hpp"
#include "modules/cases/store.hpp"
#include "modules/files/service.hpp"
#include "modules/notify/service.hpp"
#include "modules/org/service.hpp"
#include "modules/org/store.hpp"

namespace cg::cases {

namespace testing {
namespace {
std::atomic<std::int64_t> fake_now{0};
}
void set_now(std::optional<std::int64_t> ms) {
  fake_now = ms.value_or(0);
}
}  // namespace testing

namespace {

namespace json = boost::json;
using auth::Role;

constexpr int kMaxPageSize = 100;
constexpr std::size_t kMaxQueryGrams = 8;
constexpr double kYellowAt = 0.8;

// ---- who may act ------------------------------------------------------------

// The ways a caller relates to a case; a rule allows a set of them.
enum Who : unsigned {
  kManager = 1,     // community worker, street or platform admin over the case's grid
  kGridWorker = 2,  // grid worker over the case's grid
  kHandler = 4,     // the assigned handler (or a manager, when no person is assigned)
  kReporter = 8,    // the reporter (or a manager recording a call-back for walk-ins)
  kViewer = 16,     // anyone who can see the case
};

bool is_manager_role(Role r) {
  return r == Role::platform_admin || r == Role::street_admin || r == Role::community_worker;
}
bool is_viewer_role(Role r) {
  return is_manager_role(r) || r == Role::grid_worker || r == Role::party_secretary;
}

// The grant through which the caller reaches `path` with a role `pick` accepts.
template <class Pick>
const auth::Grant* grant_over(const auth::Principal& p, std::string_view path, Pick pick) {
  for (const auth::Grant& g : p.grants) {
    if (pick(g.role) && auth::path_within(path, g.area_path)) return &g;
  }
  return nullptr;
}

bool is_me(const auth::Principal& p, const std::optional<std::int64_t>& user) {
  return p.user_id != 0 && user && *user == p.user_id;
}

bool can_view(const auth::Principal& p, const Case& c) {
  return grant_over(p, c.path, is_viewer_role) || is_me(p, c.handler_user_id) ||
         is_me(p, c.reporter_user_id);
}

// Which of the Who bits the caller holds on `c`, and the role name to record.
struct Standing {
  unsigned who = 0;
  std::string role;
};

Standing standing(const auth::Principal& p, const Case& c) {
  Standing s;
  const auth::Grant* manager = grant_over(p, c.path, is_manager_role);
  const auth::Grant* grid = grant_over(p, c.path, [](Role r) { return r == Role::grid_worker; });
  const auth::Grant* viewer = grant_over(p, c.path, is_viewer_role);
  if (manager) s.who |= kManager;
  if (grid) s.who |= kGridWorker;
  if (is_me(p, c.handler_user_id) || (manager && !c.handler_user_id)) s.who |= kHandler;
  if (is_me(p, c.reporter_user_id) || (manager && !c.reporter_user_id)) s.who |= kReporter;
  if (can_view(p, c)) s.who |= kViewer;
  if (const auth::Grant* g = manager ? manager : grid ? grid : viewer) {
    s.role = std::string(auth::role_name(g->role));
  } else if (is_me(p, c.handler_user_id)) {
    s.role = "handler";
  } else {
    s.role = p.kind == "resident" ? "resident" : "reporter";
  }
  return s;
}

// ---- the state table ------------------------------------------------------------

struct Rule {
  std::string_view action;
  std::vector<std::string_view> from;  // statuses it is allowed from
  std::string_view to;                 // "" keeps the status (the handler may still move it)
  unsigned who;
  std::string_view title;  // Chinese name of the action, for messages
};

const std::vector<std::string_view> kOpen = {"reported", "accepted", "dispatched", "in_progress",
                                             "handled",  "verified", "reopened"};
const std::vector<std::string_view> kAll = {"reported",   "accepted",    "rejected", "merged",
                                            "dispatched", "in_progress", "handled",  "verified",
                                            "closed",     "reopened"};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> table = {
      {"accept", {"reported", "reopened"}, "accepted", kManager, "受理"},
      {"reject", {"reported", "reopened"}, "rejected", kManager, "不予受理"},
      {"merge", {"reported", "reopened"}, "merged", kManager, "合并"},
      {"dispatch", {"accepted"}, "dispatched", kManager, "派遣"},
      {"start", {"dispatched"}, "in_progress", kHandler, "开始处置"},
      {"handle", {"in_progress"}, "handled", kHandler, "处置反馈"},
      {"verify", {"handled"}, "", kManager | kGridWorker, "核查"},
      {"close", {"verified"}, "closed", kManager, "结案"},
      {"rate", {"closed"}, "", kReporter, "评价"},
      {"return", {"dispatched", "in_progress"}, "accepted", kHandler, "退回"},
      {"escalate",
       {"reported", "accepted", "dispatched", "in_progress", "reopened"},
       "",
       kManager | kGridWorker,
       "上报上级"},
      {"extend", {"dispatched", "in_progress"}, "", kHandler, "申请延期"},
      {"extend_decision", {"dispatched", "in_progress"}, "", kManager, "延期审批"},
      {"supervise", kOpen, "", kManager, "督办"},
      {"comment", kAll, "", kViewer, "备注"},
  };
  return table;
}

const Rule* rule_of(std::string_view action) {
  for (const Rule& r : rules())
    if (r.action == action) return &r;
  return nullptr;
}

std::string_view status_title(std::string_view s) {
  static const std::pair<std::string_view, std::string_view> titles[] = {
      {"reported", "待受理"},    {"accepted", "已受理"},   {"rejected", "不予受理"},
      {"merged", "已合并"},      {"dispatched", "已派遣"}, {"in_progress", "处置中"},
      {"handled", "已处置"},     {"verified", "已核查"},   {"closed", "已结案"},
      {"reopened", "已重新打开"}};
  for (const auto& [code, title] : titles)
    if (code == s) return title;
  return s;
}

bool allowed_from(const Rule& r, std::string_view status) {
  return std::ranges::find(r.from, status) != r.from.end();
}

Error illegal(const Rule& r, const Case& c, std::string why = "") {
  if (why.empty()) why = fmt::format("工单当前状态为“{}”，不能{}", status_title(c.status), r.title);
  return errors::conflict("illegal-transition", "当前状态不允许此操作", std::move(why));
}

Error stale(const Case& c) {
  Error e = errors::conflict(
      "stale-case", "工单已被他人更新",
      fmt::format("工单已被他人更新，请刷新后重试（当前状态：{}，版本：{}）", c.status, c.version));
  e.errors.push_back({"status", c.status, std::string(status_title(c.status))});
  e.errors.push_back({"version", std::to_string(c.version), "当前版本"});
  return e;
}

Error not_visible() {
  return errors::not_found("工单不存在或不在您的管辖范围内");
}

// ---- helpers ----------------------------------------------------------------

std::string encode_cursor(std::int64_t id) {
  return fmt::format("c{:x}", id);
}

std::optional<std::int64_t> decode_cursor(std::string_view cursor) {
  if (cursor.size() < 2 || cursor.size() > 17 || cursor.front() != 'c') return std::nullopt;
  std::int64_t id = 0;
  auto r = std::from_chars(cursor.data() + 1, cursor.data() + cursor.size(), id, 16);
  if (r.ec != std::errc() || r.ptr != cursor.data() + cursor.size() || id <= 0) return std::nullopt;
  return id;
}

// FNV-1a: a stable fingerprint of a request body, to tell a retry from reuse.
std::string body_hash(std::string_view body) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : body) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

std::string escape_like(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\\' || ch == '%' || ch == '_') out.push_back('\\');
    out.push_back(ch);
  }
  return out;
}

}  // namespace

// Shared with the bulk demo generator (demo.cpp), which must compute the same.
namespace detail {

std::vector<std::string> grams_of(const Case& c) {
  std::set<std::string> unique;
  for (std::string& g : char_bigrams(to_lower_ascii(c.title))) unique.insert(std::move(g));
  for (std::string& g : char_bigrams(to_lower_ascii(c.description))) unique.insert(std::move(g));
  return {unique.begin(), unique.end()};
}

std::optional<std::int64_t> user_or_none(const auth::Principal& p) {
  if (p.user_id == 0) return std::nullopt;
  return p.user_id;
}

std::string actor_name(const auth::Principal& p) {
  return p.display_name.empty() ? p.username : p.display_name;
}

// Where an escalation takes a case: one level up (the street is the top).
std::string level_above(std::string_view level) {
  return level == "grid" ? "community" : "street";
}

std::int64_t handle_deadline(const WorkCalendar& cal, const Category& cat, std::int64_t start) {
  if (cat.handle_unit == "days")
    return cal.add_working_days(start, static_cast<int>(cat.handle_limit));
  return cal.add_working_minutes(start, cat.handle_limit * 60);
}

DeadlineInfo deadline_info(const WorkCalendar& cal, const Case& c, std::int64_t now) {
  DeadlineInfo d;
  const bool accepting = c.status == "reported" || c.status == "reopened";
  const bool handling =
      c.status == "accepted" || c.status == "dispatched" || c.status == "in_progress";
  d.kind = accepting ? "accept" : handling ? "handle" : "none";
  d.deadline = accepting ? c.accept_deadline : handling ? c.handle_deadline : std::nullopt;
  d.warning = "none";
  if (!d.deadline) {
    d.kind = "none";
    return d;
  }
  d.remaining_working_minutes = *d.deadline >= now ? cal.working_minutes_between(now, *d.deadline)
                                                   : -cal.working_minutes_between(*d.deadline, now);
  d.fraction_used = cal.fraction_used(c.clock_start, *d.deadline, now);
  // A deadline set before the clock started (accepted after the handle deadline
  // set at filing had passed) has no working time: the calendar says infinity,
  // which JSON cannot carry. Overdue reads as just past all used, as elsewhere.
  if (!std::isfinite(d.fraction_used)) d.fraction_used = std::nextafter(1.0, 2.0);
  if (now > *d.deadline || d.fraction_used > 1.0) {
    d.warning = "red";
  } else if (d.fraction_used >= kYellowAt) {
    d.warning = "yellow";
  }
  return d;
}

}  // namespace detail

using namespace detail;

namespace {

audit::Entry audit_entry(const std::string& action, const Case& c, std::string detail,
                         const std::string& role) {
  return {"case." + action, "case", std::to_string(c.id), std::move(detail), c.path, role};
}

// ---- create -------------------------------------------------------------------------

Status check_new_case(const NewCase& in) {
  std::vector<FieldError> errors;
  const std::size_t title = utf8_length(trim(in.title));
  if (title < 2 || title > 60) errors.push_back({"title", "length", "标题应为2到60个字符"});
  if (utf8_length(in.description) > 2000)
    errors.push_back({"description", "length", "描述不能超过2000个字符"});
  if (!in.grid_id && !(in.lat && in.lng))
    errors.push_back({"grid_id", "required", "请选择网格，或提供位置（lat、lng）"});
  if (in.lat.has_value() != in.lng.has_value())
    errors.push_back({in.lat ? "lng" : "lat", "required", "经纬度需同时提供"});
  if (!errors.empty()) return fail(errors::validation(std::move(errors)));
  return {};
}

// Staff who may file: anyone who sees the grid's cases, except read-only roles.
bool may_file_as_staff(const auth::Principal& p, std::string_view path) {
  return grant_over(p, path, [](Role r) { return is_manager_role(r) || r == Role::grid_worker; });
}

}  // namespace

// The photo ids a caller names: each must be a file they uploaded (or one the
// case already shows), given once.
Result<std::vector<std::string>> checked_photos(db::Conn& conn, const files::FileStore& files,
                                                const auth::Actor& actor,
                                                const std::vector<std::string>& ids,
                                                std::optional<std::int64_t> case_id) {
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    if (std::ranges::find(out, id) != out.end()) continue;
    const bool known = (case_id && store::has_photo(conn, *case_id, id)) ||
                       files.uploaded_by(conn, actor, id).has_value();
    if (!known) {
      return fail(
          errors::invalid_field("photo_ids", "not-found", "照片不存在或不是您上传的，请重新上传"));
    }
    out.push_back(id);
  }
  return out;
}

json::array json_strings(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

CaseService::CaseService(App& app)
    : app_(app),
      pages_(app.db->extension<PageCache>()),
      area_names_(app.db->extension<org::store::AreaNamesVersion>().value) {
  clock_ = [] {
    const std::int64_t fake = testing::fake_now.load();
    return fake != 0 ? fake : now_ms();
  };
}

Result<Created> CaseService::create(const auth::Actor& actor, const NewCase& input,
                                    const std::string& idempotency_key,
                                    const std::string& body) const {
  return file(actor, input, idempotency_key, body, false);
}

Result<Created> CaseService::create_for_program(const auth::Actor& program,
                                                const NewCase& input) const {
  if (!input.grid_id) return fail(errors::invalid_field("grid_id", "required", "请选择网格"));
  return file(program, input, "", "", true);
}

Result<Created> CaseService::file(const auth::Actor& actor, const NewCase& given,
                                  const std::string& idempotency_key, const std::string& body,
                                  bool vouched) const {
  const auth::Principal& p = actor.who;
  const bool resident = p.kind == "resident";
  // A resident who names no place reports about home: the grid of their registration.
  NewCase input = given;
  if (resident && !input.grid_id && !input.lat && !input.lng) {
    for (const auth::Grant& g : p.grants) {
      if (g.role == Role::resident) input.grid_id = g.area_id;
    }
  }
  if (auto ok = check_new_case(input); !ok) return fail(ok.error());
  if (!resident && !vouched && p.grants.empty())
    return fail(errors::forbidden("您没有上报工单的权限"));
  if (resident && input.source != "resident")
    return fail(errors::invalid_field("source", "enum", "居民上报的来源只能是 resident"));
  std::optional<std::string> phone;
  if (input.reporter_phone && !input.reporter_phone->empty()) {
    auto normalized = normalize_mobile_phone(*input.reporter_phone, "reporter_phone");
    if (!normalized) return fail(normalized.error());
    phone = *normalized;
  }
  if ((input.source == "walk_in" || input.source == "hotline_12345") &&
      (!input.reporter_name || trim(*input.reporter_name).empty()))
    return fail(
        errors::invalid_field("reporter_name", "required", "来访或热线工单请填写反映人姓名"));

  // A point locates the grid through the org boundaries. Residents may file
  // anywhere by location (like FixMyStreet); staff within their scope.
  std::optional<std::int64_t> grid_id = input.grid_id;
  if (!grid_id) {
    auto area = app_.org->locate(resident ? auth::system_actor() : actor, *input.lat, *input.lng);
    if (!area) {
      return fail(errors::invalid_field("lat", "outside", "该位置不在任何网格内，请选择网格"));
    }
    grid_id = area->id;
  }
  const auto cal = calendar();
  const std::string owner = fmt::format("u{}", p.user_id);
  const std::string hash = body_hash(body);
  std::vector<notify::Notice> told;
  // A new case without photos as find_case() and detail() would read it back
  // after the COMMIT: the caller's answer without a second round of reads.
  std::optional<CaseDetail> shown;

  auto run = [&](db::Conn& conn) -> Result<std::pair<std::int64_t, bool>> {
    told.clear();
    shown.reset();
    if (!idempotency_key.empty()) {
      if (auto hit = store::find_idempotency(conn, owner, idempotency_key)) {
        if (hit->body_hash != hash) {
          return fail(Error{422,
                            "idempotency-key-reused",
                            "幂等键已被使用",
                            "同一个 Idempotency-Key 已用于另一份不同的工单，请换一个键",
                            {}});
        }
        return std::pair{hit->case_id, false};
      }
    }
    auto grid = app_.org->area_by_id(conn, *grid_id);
    if (!grid || grid->level != org::Level::grid || !grid->street_id)
      return fail(errors::invalid_field("grid_id", "not-grid", "网格不存在"));
    const bool by_location = !input.grid_id;
    if (resident) {
      const bool own_grid = grant_over(p, grid->path, [](Role r) { return r == Role::resident; });
      if (!own_grid && !by_location)
        return fail(errors::forbidden("居民只能在本人所在网格上报，或通过定位上报"));
    } else if (!vouched && !may_file_as_staff(p, grid->path)) {
      if (grant_over(p, grid->path, [](Role) { return true; }))
        return fail(errors::forbidden("您的角色不能上报工单"));
      return fail(errors::not_found("网格不存在或不在您的管辖范围内"));
    }
    auto cat = store::find_category(conn, input.category_id);
    if (!cat) return fail(errors::invalid_field("category_id", "not-found", "工单分类不存在"));
    auto photos = checked_photos(conn, *app_.files, actor, input.photo_ids, std::nullopt);
    if (!photos) return fail(photos.error());
    if (input.building_id) {
      auto bg = store::grid_of_building(conn, *input.building_id);
      if (!bg || *bg != grid->id)
        return fail(errors::invalid_field("building_id", "not-in-grid", "楼幢不在所选网格内"));
    }
    const std::int64_t now = this->now();
    Case c;
    c.street_id = *grid->street_id;
    c.path = grid->path;
    c.grid_id = grid->id;
    c.building_id = input.building_id;
    c.category_id = cat->id;
    c.title = std::string(trim(input.title));
    c.description = input.description;
    c.source = input.source;
    c.reporter_user_id = (input.source == "walk_in" || input.source == "hotline_12345")
                             ? std::nullopt
                             : user_or_none(p);
    c.reporter_name = input.reporter_name ? std::string(trim(*input.reporter_name)) : actor_name(p);
    c.address = input.address;
    c.lat = input.lat;
    c.lng = input.lng;
    c.priority = input.priority;
    c.status = "reported";
    c.level = cat->level;
    c.accept_deadline = cal->add_working_minutes(now, cat->accept_hours * 60);
    c.handle_deadline = handle_deadline(*cal, *cat, now);
    c.clock_start = now;
    c.created_at = now;
    c.supervise_at = supervise_at(*cal, c, now);
    const std::string day = format_date(cal->local_date(now));
    const std::string compact = day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2);
    c.number = fmt::format("MQ{}-{:04}", compact, store::next_number(conn, c.street_id, compact));
    store::SealedPhone sealed;
    if (phone) sealed = {db::Blob{app_.pii->encrypt(*phone)}, mask_phone(*phone)};
    c.id = store::insert_case(conn, c, sealed);
    store::add_grams(conn, c.id, grams_of(c));
    const std::string role = resident ? "resident" : vouched ? p.kind : standing(p, c).role;
    json::object data{{"number", c.number}, {"source", c.source}, {"category_id", c.category_id}};
    if (!photos->empty()) {
      store::add_photos(conn, c.id, *photos, "report", now);
      data["photo_ids"] = json_strings(*photos);
    }
    Event created{0,        now, user_or_none(p), actor_name(p), role,
                  "create", "",  "reported",      c.title,       json::serialize(data)};
    created.id = store::insert_event(conn, c.id, c.street_id, created);
    if (photos->empty()) {
      Case stored = c;
      stored.reporter_phone_masked = sealed.masked;
      stored.version = 1;
      stored.updated_at = now;
      stored.category_name = cat->name;
      stored.grid_name = grid->name;
      shown = CaseDetail{std::move(stored), {std::move(created)}, {}, {}, {}};
    }
    if (!idempotency_key.empty())
      store::insert_idempotency(conn, owner, idempotency_key, hash, c.id, now);
    app_.audit->record(conn, actor, audit_entry("create", c, "number=" + c.number, role));
    // Residents and client programs report from outside: the grid hears of it.
    told = app_.notify->record(
        conn, notices_for_report(conn, c, resident || vouched, user_or_none(p)), now);
    return std::pair{c.id, true};
  };

  Result<std::pair<std::int64_t, bool>> made = [&]() -> Result<std::pair<std::int64_t, bool>> {
    try {
      return app_.db->write(run);
    } catch (const db::DbError& e) {
      // Two retries racing on PostgreSQL: the loser finds the winner's case.
      if (e.unique_violation() && !idempotency_key.empty()) return app_.db->write(run);
      throw;
    }
  }();
  if (!made) return fail(made.error());
  app_.notify->publish(told);
  if (made->second && shown) {
    complete(*shown, actor);
    return Created{std::move(*shown), true};
  }
  auto detail = app_.db->read([&](db::Conn& conn) -> Result<CaseDetail> {
    auto c = store::find_case(conn, made->first);
    if (!c) return fail(not_visible());
    return this->detail(conn, actor, std::move(*c));
  });
  if (!detail) return fail(detail.error());
  return Created{std::move(*detail), made->second};
}

// ---- read ---------------------------------------------------------------------------

Result<CaseDetail> CaseService::detail(db::Conn& conn, const auth::Actor& actor, Case c) const {
  CaseDetail d;
  d.timeline = store::events_of(conn, c.id);
  d.photos = store::photos_of(conn, c.id);
  d.item = std::move(c);
  complete(d, actor);
  return d;
}

void CaseService::complete(CaseDetail& d, const auth::Actor& actor) const {
  const Case& c = d.item;
  d.deadline = deadline_info(*calendar(), c, now());
  d.allowed_actions.clear();
  const Standing s = standing(actor.who, c);
  for (const Rule& r : rules()) {
    if (!allowed_from(r, c.status) || !(r.who & s.who)) continue;
    // An extension is decided only while one is pending, and requested only while none is.
    if (r.action == "extend_decision" && !c.extension_minutes) continue;
    if (r.action == "extend" && c.extension_minutes) continue;
    d.allowed_actions.emplace_back(r.action);
  }
}

Result<CaseDetail> CaseService::get(const auth::Actor& actor, std::int64_t id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<CaseDetail> {
    auto c = store::find_case(conn, id);
    if (!c || !can_view(actor.who, *c)) return fail(not_visible());
    return detail(conn, actor, std::move(*c));
  });
}

Result<PhotoBytes> CaseService::photo(const auth::Actor& actor, std::int64_t case_id,
                                      const std::string& file_id) const {
  auto file = app_.db->read([&](db::Conn& conn) -> Result<files::StoredFile> {
    auto c = store::find_case(conn, case_id);
    if (!c || !can_view(actor.who, *c)) return fail(not_visible());
    auto f = app_.files->find(conn, file_id);
    if (!f || !store::has_photo(conn, case_id, file_id))
      return fail(errors::not_found("照片不存在"));
    return *f;
  });
  if (!file) return fail(file.error());
  auto bytes = app_.files->read(*file);
  if (!bytes) return fail(errors::not_found("照片文件已丢失"));
  return PhotoBytes{file->mime, std::move(*bytes)};
}

Result<Page> CaseService::list(const auth::Actor& actor, const ListQuery& query) const {
  const auth::Principal& p = actor.who;
  store::Filter f;
  for (const auth::Grant& g : p.grants) {
    if (is_viewer_role(g.role)) f.scopes.push_back({g.area_path, auth::subtree_end(g.area_path)});
    if (g.role == Role::grid_worker)
      f.mine_grids.push_back({g.area_path, auth::subtree_end(g.area_path)});
  }
  f.user_id = p.user_id;
  f.status = query.status;
  f.mine = query.mine;
  if (query.overdue) f.overdue_at = now();
  f.warning = query.warning;
  if (query.cursor) {
    f.before_id = decode_cursor(*query.cursor);
    if (!f.before_id) return fail(errors::invalid_field("cursor", "format", "分页游标无效"));
  }
  if (query.q) {
    const std::string q = to_lower_ascii(trim(*query.q));
    if (!q.empty()) {
      if (utf8_length(q) > 1) {
        std::set<std::string> unique;
        for (std::string& g : char_bigrams(q)) unique.insert(std::move(g));
        for (const std::string& g : unique) {
          if (f.grams.size() < kMaxQueryGrams && utf8_length(g) == 2) f.grams.push_back(g);
        }
      }
      if (q.find(' ') == std::string::npos) f.like = escape_like(q);
    }
  }
  const int limit = std::clamp(query.limit, 1, kMaxPageSize);
  f.limit = limit + 1;
  return app_.db->read([&](db::Conn& conn) -> Result<Page> {
    if (query.area_id) {
      auto area = app_.org->area_by_id(conn, *query.area_id);
      if (!area) return fail(errors::invalid_field("area", "not-found", "区域不存在"));
      f.area = store::PathRange{area->path, auth::subtree_end(area->path)};
    }
    if (query.category_id) {
      f.category_ids.push_back(*query.category_id);
      for (const Category& c : store::categories(conn)) {
        if (c.parent_id == query.category_id) f.category_ids.push_back(c.id);
      }
    }
    Page page;
    page.items = store::search(conn, f);
    if (page.items.size() > static_cast<std::size_t>(limit)) {
      page.items.resize(limit);
      page.next_cursor = encode_cursor(page.items.back().id);
    }
    return page;
  });
}

namespace {
// The page cache's key of a list page: everything list() reads of the caller
// (user id, kind, each grant's role and area) and the parsed query; the free
// texts last, each with its length, so that no two keys run together.
std::string list_key(const auth::Principal& p, const ListQuery& q, std::int64_t now) {
  std::string key = fmt::format("{}|{}|", p.user_id, p.kind);
  auto out = std::back_inserter(key);
  for (const auth::Grant& g : p.grants)
    fmt::format_to(out, "{}:{};", static_cast<int>(g.role), g.area_path);
  // An overdue page changes as time passes: it is kept within its second.
  fmt::format_to(out, "|{}|{}|{}|{:d}|{}|{}|{}", q.status.value_or(""), q.area_id.value_or(0),
                 q.category_id.value_or(0), q.mine, q.overdue ? now / 1000 : -1,
                 q.warning.value_or(""), q.limit);
  if (q.cursor) fmt::format_to(out, "|c{}:{}", q.cursor->size(), *q.cursor);
  if (q.q) fmt::format_to(out, "|q{}:{}", q.q->size(), *q.q);
  return key;
}

// CIVICGRID_CASE_LIST_CACHE=off renders every page (to measure the cold cost).
bool page_cache_enabled() {
  static const bool enabled = [] {
    const char* env = std::getenv("CIVICGRID_CASE_LIST_CACHE");
    return !env || std::string_view(env) != "off";
  }();
  return enabled;
}
}  // namespace

Result<PageCache::Body> CaseService::list_body(
    const auth::Actor& actor, const ListQuery& query,
    const std::function<std::string(const Page&)>& render) const {
  const auth::Principal& p = actor.who;
  if (!page_cache_enabled()) {
    auto page = list(actor, query);
    if (!page) return fail(page.error());
    std::string bytes = render(*page);
    std::string etag = PageCache::etag_of(bytes);
    return PageCache::Body{std::make_shared<const std::string>(std::move(bytes)), std::move(etag)};
  }
  std::vector<std::string_view> scopes;
  for (const auth::Grant& g : p.grants)
    if (is_viewer_role(g.role)) scopes.push_back(g.area_path);
  // Read before list() opens its read transaction (see page_cache.hpp).
  const std::uint64_t version =
      pages_.fingerprint(scopes, p.user_id) + area_names_.load(std::memory_order_acquire);
  const std::string key = list_key(p, query, now());
  if (auto kept = pages_.find(key, version)) return std::move(*kept);
  auto page = list(actor, query);
  if (!page) return fail(page.error());
  return pages_.store(key, version, render(*page));
}

// ---- actions --------------------------------------------------------------------------

namespace {

// What one action changes beyond the status: fills `next`, the event's note
// and data, or fails with the field the caller got wrong.
struct Step {
  Case next;
  std::string note;
  json::object data;
};

// Which actions carry photos, and as what: the handler's "after" photos, the
// verifier's, and any note in the timeline.
std::string_view a_photo_stage(std::string_view action) {
  if (action == "handle") return "handle";
  if (action == "verify" || action == "comment") return action;
  return "";
}

Status need_text(const std::string& value, const char* field, const char* message) {
  const std::size_t n = utf8_length(trim(value));
  if (n < 2 || n > 500) return fail(errors::invalid_field(field, "required", message));
  return {};
}

}  // namespace

Result<CaseDetail> CaseService::act(const auth::Actor& actor, std::int64_t id,
                                    const ActionInput& in) const {
  const Rule* rule = rule_of(in.action);
  if (!rule) return fail(errors::invalid_field("action", "enum", "未知的操作"));
  const auto cal = calendar();
  const auth::Principal& p = actor.who;
  std::vector<notify::Notice> told;
  std::optional<Case> stored;
  std::int64_t last_event = 0;
  auto done = app_.db->write([&](db::Conn& conn) -> Status {
    auto found = store::find_case(conn, id);
    if (!found || !can_view(p, *found)) return fail(not_visible());
    const Case& c = *found;
    if (in.expected_version && *in.expected_version != c.version) return fail(stale(c));
    if (!allowed_from(*rule, c.status)) return fail(illegal(*rule, c));
    const Standing s = standing(p, c);
    if (!(rule->who & s.who)) {
      return fail(errors::forbidden(fmt::format("您不能对此工单执行“{}”", rule->title)));
    }
    const std::int64_t now = this->now();
    Step step{c, std::string(trim(in.note)), {}};
    Case& n = step.next;
    auto photos = checked_photos(conn, *app_.files, actor, in.photo_ids, c.id);
    if (!photos) return fail(photos.error());
    const std::string_view photo_stage = a_photo_stage(rule->action);
    if (!photos->empty() && photo_stage.empty())
      return fail(errors::invalid_field("photo_ids", "not-allowed", "此操作不能附带照片"));
    if (!rule->to.empty()) n.status = std::string(rule->to);
    const std::string_view a = rule->action;

    if (a == "accept") {
      n.clock_start = now;
    } else if (a == "reject") {
      if (auto ok = need_text(in.reason, "reason", "请填写不予受理的原因（2到500个字符）"); !ok)
        return ok;
      step.data["reason"] = in.reason;
      n.closed_at = now;
    } else if (a == "merge") {
      if (!in.into_case_id)
        return fail(errors::invalid_field("into_case_id", "required", "请指定合并到的工单"));
      auto into = store::find_case(conn, *in.into_case_id);
      if (!into || !can_view(p, *into) || into->id == c.id)
        return fail(errors::invalid_field("into_case_id", "not-found", "目标工单不存在"));
      if (into->status == "merged" || into->status == "rejected")
        return fail(errors::invalid_field("into_case_id", "status", "目标工单已合并或不予受理"));
      n.merged_into = into->id;
      n.closed_at = now;
      step.data["into_case_id"] = into->id;
      step.data["into_number"] = into->number;
    } else if (a == "dispatch") {
      if (in.handler_user_id) {
        auto user = store::find_user(conn, *in.handler_user_id);
        const auto paths = user ? store::grant_paths(conn, user->id) : std::vector<std::string>{};
        const bool reaches = std::ranges::any_of(
            paths, [&](const std::string& sp) { return auth::path_within(c.path, sp); });
        if (!user || user->kind != "staff" || !reaches)
          return fail(errors::invalid_field("handler_user_id", "not-found",
                                            "处置人员不存在或不负责该网格"));
        n.handler_user_id = user->id;
        step.data["handler_name"] = user->display_name;
      } else {
        n.handler_user_id = std::nullopt;
      }
      auto cat = store::find_category(conn, c.category_id);
      // A named handler still works for a unit: the category's unless one is given.
      n.handler_unit = in.handler_unit ? std::string(trim(*in.handler_unit)) : cat->handler_unit;
      if (in.deadline && *in.deadline <= now)
        return fail(errors::invalid_field("deadline", "past", "办理期限应晚于当前时间"));
      n.handle_deadline = in.deadline ? *in.deadline : handle_deadline(*cal, *cat, now);
      n.clock_start = now;
      n.dispatched_at = now;
      if (n.handler_user_id) step.data["handler_user_id"] = *n.handler_user_id;
      step.data["handler_unit"] = n.handler_unit;
      step.data["deadline"] = *n.handle_deadline;
    } else if (a == "handle") {
      if (auto ok = need_text(in.note, "note", "请填写处置情况（2到500个字符）"); !ok) return ok;
      if (photos->empty())
        return fail(errors::invalid_field("photo_ids", "required", "请上传处置后的照片"));
      n.handling_minutes =
          cal->working_minutes_between(c.dispatched_at.value_or(c.clock_start), now);
    } else if (a == "verify") {
      if (!in.passed)
        return fail(errors::invalid_field("passed", "required", "请填写核查是否通过"));
      step.data["passed"] = *in.passed;
      if (*in.passed) {
        n.status = "verified";
      } else {
        // 返工: back to the same handler with a fresh handling deadline.
        n.status = "dispatched";
        n.rework_count += 1;
        auto cat = store::find_category(conn, c.category_id);
        n.handle_deadline = handle_deadline(*cal, *cat, now);
        n.clock_start = now;
        step.data["rework_count"] = n.rework_count;
      }
    } else if (a == "close") {
      n.closed_at = now;
      n.rating = std::nullopt;
      n.rating_comment.clear();
    } else if (a == "rate") {
      if (!in.rating) return fail(errors::invalid_field("rating", "required", "请选择评价"));
      if (c.rating) return fail(illegal(*rule, c, "该工单已评价，不能重复评价"));
      n.rating = in.rating;
      n.rating_comment = step.note;
      step.data["rating"] = *in.rating;
      if (*in.rating == "dissatisfied" && c.reopen_count == 0) {
        // 不满意 reopens once: the community reviews and accepts it again.
        n.status = "reopened";
        n.reopen_count += 1;
        n.closed_at = std::nullopt;
        auto cat = store::find_category(conn, c.category_id);
        n.accept_deadline = cal->add_working_minutes(now, cat->accept_hours * 60);
        n.clock_start = now;
      }
    } else if (a == "return") {
      if (auto ok = need_text(in.reason, "reason", "请填写退回原因（2到500个字符）"); !ok)
        return ok;
      step.data["reason"] = in.reason;
      step.data["handler_unit"] = c.handler_unit;
      n.handler_user_id = std::nullopt;
      n.handler_unit.clear();
      n.extension_minutes = std::nullopt;
      n.extension_reason.clear();
    } else if (a == "escalate") {
      if (c.level == "street") return fail(illegal(*rule, c, "工单已在街道层级，不能再上报"));
      n.level = level_above(c.level);
      step.data["from_level"] = c.level;
      step.data["to_level"] = n.level;
    } else if (a == "extend") {
      if (c.extension_minutes) return fail(illegal(*rule, c, "已有待审批的延期申请"));
      if (in.days.has_value() == in.hours.has_value())
        return fail(errors::invalid_field("days", "required", "请填写延期天数或小时数（二选一）"));
      if (auto ok = need_text(in.reason, "reason", "请填写延期原因（2到500个字符）"); !ok)
        return ok;
      const std::int64_t minutes =
          in.days ? *in.days * cal->hours().minutes_per_day() : *in.hours * 60;
      n.extension_minutes = minutes;
      n.extension_reason = in.reason;
      step.data["minutes"] = minutes;
      step.data["reason"] = in.reason;
    } else if (a == "extend_decision") {
      if (!c.extension_minutes) return fail(illegal(*rule, c, "没有待审批的延期申请"));
      if (!in.approved)
        return fail(errors::invalid_field("approved", "required", "请填写是否同意延期"));
      step.data["approved"] = *in.approved;
      step.data["minutes"] = *c.extension_minutes;
      if (*in.approved) {
        n.handle_deadline =
            cal->add_working_minutes(c.handle_deadline.value_or(now), *c.extension_minutes);
        step.data["deadline"] = *n.handle_deadline;
      }
      n.extension_minutes = std::nullopt;
      n.extension_reason.clear();
    } else if (a == "supervise" || a == "comment") {
      if (auto ok = need_text(in.note, "note", "请填写内容（2到500个字符）"); !ok) return ok;
    }

    if (!photos->empty()) {
      store::add_photos(conn, c.id, *photos, std::string(photo_stage), now);
      step.data["photo_ids"] = json_strings(*photos);
    }
    n.warning = deadline_info(*cal, n, now).warning;
    n.supervise_at = supervise_at(*cal, n, now);
    if (!store::update_case(conn, c, n, now)) return fail(stale(c));
    const std::int64_t event_id =
        store::insert_event(conn, c.id, c.street_id,
                            {0, now, user_or_none(p), actor_name(p), s.role, std::string(a),
                             c.status, n.status, step.note, json::serialize(step.data)});
    // The row as update_case() left it, for the answer.
    stored = n;
    stored->version = c.version + 1;
    stored->updated_at = now;
    last_event = event_id;
    told = app_.notify->record(conn, notices_for_action(conn, a, c, n, user_or_none(p)), now);
    app_.audit->record(
        conn, actor,
        audit_entry(std::string(a), c,
                    fmt::format("{}→{}; version={}", c.status, n.status, c.version + 1), s.role));
    return {};
  });
  if (!done) return fail(done.error());
  app_.notify->publish(told);
  // The caller saw the case when acting; a return may have taken it out of
  // their sight since, but they still get the result of what they did.
  // The case as this action stored it, unless another has changed it since
  // (its event would follow ours): then as it is now.
  return app_.db->read([&](db::Conn& conn) -> Result<CaseDetail> {
    CaseDetail d;
    d.timeline = store::events_of(conn, id);
    if (d.timeline.empty() || d.timeline.back().id != last_event) {
      auto c = store::find_case(conn, id);
      if (!c) return fail(not_visible());
      return detail(conn, actor, std::move(*c));
    }
    d.photos = store::photos_of(conn, id);
    d.item = std::move(*stored);
    complete(d, actor);
    return d;
  });
}

// ---- supervision ---------------------------------------------------------------------

namespace {
constexpr int kBoardLimit = 100;
constexpr std::int64_t kYearMs = 365LL * 24 * 3'600'000;

std::string_view level_title(std::string_view level) {
  return level == "grid" ? "网格" : level == "community" ? "社区" : "街道";
}

// The timeline event of an automatic escalation of `c` to `to_level` at `at`,
// for missing `deadline`.
Event escalation_event(const Case& c, const std::string& to_level, std::int64_t deadline,
                       std::int64_t at) {
  json::object data{
      {"from_level", c.level}, {"to_level", to_level}, {"deadline", deadline}, {"auto", true}};
  return {0,
          at,
          std::nullopt,
          actor_name(auth::system_actor().who),
          "system",
          "escalate",
          c.status,
          c.status,
          fmt::format("超期未办结，自动上报至{}层级督办", level_title(to_level)),
          json::serialize(data)};
}
}  // namespace

// The running cases a page at a time, per status in the order of cases_status:
// each page is read on a reader, and only the cases whose warning or level
// changes are written, in a short transaction of their own. On `city` (two
// million running cases) one pass that loaded them all inside a write held the
// writer for tens of seconds every minute, and every request that wrote queued
// behind it.
int CaseService::clear_stale_warnings() const {
  constexpr std::size_t kBatch = 2000;
  const std::vector<std::int64_t> ids =
      app_.db->read([](db::Conn& conn) { return store::stale_warnings(conn); });
  int cleared = 0;
  for (std::size_t at = 0; at < ids.size(); at += kBatch) {
    const std::span<const std::int64_t> batch(ids.data() + at, std::min(kBatch, ids.size() - at));
    cleared += app_.db->write([&](db::Conn& conn) { return store::clear_warnings(conn, batch); });
  }
  return cleared;
}

// Reads only the cases whose supervise_at has come (migration 0063), unless the
// calendar changed since the last pass (in any process): then every running
// case once, since the instants they hold were counted on the old calendar.
SupervisionReport CaseService::run_supervision_once(std::int64_t now) const {
  constexpr std::int64_t kPage = 2000;
  SupervisionReport report;
  report.cleared += clear_stale_warnings();
  const auto [calendar_version, swept_version] =
      app_.db->read([](db::Conn& conn) { return store::calendar_versions(conn); });
  if (const std::int64_t version = calendar_version; version != swept_version) {
    rebuild_calendar();  // the change may have come from another process
    add_report(report, sweep_all(*calendar(), now));
    app_.db->write([&](db::Conn& conn) { store::set_swept_version(conn, version); });
    return report;
  }
  const auto cal = calendar();
  for (store::DueCursor after;;) {
    const std::vector<Case> page =
        app_.db->read([&](db::Conn& conn) { return store::due_cases(conn, now, after, kPage); });
    if (page.empty()) break;
    after = {*page.back().supervise_at, page.back().id};
    add_report(report, look_at(page, *cal, now));
  }
  return report;
}

// Every running case, by status and id: after a change of the calendar, whose
// old instants the cases' supervise_at were counted on.
SupervisionReport CaseService::sweep_all(const WorkCalendar& cal, std::int64_t now) const {
  constexpr std::int64_t kPage = 2000;
  SupervisionReport report;
  for (std::string_view status : store::kRunningStatuses) {
    for (std::int64_t after = 0;;) {
      const std::vector<Case> page = app_.db->read(
          [&](db::Conn& conn) { return store::running_cases(conn, status, after, kPage); });
      if (page.empty()) break;
      after = page.back().id;
      add_report(report, look_at(page, cal, now));
    }
  }
  return report;
}

SupervisionReport CaseService::look_at(const std::vector<Case>& page, const WorkCalendar& cal,
                                       std::int64_t now) const {
  std::vector<Look> looks;
  for (const Case& c : page) {
    DeadlineInfo d = deadline_info(cal, c, now);
    const bool changes = supervision_due(c, d);
    std::optional<std::int64_t> next = next_look(cal, c, d, now);
    if (changes || next != c.supervise_at) looks.push_back({&c, std::move(d), next, changes});
  }
  SupervisionReport report;
  if (!looks.empty()) report = supervise_page(looks, now);
  report.read += static_cast<int>(page.size());
  return report;
}

// When the pass must look at `c` again, given its state `d` now (with the
// warning the pass gives it): when yellow turns red (just past the deadline),
// or when 80 % of its working time is used. Nothing changes for a red case
// (escalated as far as this deadline goes, or escalated now: that write makes
// it due at once); nor without a deadline, until someone acts on the case.
std::optional<std::int64_t> CaseService::next_look(const WorkCalendar& cal, const Case& c,
                                                   const DeadlineInfo& d, std::int64_t now) {
  if (!d.deadline || d.warning == "red") return std::nullopt;
  const std::int64_t red_at = *d.deadline + 1;
  if (d.warning == "yellow") return red_at;
  const std::int64_t total = cal.working_ms_between(c.clock_start, *d.deadline);
  if (total <= 0) return red_at;
  const auto used = static_cast<std::int64_t>(std::ceil(kYellowAt * static_cast<double>(total)));
  // At least a millisecond ahead: an instant counted a hair early must not make
  // a pass read the case again and again.
  return std::max(std::min(cal.add_working_ms(c.clock_start, used), red_at), now + 1);
}

// What a write stores as the case's supervise_at: when the pass must next look
// at it, or 0 (at once) if the pass has something to do now (an escalation).
std::optional<std::int64_t> CaseService::supervise_at(const WorkCalendar& cal, const Case& c,
                                                      std::int64_t now) {
  const DeadlineInfo d = deadline_info(cal, c, now);
  if (supervision_due(c, d)) return 0;
  return next_look(cal, c, d, now);
}

std::optional<Event> CaseService::catch_up_supervision(const WorkCalendar& cal, Case& c,
                                                       std::int64_t now) {
  const DeadlineInfo d = deadline_info(cal, c, now);
  std::optional<Event> escalated;
  if (escalation_due(c, d)) {
    constexpr std::int64_t kPassEvery = 60'000;
    const std::int64_t at = std::min(std::max(*d.deadline + kPassEvery, c.updated_at), now);
    escalated = escalation_event(c, level_above(c.level), *d.deadline, at);
    c.level = level_above(c.level);
    c.escalated_at = at;
    c.updated_at = at;
    c.version += 1;
  }
  c.warning = d.warning;
  c.supervise_at = supervise_at(cal, c, now);
  return escalated;
}

// Whether a pass changes the case: an overdue case escalates once per missed
// deadline (a new deadline, after an extension or rework, that is missed again
// escalates once more, up to the street); otherwise its warning follows the clock.
bool CaseService::supervision_due(const Case& c, const DeadlineInfo& d) {
  return escalation_due(c, d) || d.warning != c.warning;
}

bool CaseService::escalation_due(const Case& c, const DeadlineInfo& d) {
  const bool overdue = d.warning == "red" && d.deadline;
  return overdue && c.level != "street" && (!c.escalated_at || *c.escalated_at <= *d.deadline);
}

void CaseService::add_report(SupervisionReport& into, const SupervisionReport& more) {
  into.yellow += more.yellow;
  into.red += more.red;
  into.cleared += more.cleared;
  into.escalated += more.escalated;
  into.read += more.read;
}

// Writes one page's changes; a case acted on since the page was read is left
// to the next pass (its version no longer matches).
SupervisionReport CaseService::supervise_page(const std::vector<Look>& looks,
                                              std::int64_t now) const {
  const auth::Actor system = auth::system_actor();
  std::vector<notify::Notice> told;
  auto tell = [&](db::Conn& conn, const Case& c, std::string_view level) {
    auto recorded = app_.notify->record(conn, notices_for_overdue(conn, c, level), now);
    told.insert(told.end(), recorded.begin(), recorded.end());
  };
  SupervisionReport done = app_.db->write([&](db::Conn& conn) {
    told.clear();
    SupervisionReport report;
    for (const auto& [case_ptr, d, next, changes] : looks) {
      const Case& c = *case_ptr;
      if (!changes) {
        store::set_supervise_at(conn, c, next);
      } else if (escalation_due(c, d)) {
        Case n = c;
        n.level = level_above(c.level);
        n.escalated_at = now;
        n.warning = d.warning;
        n.supervise_at = supervise_at(*calendar(), n, now);
        if (!store::update_case(conn, c, n, now)) continue;
        store::insert_event(conn, c.id, c.street_id,
                            escalation_event(c, n.level, *d.deadline, now));
        app_.audit->record(
            conn, system,
            audit_entry("escalate", c,
                        fmt::format("auto; {}→{}; version={}", c.level, n.level, c.version + 1),
                        "system"));
        tell(conn, n, n.level);
        ++report.escalated;
        if (c.warning != "red") ++report.red;
      } else if (store::set_warning(conn, c, d.warning, next)) {
        if (d.warning == "red") {
          tell(conn, c, c.level);  // overdue at the street: nobody above to escalate to
          ++report.red;
        } else if (d.warning == "yellow") {
          ++report.yellow;
        } else {
          ++report.cleared;
        }
      }
    }
    return report;
  });
  app_.notify->publish(told);
  return done;
}

Result<Board> CaseService::board(const auth::Actor& actor) const {
  const auth::Principal& p = actor.who;
  store::Filter f;
  for (const auth::Grant& g : p.grants) {
    if (is_viewer_role(g.role)) f.scopes.push_back({g.area_path, auth::subtree_end(g.area_path)});
  }
  if (f.scopes.empty()) return fail(errors::forbidden("只有工作人员可以查看督办看板"));
  f.user_id = p.user_id;
  f.by_deadline = true;
  f.limit = kBoardLimit;
  return app_.db->read([&](db::Conn& conn) {
    Board b;
    f.warning = "red";
    b.red = store::search(conn, f);
    f.warning = "yellow";
    b.yellow = store::search(conn, f);
    return b;
  });
}

// ---- indicators ------------------------------------------------------------------------

namespace {
// The end of the local day (UTC+08:00, as the rollups' days) holding the instant `ms`.
std::int64_t end_of_local_day(std::int64_t ms) {
  constexpr std::int64_t kDay = 86'400'000, kOffset = 8 * 3'600'000;
  const std::int64_t t = ms + kOffset;
  return (t / kDay - (t % kDay < 0 ? 1 : 0) + 1) * kDay - kOffset;
}

// The widest area the caller views cases in: the default root of the indicators.
const auth::Grant* viewer_root(const auth::Principal& p) {
  const auth::Grant* root = nullptr;
  for (const auth::Grant& g : p.grants) {
    if (is_viewer_role(g.role) && (!root || g.area_path.size() < root->area_path.size())) root = &g;
  }
  return p.kind == "staff" ? root : nullptr;
}

// The area asked for (or the caller's root), if the caller views cases there.
Result<org::Area> viewed_area(const App& app, db::Conn& conn, const auth::Principal& p,
                              const auth::Grant& root, std::optional<std::int64_t> area_id) {
  auto area = app.org->area_by_id(conn, area_id.value_or(root.area_id));
  if (!area || !grant_over(p, area->path, is_viewer_role))
    return fail(errors::not_found("区域不存在或不在您的管辖范围内"));
  return *area;
}
}  // namespace

// Three steps, so that the cache can lease what it will read before the read
// transaction that reads it starts (see stats_cache.hpp): the area, its children
// and the category names; the rollup sums, most of them kept in memory; the
// cases of partial days at the window's ends, when it has any.
Result<CaseStats> CaseService::stats(const auth::Actor& actor, const StatsQuery& query) const {
  const auth::Principal& p = actor.who;
  const auth::Grant* root = viewer_root(p);
  if (!root) return fail(errors::forbidden("只有工作人员可以查看工单统计"));
  CaseStats out;
  // The default window is whole local days (up to the end of today, the 365 days
  // before): the rollups answer it without reading cases.
  out.to = query.to.value_or(end_of_local_day(now()));
  out.from = query.from.value_or(out.to - kYearMs);
  if (out.from >= out.to)
    return fail(errors::invalid_field("from", "range", "起始时间应早于结束时间"));
  struct Scope {
    org::Area area;
    std::vector<store::StatsChild> children;
    std::vector<Category> categories;
  };
  auto scope = app_.db->read([&](db::Conn& conn) -> Result<Scope> {
    auto area = viewed_area(app_, conn, p, *root, query.area_id);
    if (!area) return fail(area.error());
    return Scope{*area, store::stats_children(conn, area->id), store::categories(conn)};
  });
  if (!scope) return fail(scope.error());
  const org::Area& area = scope->area;
  out.area = {area.id, area.name, std::string(org::level_name(area.level))};
  const store::PathRange range{area.path, auth::subtree_end(area.path)};
  const store::StatsWindow window = store::stats_window(out.from, out.to, now());
  StatsCache& cache = app_.db->extension<StatsCache>();
  std::vector<std::string> child_paths;
  child_paths.reserve(scope->children.size());
  for (const store::StatsChild& ch : scope->children) child_paths.push_back(ch.path);
  const auto own = cache.sums(*app_.db, {range.from}, window.spans, false);
  const auto kids = cache.sums(*app_.db, child_paths, window.spans, true);
  std::vector<store::RollupSum> partial;
  if (std::ranges::any_of(window.partial, [](auto span) { return span.first < span.second; })) {
    partial = app_.db->read(
        [&](db::Conn& conn) { return store::partial_days(conn, range, window.partial); });
  }
  store::StatsParts parts =
      store::assemble_stats(range, scope->children, own, kids, partial, scope->categories);
  out.total = parts.total;
  out.by_child = std::move(parts.by_child);
  out.by_category = std::move(parts.by_category);
  return out;
}

Result<OpenByGrid> CaseService::open_by_grid(const auth::Actor& actor,
                                             std::optional<std::int64_t> area_id) const {
  const auth::Principal& p = actor.who;
  const auth::Grant* root = viewer_root(p);
  if (!root) return fail(errors::forbidden("只有工作人员可以查看工单统计"));
  return app_.db->read([&](db::Conn& conn) -> Result<OpenByGrid> {
    auto area = viewed_area(app_, conn, p, *root, area_id);
    if (!area) return fail(area.error());
    OpenByGrid out;
    out.area = {area->id, area->name, std::string(org::level_name(area->level))};
    out.grids = store::open_by_grid(conn, {area->path, auth::subtree_end(area->path)});
    return out;
  });
}

}  // namespace cg::cases
