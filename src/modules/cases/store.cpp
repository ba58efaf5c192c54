#include "modules/cases/store.hpp"

#include <fmt/format.h>

#include "db/bulk.hpp"

namespace cg::cases::store {
namespace {

// ---- SQL -------------------------------------------------------------------

constexpr std::string_view kCategoryColumns =
    "id, parent_id, code, name, level, handler_unit, accept_hours, handle_limit, handle_unit";
constexpr std::string_view kListCategories = "SELECT {} FROM case_categories ORDER BY id";
constexpr std::string_view kFindCategory = "SELECT {} FROM case_categories WHERE id = $1";
constexpr std::string_view kInsertCategory = R"(
INSERT INTO case_categories (parent_id, code, name, level, handler_unit, accept_hours,
                             handle_limit, handle_unit, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id)";
constexpr std::string_view kUpdateCategory = R"(
UPDATE case_categories SET code = $2, name = $3, level = $4, handler_unit = $5,
       accept_hours = $6, handle_limit = $7, handle_unit = $8, updated_at = $9
WHERE id = $1)";

constexpr std::string_view kCalendarDays =
    "SELECT date, kind, name FROM calendar_days ORDER BY date";
constexpr std::string_view kCalendarYear = R"(
SELECT date, kind, name FROM calendar_days WHERE date >= $1 AND date < $2 ORDER BY date)";
constexpr std::string_view kPutCalendarDay = R"(
INSERT INTO calendar_days (date, kind, name) VALUES ($1, $2, $3)
ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name)";
constexpr std::string_view kDeleteCalendarDay = "DELETE FROM calendar_days WHERE date = $1";
constexpr std::string_view kSetting = "SELECT value FROM case_settings WHERE name = $1";
constexpr std::string_view kPutSetting = R"(
INSERT INTO case_settings (name, value) VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value = excluded.value)";

constexpr std::string_view kNextNumber = R"(
INSERT INTO case_counters (street_id, day, seq) VALUES ($1, $2, 1)
ON CONFLICT (street_id, day) DO UPDATE SET seq = case_counters.seq + 1
RETURNING seq)";

constexpr std::string_view kInsertCase = R"(
INSERT INTO cases (number, street_id, path, grid_id, building_id, category_id, title,
                   description, source, reporter_user_id, reporter_name, reporter_phone_enc,
                   reporter_phone_masked, address, lat, lng, priority, status, level,
                   handler_unit, handler_user_id, accept_deadline, handle_deadline, clock_start,
                   version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21, $22, $23, $24, 1, $25, $25)
RETURNING id)";

// Columns read by read_case(), in order.
constexpr std::string_view kCaseColumns =
    "c.id, c.number, c.street_id, c.path, c.grid_id, c.building_id, c.category_id, c.title, "
    "c.description, c.source, c.reporter_user_id, c.reporter_name, c.reporter_phone_masked, "
    "c.address, c.lat, c.lng, c.priority, c.status, c.level, c.handler_unit, c.handler_user_id, "
    "c.accept_deadline, c.handle_deadline, c.clock_start, c.extension_minutes, "
    "c.extension_reason, c.rework_count, c.reopen_count, c.rating, c.rating_comment, "
    "c.merged_into, c.version, c.created_at, c.updated_at, c.closed_at, k.name, a.name, "
    "c.warning, c.escalated_at, c.dispatched_at, c.handling_minutes";
constexpr std::string_view kCaseFrom =
    " FROM cases c JOIN case_categories k ON k.id = c.category_id JOIN areas a ON a.id = c.grid_id";

constexpr std::string_view kUpdateCase = R"(
UPDATE cases SET status = $3, level = $4, handler_unit = $5, handler_user_id = $6,
       accept_deadline = $7, handle_deadline = $8, clock_start = $9, extension_minutes = $10,
       extension_reason = $11, rework_count = $12, reopen_count = $13, rating = $14,
       rating_comment = $15, merged_into = $16, closed_at = $17, updated_at = $18,
       warning = $19, escalated_at = $20, dispatched_at = $21, handling_minutes = $22,
       version = version + 1
WHERE id = $1 AND version = $2)";

constexpr std::string_view kInsertEvent = R"(
INSERT INTO case_events (case_id, street_id, at, actor_id, actor_name, role, action,
                         from_status, to_status, note, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11))";
