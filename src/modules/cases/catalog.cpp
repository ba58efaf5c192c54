// The reference data cases depend on: the category tree and the working-day
// calendar deadlines are counted on.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "core/text.hpp"
#include "db/db.hpp"
#include "modules/audit/model.hpp"
#include "modules/cases/service.hpp"
#include "modules/cases/store.hpp"

namespace cg::cases {
namespace {

using auth::Permission;

constexpr std::string_view kCalendarSeeded = "calendar_seeded";
constexpr std::string_view kRollupsBuilt = "rollups_built";
// The deployment's working hours in parse_hours form; absent = standard().
constexpr std::string_view kWorkingHours = "working_hours";

// Categories and the calendar serve every community of the deployment, so
// changing them needs org.write on the root of the tree: platform admins (and
// the system). Street admins hold it on their street only.
Status require_admin(const auth::Actor& actor) {
  if (actor.who.can(Permission::org_write, "/")) return {};
  for (const auth::Grant& g : actor.who.grants) {
    if (g.role == auth::Role::platform_admin) return {};
  }
  return fail(errors::forbidden("只有平台管理员可以维护工单分类和工作日历"));
}

bool is_staff(const auth::Actor& actor) {
  return actor.who.kind == "staff" && !actor.who.grants.empty();
}

Status check_category(const Category& c) {
  std::vector<FieldError> errors;
  const auto length = [](const std::string& s) { return utf8_length(trim(s)); };
  if (length(c.name) < 1 || length(c.name) > 30)
    errors.push_back({"name", "length", "分类名称应为1到30个字符"});
  if (c.code.empty() || c.code.size() > 20 ||
      !std::ranges::all_of(c.code, [](char ch) { return std::isalnum((unsigned char)ch); }))
    errors.push_back({"code", "format", "分类编码应为1到20位字母或数字"});
  if (c.level != "grid" && c.level != "community" && c.level != "street")
    errors.push_back({"level", "enum", "取值无效，可选：grid、community、street"});
  if (c.handle_unit != "hours" && c.handle_unit != "days")
    errors.push_back({"handle_unit", "enum", "取值无效，可选：hours、days"});
  if (c.accept_hours < 1 || c.accept_hours > 720)
    errors.push_back({"accept_hours", "range", "受理时限应为1到720个工作小时"});
  if (c.handle_limit < 1 || c.handle_limit > 720)
    errors.push_back({"handle_limit", "range", "办理时限应为1到720"});
  if (utf8_length(c.handler_unit) > 50)
    errors.push_back({"handler_unit", "length", "处置单位不能超过50个字符"});
  if (!errors.empty()) return fail(errors::validation(std::move(errors)));
  return {};
}

void apply(Category& c, const CategoryInput& in) {
  if (in.code) c.code = *in.code;
  if (in.name) c.name = std::string(trim(*in.name));
  if (in.level) c.level = *in.level;
  if (in.handler_unit) c.handler_unit = *in.handler_unit;
  if (in.accept_hours) c.accept_hours = *in.accept_hours;
  if (in.handle_limit) c.handle_limit = *in.handle_limit;
  if (in.handle_unit) c.handle_unit = *in.handle_unit;
}

Error duplicate_category() {
  return errors::conflict("duplicate-category", "分类已存在",
                          "同级已有同名分类，或分类编码已被使用");
}

template <class F>
auto write_category(db::Database& db, F&& fn) -> std::invoke_result_t<F, db::Conn&> {
  try {
    return db.write(std::forward<F>(fn));
  } catch (const db::DbError& e) {
    if (e.unique_violation()) return fail(duplicate_category());
    throw;
  }
}

WorkCalendar build_calendar(const std::vector<CalendarDay>& days, WorkingHours hours) {
  std::vector<DayOverride> overrides;
  for (const CalendarDay& d : days) {
    auto date = parse_date(d.date);
    if (!date) continue;
    overrides.push_back({*date, d.kind == "workday" ? DayKind::workday : DayKind::rest, d.name});
  }
  return WorkCalendar(std::move(overrides), std::move(hours));
}

// The stored working hours; a value that no longer parses (never written by
// this code) falls back to the standard hours rather than stopping the server.
WorkingHours stored_hours(db::Conn& conn) {
  auto text = store::setting(conn, std::string(kWorkingHours));
  if (!text) return WorkingHours::standard();
  auto parsed = parse_hours(*text);
  return parsed ? *parsed : WorkingHours::standard();
}

}  // namespace

// ---- categories ------------------------------------------------------------

Result<std::vector<Category>> CaseService::category_tree(const auth::Actor&) const {
  auto flat = app_.db->read([](db::Conn& conn) { return store::categories(conn); });
  std::map<std::int64_t, std::vector<Category>> children;
  std::vector<Category> roots;
  for (Category& c : flat) {
    if (c.parent_id)
      children[*c.parent_id].push_back(std::move(c));
    else
      roots.push_back(std::move(c));
  }
  for (Category& r : roots) r.children = std::move(children[r.id]);
  return roots;
}

Result<Category> CaseService::create_category(const auth::Actor& actor,
                                              const CategoryInput& input) const {
  if (auto ok = require_admin(actor); !ok) return fail(ok.error());
  Category c{.level = "community", .handle_unit = "days"};
  apply(c, input);
  c.parent_id = input.parent_id;
  if (auto ok = check_category(c); !ok) return fail(ok.error());
  return write_category(*app_.db, [&](db::Conn& conn) -> Result<Category> {
    if (c.parent_id) {
      auto parent = store::find_category(conn, *c.parent_id);
      if (!parent) return fail(errors::invalid_field("parent_id", "not-found", "上级分类不存在"));
      if (parent->parent_id)
        return fail(errors::invalid_field("parent_id", "depth", "分类最多两级"));
    }
    c.id = store::insert_category(conn, c, now());
    app_.audit->record(conn, actor,
                       {"case_category.create", "case_category", std::to_string(c.id),
                        "name=" + c.name, "/", actor.who.acting_role(Permission::org_write, "/")});
    return c;
  });
}

Result<Category> CaseService::update_category(const auth::Actor& actor, std::int64_t id,
                                              const CategoryInput& input) const {
  if (auto ok = require_admin(actor); !ok) return fail(ok.error());
  return write_category(*app_.db, [&](db::Conn& conn) -> Result<Category> {
    auto c = store::find_category(conn, id);
    if (!c) return fail(errors::not_found("工单分类不存在"));
    apply(*c, input);
    if (auto ok = check_category(*c); !ok) return fail(ok.error());
    store::update_category(conn, *c, now());
    app_.audit->record(conn, actor,
                       {"case_category.update", "case_category", std::to_string(id),
                        "name=" + c->name, "/", actor.who.acting_role(Permission::org_write, "/")});
    return *c;
  });
}

// ---- calendar --------------------------------------------------------------

void CaseService::seed_calendar() const {
  app_.db->write([&](db::Conn& conn) {
    if (store::setting(conn, std::string(kCalendarSeeded))) return;
    for (const HolidayEntry& e : china_builtin_holidays()) {
      store::put_calendar_day(
          conn, {std::string(e.date), std::string(to_string(e.kind)), std::string(e.name)});
    }
    store::put_setting(conn, std::string(kCalendarSeeded), "1");
  });
  rebuild_calendar();
}

void CaseService::ensure_rollups() const {
  app_.db->write([&](db::Conn& conn) {
    if (store::setting(conn, std::string(kRollupsBuilt))) return;
    store::rebuild_rollups(conn);
    store::put_setting(conn, std::string(kRollupsBuilt), "1");
  });
}

void CaseService::rebuild_calendar() const {
  auto fresh = app_.db->read([](db::Conn& conn) {
    return std::make_shared<const WorkCalendar>(
        build_calendar(store::calendar_days(conn), stored_hours(conn)));
  });
  std::lock_guard lock(calendar_mutex_);
  calendar_ = std::move(fresh);
}

std::shared_ptr<const WorkCalendar> CaseService::calendar() const {
  {
    std::lock_guard lock(calendar_mutex_);
    if (calendar_) return calendar_;
  }
  rebuild_calendar();
  std::lock_guard lock(calendar_mutex_);
  return calendar_;
}

Result<std::vector<CalendarDay>> CaseService::calendar_year(const auth::Actor& actor,
                                                            int year) const {
  if (!is_staff(actor)) return fail(errors::forbidden("只有工作人员可以查看工作日历"));
  return app_.db->read([&](db::Conn& conn) { return store::calendar_days_of_year(conn, year); });
}

Result<CalendarDay> CaseService::put_calendar_day(const auth::Actor& actor,
                                                  const CalendarDay& day) const {
  if (auto ok = require_admin(actor); !ok) return fail(ok.error());
  if (!parse_date(day.date)) return fail(errors::not_found("日期格式应为 YYYY-MM-DD"));
  app_.db->write([&](db::Conn& conn) {
    store::put_calendar_day(conn, day);
    store::bump_calendar_version(conn);
    app_.audit->record(conn, actor,
                       {"calendar.put", "calendar_day", day.date,
                        fmt::format("kind={}; name={}", day.kind, day.name), "/",
                        actor.who.acting_role(Permission::org_write, "/")});
  });
  rebuild_calendar();
  return day;
}

Result<WorkingHours> CaseService::set_working_hours(const auth::Actor& actor,
                                                    const std::string& text) const {
  if (auto ok = require_admin(actor); !ok) return fail(ok.error());
  auto hours = parse_hours(text);
  if (!hours) return fail(hours.error());
  const std::string canonical = format_hours(*hours);
  app_.db->write([&](db::Conn& conn) {
    const std::string before = format_hours(stored_hours(conn));
    store::put_setting(conn, std::string(kWorkingHours), canonical);
    store::bump_calendar_version(conn);
    app_.audit->record(
        conn, actor,
        {"calendar.hours", "calendar", "working_hours", fmt::format("{} → {}", before, canonical),
         "/", actor.who.acting_role(Permission::org_write, "/")});
  });
  rebuild_calendar();
  return *hours;
}

Status CaseService::delete_calendar_day(const auth::Actor& actor, const std::string& date) const {
  if (auto ok = require_admin(actor); !ok) return ok;
  auto done = app_.db->write([&](db::Conn& conn) -> Status {
    if (!store::delete_calendar_day(conn, date))
      return fail(errors::not_found("该日期没有特别安排"));
    store::bump_calendar_version(conn);
    app_.audit->record(conn, actor,
                       {"calendar.delete", "calendar_day", date, "", "/",
                        actor.who.acting_role(Permission::org_write, "/")});
    return {};
  });
  if (done) rebuild_calendar();
  return done;
}

}  // namespace cg::cases