constexpr std::string_view kEventsOf = R"(
SELECT id, at, actor_id, actor_name, role, action, from_status, to_status, note, data
FROM case_events WHERE case_id = $1 ORDER BY id)";

constexpr std::string_view kInsertGram = R"(
INSERT INTO case_grams (gram, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING)";

constexpr std::string_view kFindIdempotency =
    "SELECT body_hash, case_id FROM case_idempotency WHERE owner = $1 AND key = $2";
constexpr std::string_view kInsertIdempotency = R"(
INSERT INTO case_idempotency (owner, key, body_hash, case_id, created_at)
VALUES ($1, $2, $3, $4, $5))";

constexpr std::string_view kAreaName = "SELECT name FROM areas WHERE id = $1";
constexpr std::string_view kFindUser = "SELECT id, display_name, kind FROM users WHERE id = $1";
constexpr std::string_view kGrantPaths = R"(
SELECT a.path FROM role_grants g JOIN areas a ON a.id = g.area_id WHERE g.user_id = $1)";
constexpr std::string_view kGridOfBuilding = "SELECT grid_id FROM buildings WHERE id = $1";
constexpr std::string_view kGridIds = "SELECT id FROM areas WHERE level = 'grid' ORDER BY id";
constexpr std::string_view kGridBoxes =
    "SELECT id, min_lng, min_lat, max_lng, max_lat FROM areas"
    " WHERE level = 'grid' AND min_lng IS NOT NULL";

// Fragments of the list query, joined by build_search().
constexpr std::string_view kAssignedOrReported =
    "c.handler_user_id = {} OR c.reporter_user_id = {}";
constexpr std::string_view kStatusIs = " AND c.status = {}";
constexpr std::string_view kBeforeId = " AND c.id < {}";
constexpr std::string_view kHasGram =
    " AND EXISTS (SELECT 1 FROM case_grams g WHERE g.case_id = c.id AND g.gram = {})";
constexpr std::string_view kTextLike =
    " AND (c.title LIKE '%' || CAST({0} AS TEXT) || '%' ESCAPE '\\'"
    " OR c.description LIKE '%' || CAST({0} AS TEXT) || '%' ESCAPE '\\')";
// The running deadline: accepting while reported or reopened, handling until handled.
constexpr std::string_view kOverdue =
    " AND ((c.status IN ('reported', 'reopened') AND c.accept_deadline < {0})"
    " OR (c.status IN ('accepted', 'dispatched', 'in_progress') AND c.handle_deadline < {0}))";
// One branch of the visible set: its own first page of ids (see build_search).
constexpr std::string_view kBranch =
    "{}SELECT id FROM (SELECT c.id FROM cases c WHERE ({}){}{}) b{}";
constexpr std::string_view kOrderLimit = " ORDER BY c.id DESC LIMIT {}";
constexpr std::string_view kWarningIs = " AND c.warning = {}";
// The board: the running deadline, newest first.
constexpr std::string_view kOrderDeadlineLimit =
    " ORDER BY CASE WHEN c.status IN ('reported', 'reopened') THEN c.accept_deadline"
    " ELSE c.handle_deadline END DESC, c.id DESC LIMIT {}";

// ---- supervision ----
// Cases with a running deadline (accepting or handling).
constexpr std::string_view kRunning =
    " WHERE c.status IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress')"
    " ORDER BY c.id";
// Cases not running any more that still carry a warning.
constexpr std::string_view kClearStale = R"(
UPDATE cases SET warning = 'none'
WHERE warning <> 'none'
  AND status NOT IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress'))";
constexpr std::string_view kSetWarning = "UPDATE cases SET warning = $2 WHERE id = $1";

// ---- indicators ----
// Counts over the cases c of one group; see Counts for their meaning.
constexpr std::string_view kCountColumns = R"(
  COUNT(c.id),
  COALESCE(SUM(CASE WHEN c.status NOT IN ('reported', 'rejected', 'merged') THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.status = 'closed' AND c.closed_at <= c.handle_deadline
                    THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.rating IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.rework_count > 0 THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.status IN ('handled', 'verified', 'closed') OR c.rework_count > 0
                      OR c.reopen_count > 0 THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.status = 'closed' AND c.level = 'grid' THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.status = 'closed' AND c.level IN ('grid', 'community')
                    THEN 1 ELSE 0 END), 0),
  CAST(COALESCE(SUM(c.handling_minutes), 0) AS BIGINT),
  COUNT(c.handling_minutes))";
// $1, $2: the area's path range; $3, $4: reported in [from, to).
constexpr std::string_view kStatsTotal = R"(
SELECT {} FROM cases c
WHERE c.path >= $1 AND c.path < $2 AND c.created_at >= $3 AND c.created_at < $4)";
// Every child area, with zeros when it has no cases. "/1/5/" spans ["/1/5/", "/1/50").
constexpr std::string_view kStatsByChild = R"(
SELECT ch.id, ch.name, ch.level, {} FROM areas ch
LEFT JOIN cases c ON c.path >= ch.path
                 AND c.path < SUBSTR(ch.path, 1, LENGTH(ch.path) - 1) || '0'
                 AND c.created_at >= $2 AND c.created_at < $3
WHERE ch.parent_id = $1
GROUP BY ch.id, ch.name, ch.level
ORDER BY ch.id)";
// By top-level category (a subcategory counts for its parent).
constexpr std::string_view kStatsByCategory = R"(
SELECT r.id, r.name, {} FROM cases c
JOIN case_categories k ON k.id = c.category_id
JOIN case_categories r ON r.id = COALESCE(k.parent_id, k.id)
WHERE c.path >= $1 AND c.path < $2 AND c.created_at >= $3 AND c.created_at < $4
GROUP BY r.id, r.name
ORDER BY r.id)";

// Running = not closed, rejected or merged. A case's path is its grid's path.
constexpr std::string_view kOpenByGrid = R"(
SELECT g.id, g.name, g.level, COUNT(c.id),
  COALESCE(SUM(CASE WHEN c.warning = 'yellow' THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN c.warning = 'red' THEN 1 ELSE 0 END), 0)
FROM areas g
LEFT JOIN cases c ON c.path = g.path
                 AND c.status IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress',
                                  'handled', 'verified')
WHERE g.level = 'grid' AND g.path >= $1 AND g.path < $2
GROUP BY g.id, g.name, g.level
ORDER BY g.id)";

// ---- helpers ---------------------------------------------------------------

Category read_category(const db::Row& r) {
  Category c;
  c.id = r.i64(0);
  c.parent_id = r.opt_i64(1);
  c.code = r.text(2);
  c.name = r.text(3);
  c.level = r.text(4);
  c.handler_unit = r.text(5);
  c.accept_hours = r.i64(6);
  c.handle_limit = r.i64(7);
  c.handle_unit = r.text(8);
  return c;
}

std::optional<double> opt_f64(const db::Row& r, std::size_t i) {
  if (r.is_null(i)) return std::nullopt;
  return r.f64(i);
}

Case read_case(const db::Row& r) {
  Case c;
  c.id = r.i64(0);
  c.number = r.text(1);
  c.street_id = r.i64(2);
  c.path = r.text(3);
  c.grid_id = r.i64(4);
  c.building_id = r.opt_i64(5);
  c.category_id = r.i64(6);
  c.title = r.text(7);
  c.description = r.text(8);
  c.source = r.text(9);
  c.reporter_user_id = r.opt_i64(10);
  c.reporter_name = r.text(11);
  c.reporter_phone_masked = r.text(12);
  c.address = r.text(13);
  c.lat = opt_f64(r, 14);
  c.lng = opt_f64(r, 15);
  c.priority = r.text(16);
  c.status = r.text(17);
  c.level = r.text(18);
  c.handler_unit = r.text(19);
  c.handler_user_id = r.opt_i64(20);
  c.accept_deadline = r.opt_i64(21);
  c.handle_deadline = r.opt_i64(22);
  c.clock_start = r.i64(23);
  c.extension_minutes = r.opt_i64(24);
  c.extension_reason = r.text(25);
  c.rework_count = r.i64(26);
  c.reopen_count = r.i64(27);
  c.rating = r.opt_text(28);
  c.rating_comment = r.text(29);
  c.merged_into = r.opt_i64(30);
  c.version = r.i64(31);
  c.created_at = r.i64(32);
  c.updated_at = r.i64(33);
  c.closed_at = r.opt_i64(34);
  c.category_name = r.text(35);
  c.grid_name = r.text(36);
  c.warning = r.text(37);
  c.escalated_at = r.opt_i64(38);
  c.dispatched_at = r.opt_i64(39);
  c.handling_minutes = r.opt_i64(40);
  return c;
}

// Collects parameters and hands out their placeholders in order.
using Params = db::ParamList;

std::string ranges_sql(const std::vector<PathRange>& ranges, Params& p) {
  return db::path_ranges_sql("c.path", ranges, p);
}

// Visible: in a scope, or assigned to / reported by the caller.
std::string visibility_sql(const std::vector<PathRange>& scopes, std::int64_t user, Params& p) {
  std::string sql = ranges_sql(scopes, p);
  if (!sql.empty()) sql += " OR ";
  const std::string me = p.add(user);
  return sql + fmt::format(fmt::runtime(kAssignedOrReported), me, me);
}

// The same visible set as visibility_sql(), one condition per part: each path
// range, handler = me, reporter = me. Each part alone can use its own index
// (cases_status_path / cases_path, cases_handler, cases_reporter), which the OR
// of them cannot: there SQLite walks every case of the status newest first.
std::vector<std::string> visibility_branches(const std::vector<PathRange>& scopes,
                                             std::int64_t user, Params& p) {
  std::vector<std::string> out;
  for (const PathRange& r : scopes) out.push_back(ranges_sql({r}, p));
  const std::string me = p.add(user);
  out.push_back("c.handler_user_id = " + me);
  out.push_back("c.reporter_user_id = " + me);
  return out;
}

// The filters other than visibility, each starting with " AND".
std::string filters_sql(const Filter& f, Params& p) {
  std::string sql;
  if (f.status) sql += fmt::format(fmt::runtime(kStatusIs), p.add(*f.status));
  if (f.area) sql += " AND " + ranges_sql({*f.area}, p);
  if (!f.category_ids.empty()) {
    sql += " AND c.category_id IN (";
    for (std::size_t i = 0; i < f.category_ids.size(); ++i) {
      sql += (i ? ", " : "") + p.add(f.category_ids[i]);
    }
    sql += ")";
  }
  if (f.overdue_at) sql += fmt::format(fmt::runtime(kOverdue), p.add(*f.overdue_at));
  if (f.warning) sql += fmt::format(fmt::runtime(kWarningIs), p.add(*f.warning));
  for (const std::string& g : f.grams) sql += fmt::format(fmt::runtime(kHasGram), p.add(g));
  if (f.like) sql += fmt::format(fmt::runtime(kTextLike), p.add(*f.like));
  if (f.before_id) sql += fmt::format(fmt::runtime(kBeforeId), p.add(*f.before_id));
  return sql;
}

// The first page of a visible set is the first page of the union of each
// branch's own first page: every branch takes its page (same order, same
// keyset cursor, same LIMIT) through its own index, and the outer query joins
// the few ids found and orders them once more. A case in several branches is
// found twice; IN takes it once.
std::string build_search(const Filter& f, Params& p) {
  // With "mine" the caller's grids are the narrower set to branch on; the
  // scopes still apply, as a filter.
  const std::vector<PathRange>& branch_ranges = f.mine ? f.mine_grids : f.scopes;
  const std::vector<std::string> branches = visibility_branches(branch_ranges, f.user_id, p);
  std::string filters = filters_sql(f, p);
  if (f.mine) filters += " AND (" + visibility_sql(f.scopes, f.user_id, p) + ")";
  const std::string order =
      fmt::format(fmt::runtime(f.by_deadline ? kOrderDeadlineLimit : kOrderLimit), p.add(f.limit));
  std::string ids;
  for (std::size_t i = 0; i < branches.size(); ++i) {
    ids +=
        fmt::format(fmt::runtime(kBranch), i ? " UNION ALL " : "", branches[i], filters, order, i);
  }
  return fmt::format("SELECT {}{} WHERE c.id IN ({}){}", kCaseColumns, kCaseFrom, ids, order);
}

}  // namespace

// ---- categories ------------------------------------------------------------

std::vector<Category> categories(db::Conn& conn) {
  std::vector<Category> out;
  for (const db::Row& r : conn.query(fmt::format(fmt::runtime(kListCategories), kCategoryColumns)))
    out.push_back(read_category(r));
  return out;
}

std::optional<Category> find_category(db::Conn& conn, std::int64_t id) {
  auto row = conn.query_one(fmt::format(fmt::runtime(kFindCategory), kCategoryColumns), {id});
  if (!row) return std::nullopt;
  return read_category(*row);
}

std::int64_t insert_category(db::Conn& conn, const Category& c, std::int64_t now) {
  return conn
      .query(kInsertCategory, {c.parent_id, c.code, c.name, c.level, c.handler_unit, c.accept_hours,
                               c.handle_limit, c.handle_unit, now})
      .at(0)
      .i64(0);
}

void update_category(db::Conn& conn, const Category& c, std::int64_t now) {
  conn.exec(kUpdateCategory, {c.id, c.code, c.name, c.level, c.handler_unit, c.accept_hours,
                              c.handle_limit, c.handle_unit, now});
}

// ---- calendar --------------------------------------------------------------

std::vector<CalendarDay> calendar_days(db::Conn& conn) {
  std::vector<CalendarDay> out;
  for (const db::Row& r : conn.query(kCalendarDays))
    out.push_back({r.text(0), r.text(1), r.text(2)});
  return out;
}

std::vector<CalendarDay> calendar_days_of_year(db::Conn& conn, int year) {
  std::vector<CalendarDay> out;
  for (const db::Row& r : conn.query(
           kCalendarYear, {fmt::format("{:04}-01-01", year), fmt::format("{:04}-01-01", year + 1)}))
    out.push_back({r.text(0), r.text(1), r.text(2)});
  return out;
}

void put_calendar_day(db::Conn& conn, const CalendarDay& day) {
  conn.exec(kPutCalendarDay, {day.date, day.kind, day.name});
}

bool delete_calendar_day(db::Conn& conn, const std::string& date) {
  return conn.exec(kDeleteCalendarDay, {date}) > 0;
}

std::optional<std::string> setting(db::Conn& conn, const std::string& name) {
  auto row = conn.query_one(kSetting, {name});
  if (!row) return std::nullopt;
  return row->text(0);
}

void put_setting(db::Conn& conn, const std::string& name, const std::string& value) {
  conn.exec(kPutSetting, {name, value});
}

// ---- cases -----------------------------------------------------------------

std::int64_t next_number(db::Conn& conn, std::int64_t street_id, const std::string& day) {
  return conn.query(kNextNumber, {street_id, day}).at(0).i64(0);
}

std::int64_t insert_case(db::Conn& conn, const Case& c, const SealedPhone& phone) {
  return conn
      .query(kInsertCase, {c.number,
                           c.street_id,
                           c.path,
                           c.grid_id,
                           c.building_id,
                           c.category_id,
                           c.title,
                           c.description,
                           c.source,
                           c.reporter_user_id,
                           c.reporter_name,
                           phone.enc,
                           phone.masked,
                           c.address,
                           c.lat,
                           c.lng,
                           c.priority,
                           c.status,
                           c.level,
                           c.handler_unit,
                           c.handler_user_id,
                           c.accept_deadline,
                           c.handle_deadline,
                           c.clock_start,
                           c.created_at})
      .at(0)
      .i64(0);
}

std::optional<Case> find_case(db::Conn& conn, std::int64_t id) {
  auto row =
      conn.query_one(fmt::format("SELECT {}{} WHERE c.id = $1", kCaseColumns, kCaseFrom), {id});
  if (!row) return std::nullopt;
  return read_case(*row);
}

bool update_case(db::Conn& conn, const Case& c, std::int64_t now) {
  return conn.exec(kUpdateCase, {c.id,
                                 c.version,
                                 c.status,
                                 c.level,
                                 c.handler_unit,
                                 c.handler_user_id,
                                 c.accept_deadline,
                                 c.handle_deadline,
                                 c.clock_start,
                                 c.extension_minutes,
                                 c.extension_reason,
                                 c.rework_count,
                                 c.reopen_count,
                                 c.rating,
                                 c.rating_comment,
                                 c.merged_into,
                                 c.closed_at,
                                 now,
                                 c.warning,
                                 c.escalated_at,
                                 c.dispatched_at,
                                 c.handling_minutes}) == 1;
}

void insert_event(db::Conn& conn, std::int64_t case_id, std::int64_t street_id, const Event& e) {
  conn.exec(kInsertEvent, {case_id, street_id, e.at, e.actor_id, e.actor_name, e.role, e.action,
                           e.from_status, e.to_status, e.note, e.data});
}

std::vector<Event> events_of(db::Conn& conn, std::int64_t case_id) {
  std::vector<Event> out;
  for (const db::Row& r : conn.query(kEventsOf, {case_id})) {
    out.push_back({r.i64(0), r.i64(1), r.opt_i64(2), r.text(3), r.text(4), r.text(5), r.text(6),
                   r.text(7), r.text(8), r.text(9)});
  }
  return out;
}

void add_grams(db::Conn& conn, std::int64_t case_id, const std::vector<std::string>& grams) {
  for (const std::string& g : grams) conn.exec(kInsertGram, {g, case_id});
}

std::optional<IdempotentHit> find_idempotency(db::Conn& conn, const std::string& owner,
                                              const std::string& key) {
  auto row = conn.query_one(kFindIdempotency, {owner, key});
  if (!row) return std::nullopt;
  return IdempotentHit{row->text(0), row->i64(1)};
}

void insert_idempotency(db::Conn& conn, const std::string& owner, const std::string& key,
                        const std::string& body_hash, std::int64_t case_id, std::int64_t now) {
  conn.exec(kInsertIdempotency, {owner, key, body_hash, case_id, now});
}

std::vector<Case> search(db::Conn& conn, const Filter& filter) {
  Params params;
  const std::string sql = build_search(filter, params);
  std::vector<Case> out;
  for (const db::Row& r : conn.query(sql, params.span())) out.push_back(read_case(r));
  return out;
}

std::string area_name(db::Conn& conn, std::int64_t area_id) {
  auto row = conn.query_one(kAreaName, {area_id});
  return row ? row->text(0) : "";
}

std::optional<UserBrief> find_user(db::Conn& conn, std::int64_t id) {
  auto row = conn.query_one(kFindUser, {id});
  if (!row) return std::nullopt;
  return UserBrief{row->i64(0), row->text(1), row->text(2)};
}

std::vector<std::string> grant_paths(db::Conn& conn, std::int64_t user_id) {
  std::vector<std::string> out;
  for (const db::Row& r : conn.query(kGrantPaths, {user_id})) out.push_back(r.text(0));
  return out;
}

std::optional<std::int64_t> grid_of_building(db::Conn& conn, std::int64_t building_id) {
  auto row = conn.query_one(kGridOfBuilding, {building_id});
  if (!row) return std::nullopt;
  return row->i64(0);
}

std::vector<std::int64_t> grid_ids(db::Conn& conn) {
  std::vector<std::int64_t> out;
  for (const db::Row& r : conn.query(kGridIds)) out.push_back(r.i64(0));
  return out;
}

std::vector<GridRef> grid_refs(db::Conn& conn) {
  std::vector<GridRef> out;
  for (const db::Row& r :
       conn.query("SELECT id, street_id, path FROM areas WHERE level = 'grid' AND street_id IS "
                  "NOT NULL ORDER BY id")) {
    out.push_back({r.i64(0), r.i64(1), r.text(2)});
  }
  return out;
}

std::map<std::pair<std::int64_t, std::string>, std::int64_t> counters(db::Conn& conn) {
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> out;
  for (const db::Row& r : conn.query("SELECT street_id, day, seq FROM case_counters"))
    out[{r.i64(0), r.text(1)}] = r.i64(2);
  return out;
}

void put_counters(db::Conn& conn,
                  const std::map<std::pair<std::int64_t, std::string>, std::int64_t>& counters) {
  conn.exec("DELETE FROM case_counters");
  db::BulkInsert rows(conn, "case_counters", {"street_id", "day", "seq"});
  for (const auto& [key, seq] : counters) rows.add({key.first, key.second, seq});
  rows.finish();
}

std::map<std::int64_t, GeoBox> grid_boxes(db::Conn& conn) {
  std::map<std::int64_t, GeoBox> out;
  for (const db::Row& r : conn.query(kGridBoxes))
    out[r.i64(0)] = {r.f64(1), r.f64(2), r.f64(3), r.f64(4)};
  return out;
}

// ---- supervision -----------------------------------------------------------

std::vector<Case> running_cases(db::Conn& conn) {
  std::vector<Case> out;
  for (const db::Row& r :
       conn.query(fmt::format("SELECT {}{}{}", kCaseColumns, kCaseFrom, kRunning)))
    out.push_back(read_case(r));
  return out;
}

int clear_stale_warnings(db::Conn& conn) {
  return static_cast<int>(conn.exec(kClearStale));
}

void set_warning(db::Conn& conn, std::int64_t case_id, const std::string& warning) {
  conn.exec(kSetWarning, {case_id, warning});
}

// ---- indicators ------------------------------------------------------------

namespace {
Counts read_counts(const db::Row& r, std::size_t at) {
  Counts c;
  std::int64_t* fields[] = {
      &c.received,         &c.accepted,      &c.closed,  &c.on_time_closed, &c.rated,
      &c.satisfied,        &c.reworked,      &c.handled, &c.closed_in_grid, &c.closed_in_community,
      &c.handling_minutes, &c.handling_cases};
  for (std::int64_t* f : fields) *f = r.i64(at++);
  return c;
}
}  // namespace

Counts stats_total(db::Conn& conn, const PathRange& range, std::int64_t from, std::int64_t to) {
  auto rows = conn.query(fmt::format(fmt::runtime(kStatsTotal), kCountColumns),
                         {range.from, range.to, from, to});
  return read_counts(rows.at(0), 0);
}

std::vector<AreaCounts> stats_by_child(db::Conn& conn, std::int64_t area_id, std::int64_t from,
                                       std::int64_t to) {
  std::vector<AreaCounts> out;
  for (const db::Row& r :
       conn.query(fmt::format(fmt::runtime(kStatsByChild), kCountColumns), {area_id, from, to}))
    out.push_back({{r.i64(0), r.text(1), r.text(2)}, read_counts(r, 3)});
  return out;
}

std::vector<GridOpenCount> open_by_grid(db::Conn& conn, const PathRange& range) {
  std::vector<GridOpenCount> out;
  for (const db::Row& r : conn.query(kOpenByGrid, {range.from, range.to}))
    out.push_back({{r.i64(0), r.text(1), r.text(2)}, r.i64(3), r.i64(4), r.i64(5)});
  return out;
}

std::vector<CategoryCounts> stats_by_category(db::Conn& conn, const PathRange& range,
                                              std::int64_t from, std::int64_t to) {
  std::vector<CategoryCounts> out;
  for (const db::Row& r : conn.query(fmt::format(fmt::runtime(kStatsByCategory), kCountColumns),
                                     {range.from, range.to, from, to}))
    out.push_back({r.i64(0), r.text(1), read_counts(r, 2)});
  return out;
}

// ---- photos ----

void add_photos(db::Conn& conn, std::int64_t case_id, const std::vector<std::string>& file_ids,
                const std::string& stage, std::int64_t at) {
  for (const std::string& id : file_ids) {
    conn.exec(
        "INSERT INTO case_photos (case_id, file_id, stage, at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (case_id, file_id, stage) DO NOTHING",
        {case_id, id, stage, at});
  }
}

std::vector<Photo> photos_of(db::Conn& conn, std::int64_t case_id) {
  std::vector<Photo> out;
  for (const db::Row& r :
       conn.query("SELECT p.file_id, p.stage, f.mime, f.width, f.height, p.at FROM case_photos p "
                  "JOIN files f ON f.id = p.file_id WHERE p.case_id = $1 ORDER BY p.at, p.file_id",
                  {case_id})) {
    out.push_back({r.text(0), r.text(1), r.text(2), static_cast<int>(r.i64(3)),
                   static_cast<int>(r.i64(4)), r.i64(5)});
  }
  return out;
}

bool has_photo(db::Conn& conn, std::int64_t case_id, const std::string& file_id) {
  return conn
      .query_one("SELECT 1 FROM case_photos WHERE case_id = $1 AND file_id = $2",
                 {case_id, file_id})
      .has_value();
}

std::vector<std::int64_t> users_over(db::Conn& conn, const std::string& path,
                                     const std::vector<std::string>& roles) {
  // The area itself and its ancestors are the prefixes of its path ending at a '/'.
  db::ParamList p;
  std::string paths, wanted;
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (path[i] != '/') continue;
    paths += (paths.empty() ? "" : ", ") + p.add(path.substr(0, i + 1));
  }
  for (const std::string& role : roles) wanted += (wanted.empty() ? "" : ", ") + p.add(role);
  if (paths.empty() || wanted.empty()) return {};
  std::vector<std::int64_t> out;
  for (const db::Row& r : conn.query(
           "SELECT DISTINCT g.user_id FROM role_grants g JOIN areas a ON a.id = g.area_id "
           "JOIN users u ON u.id = g.user_id WHERE a.path IN (" +
               paths + ") AND g.role IN (" + wanted + ") AND u.disabled = 0 ORDER BY g.user_id",
           p.span())) {
    out.push_back(r.i64(0));
  }
  return out;
}

}  // namespace cg::cases::store
