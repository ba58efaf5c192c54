#include "modules/cases/store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <string_view>
#include <unordered_map>

#include "db/bulk.hpp"
#include "modules/cases/page_cache.hpp"
#include "modules/cases/stats_cache.hpp"

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
                   version, created_at, updated_at, supervise_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21, $22, $23, $24, 1, $25, $25, $26)
RETURNING id)";

// Columns read by read_case(), in order.
constexpr std::string_view kCaseColumns =
    "c.id, c.number, c.street_id, c.path, c.grid_id, c.building_id, c.category_id, c.title, "
    "c.description, c.source, c.reporter_user_id, c.reporter_name, c.reporter_phone_masked, "
    "c.address, c.lat, c.lng, c.priority, c.status, c.level, c.handler_unit, c.handler_user_id, "
    "c.accept_deadline, c.handle_deadline, c.clock_start, c.extension_minutes, "
    "c.extension_reason, c.rework_count, c.reopen_count, c.rating, c.rating_comment, "
    "c.merged_into, c.version, c.created_at, c.updated_at, c.closed_at, k.name, a.name, "
    "c.warning, c.escalated_at, c.dispatched_at, c.handling_minutes, c.supervise_at";
constexpr std::string_view kCaseFrom =
    " FROM cases c JOIN case_categories k ON k.id = c.category_id JOIN areas a ON a.id = c.grid_id";

constexpr std::string_view kUpdateCase = R"(
UPDATE cases SET status = $3, level = $4, handler_unit = $5, handler_user_id = $6,
       accept_deadline = $7, handle_deadline = $8, clock_start = $9, extension_minutes = $10,
       extension_reason = $11, rework_count = $12, reopen_count = $13, rating = $14,
       rating_comment = $15, merged_into = $16, closed_at = $17, updated_at = $18,
       warning = $19, escalated_at = $20, dispatched_at = $21, handling_minutes = $22,
       supervise_at = $23, version = version + 1
WHERE id = $1 AND version = $2)";

constexpr std::string_view kInsertEvent = R"(
INSERT INTO case_events (case_id, street_id, at, actor_id, actor_name, role, action,
                         from_status, to_status, note, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id)";
constexpr std::string_view kEventsOf = R"(
SELECT id, at, actor_id, actor_name, role, action, from_status, to_status, note, data
FROM case_events WHERE case_id = $1 ORDER BY id)";

// A case's search bigrams are one row per case, space-separated (bigrams never
// hold an ASCII space): an FTS5 document on SQLite, a GIN-indexed array on
// PostgreSQL. One row with a batched inverted index costs a fraction of a row
// per bigram in a B-tree, which tripled the cost of filing a case.
constexpr std::string_view kInsertGramsSqlite =
    "INSERT INTO case_search (rowid, grams) VALUES ($1, $2)";
constexpr std::string_view kInsertGramsPostgres =
    "INSERT INTO case_search (case_id, grams) VALUES ($1, string_to_array($2, ' '))";

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
// Cases holding every bigram of the query (see kInsertGramsSqlite).
constexpr std::string_view kHasGramsSqlite =
    " AND c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH {})";
constexpr std::string_view kHasGramsPostgres =
    " AND c.id IN (SELECT case_id FROM case_search WHERE grams @> string_to_array({}, ' '))";
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
// One running status's cases after an id, in the order of cases_status (status, id).
constexpr std::string_view kRunningPage =
    " WHERE c.status = $1 AND c.id > $2 ORDER BY c.id LIMIT $3";
// Cases not running any more that still carry a warning: the partial index
// cases_stale_warning (migration 0064), whose WHERE this repeats word for word,
// holds just those (normally none).
constexpr std::string_view kStaleWarned = R"(
SELECT id FROM cases
  WHERE warning <> 'none'
    AND status NOT IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress'))";
constexpr std::string_view kClearStale = R"(
UPDATE cases SET warning = 'none' WHERE id = $1 AND warning <> 'none'
  AND status NOT IN ('reported', 'reopened', 'accepted', 'dispatched', 'in_progress'))";
// Only if nobody acted on the case since it was read (the warning is derived from that state).
constexpr std::string_view kSetWarning =
    "UPDATE cases SET warning = $2, supervise_at = $4 WHERE id = $1 AND version = $3";
constexpr std::string_view kSetSuperviseAt =
    "UPDATE cases SET supervise_at = $2 WHERE id = $1 AND version = $3";
// The cases due by $1, in the order of cases_supervise_at, after ($2, $3).
constexpr std::string_view kDuePage = R"(
 WHERE c.supervise_at IS NOT NULL AND c.supervise_at BETWEEN $2 AND $1
   AND NOT (c.supervise_at = $2 AND c.id <= $3)
 ORDER BY c.supervise_at, c.id LIMIT $4)";

// ---- rollups ----
// The rollups (migration 0060) hold, per area on a case's path (its
// grid and every area above it), tier (local day or local month), period and
// top-level category, the sums of each case's share below. None of the Counts
// depends on "now" (they are the cases' current state), so a case's share
// changes only when the case is written; "currently overdue" is not a Count:
// the supervision job marks it on the case (warning) and open-by-grid reads
// those marks through the path index.

// The category_id of an area's rows over all categories (migration 0062).
constexpr std::int64_t kAllCategories = 0;

constexpr std::string_view kRollupCounters[] = {
    "received",         "accepted",      "closed",  "on_time_closed", "rated",
    "satisfied",        "reworked",      "handled", "closed_in_grid", "closed_in_community",
    "handling_minutes", "handling_cases"};
// One case's share, column by column in kRollupCounters order; the same
// definitions as kCountColumns, which tests use to check the rollups.
constexpr std::string_view kShare[] = {
    "1",
    "CASE WHEN c.status NOT IN ('reported', 'rejected', 'merged') THEN 1 ELSE 0 END",
    "CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END",
    "CASE WHEN c.status = 'closed' AND c.closed_at <= c.handle_deadline THEN 1 ELSE 0 END",
    "CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END",
    "CASE WHEN c.rating IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END",
    "CASE WHEN c.rework_count > 0 THEN 1 ELSE 0 END",
    "CASE WHEN c.status IN ('handled', 'verified', 'closed') OR c.rework_count > 0"
    " OR c.reopen_count > 0 THEN 1 ELSE 0 END",
    "CASE WHEN c.status = 'closed' AND c.level = 'grid' THEN 1 ELSE 0 END",
    "CASE WHEN c.status = 'closed' AND c.level IN ('grid', 'community') THEN 1 ELSE 0 END",
    "COALESCE(c.handling_minutes, 0)",
    "CASE WHEN c.handling_minutes IS NOT NULL THEN 1 ELSE 0 END",
};
// Days are local days of the deployment: China Standard Time (UTC+08:00), the
// offset WorkCalendar uses. Integer division is floor division here: created_at > 0.
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kLocalOffsetMs = 8 * 3'600'000;

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
  c.supervise_at = r.opt_i64(41);
  return c;
}

// ---- rollups ----

Counts difference(const Counts& a, const Counts& b) {
  Counts d;
  for (auto f : kCounters) d.*f = a.*f - b.*f;
  return d;
}

bool is_zero(const Counts& c) {
  return std::ranges::all_of(kCounters, [&](auto f) { return c.*f == 0; });
}

// One case's share of its rollup bucket: kShare, for the case in hand (the
// SQL of kShare rebuilds from the table; CaseStats tests check that the two agree).
Counts share_of(const Case& c) {
  const bool closed = c.status == "closed";
  const bool rated = c.rating.has_value();
  Counts s;
  s.received = 1;
  s.accepted = c.status != "reported" && c.status != "rejected" && c.status != "merged";
  s.closed = closed;
  s.on_time_closed =
      closed && c.closed_at && c.handle_deadline && *c.closed_at <= *c.handle_deadline;
  s.rated = rated;
  s.satisfied = rated && (*c.rating == "satisfied" || *c.rating == "basically_satisfied");
  s.reworked = c.rework_count > 0;
  s.handled = c.status == "handled" || c.status == "verified" || closed || c.rework_count > 0 ||
              c.reopen_count > 0;
  s.closed_in_grid = closed && c.level == "grid";
  s.closed_in_community = closed && (c.level == "grid" || c.level == "community");
  s.handling_minutes = c.handling_minutes.value_or(0);
  s.handling_cases = c.handling_minutes.has_value();
  return s;
}

}  // namespace

// The local day number (days since 1970-01-01 in the deployment's time zone) of an instant.
std::int64_t local_day(std::int64_t ms) {
  const std::int64_t t = ms + kLocalOffsetMs;
  return t / kDayMs - (t % kDayMs < 0 ? 1 : 0);
}

// The month number (year * 12 + month - 1) of the local calendar month holding a local day.
std::int64_t month_of_day(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  return static_cast<int>(ymd.year()) * 12LL + static_cast<unsigned>(ymd.month()) - 1;
}

// The local day number of the first day of a month number.
std::int64_t first_day_of_month(std::int64_t month) {
  const std::chrono::year_month_day first{std::chrono::year{static_cast<int>(month / 12)},
                                          std::chrono::month{static_cast<unsigned>(month % 12 + 1)},
                                          std::chrono::day{1}};
  return std::chrono::sys_days{first}.time_since_epoch().count();
}

// The areas a case at `path` counts in: every prefix ending at a '/' ("/1/5/9/" → "/1/",
// "/1/5/", "/1/5/9/"), its grid and each area above it.
std::vector<std::string> areas_up(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < path.size(); ++i)
    if (path[i] == '/') out.push_back(path.substr(0, i + 1));
  return out;
}

namespace {

// The counters, each as fmt::format(pattern, name), joined by ", ".
std::string each_counter(std::string_view pattern) {
  std::string out;
  for (std::string_view col : kRollupCounters) {
    if (!out.empty()) out += ", ";
    out += fmt::format(fmt::runtime(pattern), col);
  }
  return out;
}

// Adds `delta` to every row case `c` counts in: each area on its path × (its
// local day, its local month), under its top-level category and under
// kAllCategories (the area's total, so that an area's children cost a row per
// period each, not one per category; see rolled_up()). One statement
// (a multi-row VALUES, the delta's placeholders shared by the rows), so a
// write costs one round trip however deep the tree is.
void add_to_rollup(db::Conn& conn, const Case& c, const Counts& delta) {
  if (is_zero(delta)) return;
  db::ParamList p;
  const std::string category =
      fmt::format("(SELECT COALESCE(k.parent_id, k.id) FROM case_categories k WHERE k.id = {})",
                  p.add(c.category_id));
  const std::int64_t day = local_day(c.created_at);
  const std::string on_day = p.add(day), in_month = p.add(month_of_day(day));
  std::string counters;
  for (auto f : kCounters) counters += ", " + p.add(delta.*f);
  std::string rows;
  for (const std::string& area : areas_up(c.path)) {
    const std::string at = p.add(area);
    for (const std::string& k : {category, std::to_string(kAllCategories)}) {
      rows +=
          fmt::format("{}({}, 'day', {}, {}{}), ({}, 'month', {}, {}{})", rows.empty() ? "" : ", ",
                      at, on_day, k, counters, at, in_month, k, counters);
    }
  }
  if (db::Database* database = conn.database()) {
    StatsCache& cache = database->extension<StatsCache>();
    conn.after_commit([&cache, path = c.path, at = c.created_at] { cache.forget_case(path, at); });
  }
  conn.exec(
      fmt::format("INSERT INTO case_rollups (path, tier, period, category_id, {}) VALUES {} "
                  "ON CONFLICT (path, tier, period, category_id) DO UPDATE SET {}",
                  each_counter("{}"), rows, each_counter("{0} = case_rollups.{0} + excluded.{0}")),
      p.span());
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

// FTS5's query for documents holding every bigram: quoted phrases, implicitly
// AND-ed. A bigram of punctuation alone tokenizes to nothing and is ignored.
std::string fts_all_of(const std::vector<std::string>& grams) {
  std::string out;
  for (const std::string& g : grams) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (char ch : g) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    out += '"';
  }
  return out;
}

std::string grams_sql(db::Engine engine, const std::vector<std::string>& grams, Params& p) {
  if (grams.empty()) return "";
  if (engine == db::Engine::sqlite)
    return fmt::format(fmt::runtime(kHasGramsSqlite), p.add(fts_all_of(grams)));
  return fmt::format(fmt::runtime(kHasGramsPostgres),
                     p.add(fmt::format("{}", fmt::join(grams, " "))));
}

// The filters other than visibility, each starting with " AND".
std::string filters_sql(db::Engine engine, const Filter& f, Params& p) {
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
  sql += grams_sql(engine, f.grams, p);
  if (f.like) sql += fmt::format(fmt::runtime(kTextLike), p.add(*f.like));
  if (f.before_id) sql += fmt::format(fmt::runtime(kBeforeId), p.add(*f.before_id));
  return sql;
}

// The first page of a visible set is the first page of the union of each
// branch's own first page: every branch takes its page (same order, same
// keyset cursor, same LIMIT) through its own index, and the outer query joins
// the few ids found and orders them once more. A case in several branches is
// found twice; IN takes it once.
std::string build_search(db::Engine engine, const Filter& f, Params& p) {
  // With "mine" the caller's grids are the narrower set to branch on; the
  // scopes still apply, as a filter.
  const std::vector<PathRange>& branch_ranges = f.mine ? f.mine_grids : f.scopes;
  const std::vector<std::string> branches = visibility_branches(branch_ranges, f.user_id, p);
  std::string filters = filters_sql(engine, f, p);
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

namespace {
// After the COMMIT: the cached list pages that may show `c` are outdated (page_cache.hpp).
void outdate_pages(db::Conn& conn, const Case& c) {
  if (db::Database* database = conn.database()) {
    PageCache& pages = database->extension<PageCache>();
    conn.after_commit(
        [&pages, path = c.path, handler = c.handler_user_id, reporter = c.reporter_user_id] {
          pages.case_changed(path, handler, reporter);
        });
  }
}

// After the COMMIT: every cached list page is outdated.
void outdate_all_pages(db::Conn& conn) {
  if (db::Database* database = conn.database()) {
    PageCache& pages = database->extension<PageCache>();
    conn.after_commit([&pages] { pages.changed_all(); });
  }
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
  outdate_all_pages(conn);  // its name shows in every list
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

namespace {
constexpr const char* kCalendarVersion = "calendar_version";
constexpr const char* kSweptVersion = "supervision_swept_calendar_version";

std::int64_t number_setting(db::Conn& conn, const std::string& name) {
  const std::optional<std::string> text = setting(conn, name);
  std::int64_t n = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), n);
  return n;
}
}  // namespace

void bump_calendar_version(db::Conn& conn) {
  put_setting(conn, kCalendarVersion, std::to_string(number_setting(conn, kCalendarVersion) + 1));
}

std::pair<std::int64_t, std::int64_t> calendar_versions(db::Conn& conn) {
  return {number_setting(conn, kCalendarVersion), number_setting(conn, kSweptVersion)};
}

void set_swept_version(db::Conn& conn, std::int64_t version) {
  put_setting(conn, kSweptVersion, std::to_string(version));
}

// ---- cases -----------------------------------------------------------------

std::int64_t next_number(db::Conn& conn, std::int64_t street_id, const std::string& day) {
  return conn.query(kNextNumber, {street_id, day}).at(0).i64(0);
}

std::int64_t insert_case(db::Conn& conn, const Case& c, const SealedPhone& phone) {
  const std::int64_t id = conn.query(kInsertCase, {c.number,
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
                                                   c.created_at,
                                                   c.supervise_at})
                              .at(0)
                              .i64(0);
  add_to_rollup(conn, c, share_of(c));
  outdate_pages(conn, c);
  return id;
}

std::optional<Case> find_case(db::Conn& conn, std::int64_t id) {
  auto row =
      conn.query_one(fmt::format("SELECT {}{} WHERE c.id = $1", kCaseColumns, kCaseFrom), {id});
  if (!row) return std::nullopt;
  return read_case(*row);
}

bool update_case(db::Conn& conn, const Case& before, const Case& c, std::int64_t now) {
  const bool written = conn.exec(kUpdateCase, {c.id,
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
                                               c.handling_minutes,
                                               c.supervise_at}) == 1;
  // The stored row was `before` (same version), so its share moves by the difference.
  if (written) {
    add_to_rollup(conn, c, difference(share_of(c), share_of(before)));
    // Both the lists it was on and those it is on now (a new handler, another grid).
    outdate_pages(conn, before);
    if (c.path != before.path || c.handler_user_id != before.handler_user_id ||
        c.reporter_user_id != before.reporter_user_id)
      outdate_pages(conn, c);
  }
  return written;
}

std::int64_t insert_event(db::Conn& conn, std::int64_t case_id, std::int64_t street_id,
                          const Event& e) {
  return conn
      .query(kInsertEvent, {case_id, street_id, e.at, e.actor_id, e.actor_name, e.role, e.action,
                            e.from_status, e.to_status, e.note, e.data})
      .at(0)
      .i64(0);
}

std::vector<Event> events_of(db::Conn& conn, std::int64_t case_id) {
  std::vector<Event> out;
  for (const db::Row& r : conn.query(kEventsOf, {case_id})) {
    out.push_back({r.i64(0), r.i64(1), r.opt_i64(2), r.text(3), r.text(4), r.text(5), r.text(6),
                   r.text(7), r.text(8), r.text(9)});
  }
  return out;
}

std::string search_document(const std::vector<std::string>& grams) {
  return fmt::format("{}", fmt::join(grams, " "));
}

// Just before COMMIT: FTS5 writes its pending terms out as a segment at every
// SAVEPOINT, and each write of a SQLite group runs in one, so indexing inside the
// write made one segment (and later merges) per case; a group's documents
// indexed after its writes make one. Nothing reads case_search inside a write.
void add_grams(db::Conn& conn, std::int64_t case_id, const std::vector<std::string>& grams) {
  if (grams.empty()) return;
  const bool sqlite = conn.engine() == db::Engine::sqlite;
  conn.before_commit([case_id, sqlite, document = search_document(grams)](db::Conn& c) {
    c.exec(sqlite ? kInsertGramsSqlite : kInsertGramsPostgres, {case_id, document});
  });
}

db::BulkInsert bulk_grams(db::Conn& conn) {
  if (conn.engine() == db::Engine::sqlite)
    return db::BulkInsert(conn, "case_search", {"rowid", "grams"});
  return db::BulkInsert(conn, "case_search", {"case_id", "grams"},
                        {"{}", "string_to_array({}, ' ')"});
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
  const std::string sql = build_search(conn.engine(), filter, params);
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

std::vector<Case> running_cases(db::Conn& conn, std::string_view status, std::int64_t after,
                                std::int64_t limit) {
  std::vector<Case> out;
  for (const db::Row& r :
       conn.query(fmt::format("SELECT {}{}{}", kCaseColumns, kCaseFrom, kRunningPage),
                  {std::string(status), after, limit}))
    out.push_back(read_case(r));
  return out;
}

std::vector<std::int64_t> stale_warnings(db::Conn& conn) {
  std::vector<std::int64_t> ids;
  for (const db::Row& r : conn.query(kStaleWarned)) ids.push_back(r.i64(0));
  return ids;
}

int clear_warnings(db::Conn& conn, std::span<const std::int64_t> ids) {
  int cleared = 0;
  for (std::int64_t id : ids) cleared += static_cast<int>(conn.exec(kClearStale, {id}));
  if (cleared > 0) outdate_all_pages(conn);  // known by id only; rare
  return cleared;
}

std::vector<Case> due_cases(db::Conn& conn, std::int64_t now, DueCursor after, std::int64_t limit) {
  std::vector<Case> out;
  for (const db::Row& r :
       conn.query(fmt::format("SELECT {}{}{}", kCaseColumns, kCaseFrom, kDuePage),
                  {now, after.at, after.id, limit}))
    out.push_back(read_case(r));
  return out;
}

bool set_warning(db::Conn& conn, const Case& c, const std::string& warning,
                 std::optional<std::int64_t> supervise_at) {
  const bool written = conn.exec(kSetWarning, {c.id, warning, c.version, supervise_at}) == 1;
  if (written) outdate_pages(conn, c);
  return written;
}

bool set_supervise_at(db::Conn& conn, const Case& c, std::optional<std::int64_t> at) {
  return conn.exec(kSetSuperviseAt, {c.id, at, c.version}) == 1;
}

// ---- indicators ------------------------------------------------------------

namespace {
Counts read_counts(const db::Row& r, std::size_t at) {
  Counts c;
  for (auto f : kCounters) c.*f = r.i64(at++);
  return c;
}

// "<share> AS <counter>" for every counter.
std::string shares_as_counters() {
  std::string out;
  for (std::size_t i = 0; i < std::size(kShare); ++i)
    out += fmt::format("{}{} AS {}", i ? ", " : "", kShare[i], kRollupCounters[i]);
  return out;
}

// Runs `branches` (each yielding path, category_id and the counters) and sums them per
// path and category.
std::vector<RollupSum> summed(db::Conn& conn, const std::vector<std::string>& branches,
                              const db::ParamList& p) {
  std::vector<RollupSum> out;
  if (branches.empty()) return out;
  std::string all;
  for (const std::string& b : branches) all += (all.empty() ? "" : " UNION ALL ") + b;
  const std::string sql =
      fmt::format("SELECT s.path, s.category_id, {} FROM ({}) s GROUP BY s.path, s.category_id",
                  each_counter("CAST(SUM(s.{}) AS BIGINT)"), all);
  for (const db::Row& r : conn.query(sql, p.span()))
    out.push_back({r.text(0), r.i64(1), read_counts(r, 2)});
  return out;
}

// A branch of a rollup query: the rows of the areas `in` in one span's periods, of
// the kAllCategories rows or the per-category ones.
std::string span_rows(const RollupSpan& s, const std::string& in, bool all_categories,
                      db::ParamList& p) {
  return fmt::format(
      " FROM case_rollups r WHERE r.path IN ({}) AND r.tier = '{}' AND r.period >= {}"
      " AND r.period < {} AND r.category_id {} {}",
      in, s.month ? "month" : "day", p.add(s.from), p.add(s.to), all_categories ? "=" : "<>",
      kAllCategories);
}

std::string paths_in(const std::vector<std::string>& paths, db::ParamList& p) {
  std::string in;
  for (const std::string& path : paths) in += (in.empty() ? "" : ", ") + p.add(path);
  return in;
}
}  // namespace

// The spans of rollup periods that cover the whole local days [first_day, end_day):
// the whole months inside from the month tier, the days before and after them from
// the day tier. Each is one primary-key range per area, so the rows read are
// bounded by areas × (months + days at the ends) × categories. Two shortcuts keep
// the days few (a district of 500 streets read 250,000 rows for a year without
// them): rollups hold no day after today (a case is dated when it is filed), so a
// window through today takes its last month whole; and a window that starts late
// in a month takes that month less its first days.
StatsWindow stats_window(std::int64_t from, std::int64_t to, std::int64_t now) {
  StatsWindow w;
  const std::int64_t first_day =
      local_day(from - 1) + 1;                 // the first day starting at or after from
  const std::int64_t end_day = local_day(to);  // the day holding `to`
  auto day_start = [](std::int64_t day) { return day * kDayMs - kLocalOffsetMs; };
  if (first_day >= end_day) {
    w.partial = {{from, to}};
    return w;
  }
  w.partial = {{from, day_start(first_day)}, {day_start(end_day), to}};
  auto tier = [&](bool month, std::int64_t a, std::int64_t b, bool subtract = false) {
    if (a < b) w.spans.push_back({month, a, b, subtract});
  };
  std::int64_t lo = first_day, hi = end_day;  // the days still to cover
  if (end_day > local_day(now)) hi = first_day_of_month(month_of_day(end_day - 1) + 1);
  const std::int64_t m_first = month_of_day(lo);
  const std::int64_t month_start = first_day_of_month(m_first),
                     next_month = first_day_of_month(m_first + 1);
  if (lo > month_start && next_month <= hi && lo - month_start < next_month - lo) {
    tier(true, m_first, m_first + 1);
    tier(false, month_start, lo, true);
    lo = next_month;
  }
  // Months [m_lo, m_hi) are whole: m_lo starts at or after lo, m_hi holds hi.
  const std::int64_t m_lo = month_of_day(lo) + (first_day_of_month(month_of_day(lo)) == lo ? 0 : 1);
  const std::int64_t m_hi = month_of_day(hi);
  if (m_lo < m_hi) {
    tier(false, lo, first_day_of_month(m_lo));
    tier(true, m_lo, m_hi);
    tier(false, first_day_of_month(m_hi), hi);
  } else {
    tier(false, lo, hi);
  }
  return w;
}

// The rows come back unsummed (a path and category may repeat, subtracted rows
// negative): the caller adds them up anyway, and a GROUP BY over them all was a
// sort of every row. With `all_categories` each branch sums the areas'
// kAllCategories rows per area in SQL, in the index's order, so many children
// cost a row per period each rather than one per category and period.
std::vector<RollupSum> rolled_up(db::Conn& conn, const std::vector<std::string>& paths,
                                 const std::vector<RollupSpan>& spans, bool all_categories) {
  std::vector<RollupSum> out;
  if (paths.empty() || spans.empty()) return out;
  db::ParamList p;
  const std::string in = paths_in(paths, p);
  std::string sql;
  for (const RollupSpan& s : spans) {
    const std::string value = s.subtract ? "-r.{0}" : "r.{0}";
    sql +=
        fmt::format("{}SELECT r.path, {}, {}{}{}", sql.empty() ? "" : " UNION ALL ",
                    all_categories ? "0" : "r.category_id",
                    each_counter(all_categories ? "SUM(" + value + ")" : value),
                    span_rows(s, in, all_categories, p), all_categories ? " GROUP BY r.path" : "");
  }
  for (const db::Row& r : conn.query(sql, p.span()))
    out.push_back({r.text(0), r.i64(1), read_counts(r, 2)});
  return out;
}

std::vector<RollupRow> rollup_rows(db::Conn& conn, const std::vector<std::string>& paths,
                                   const std::vector<RollupSpan>& spans, bool all_categories) {
  std::vector<RollupRow> out;
  if (paths.empty() || spans.empty()) return out;
  db::ParamList p;
  const std::string in = paths_in(paths, p);
  std::string sql;
  for (const RollupSpan& s : spans) {
    sql += fmt::format("{}SELECT r.path, {}, r.period, r.category_id, {}{}",
                       sql.empty() ? "" : " UNION ALL ", s.month ? 1 : 0, each_counter("r.{}"),
                       span_rows(s, in, all_categories, p));
  }
  for (const db::Row& r : conn.query(sql, p.span()))
    out.push_back({r.text(0), r.i64(1) == 1, r.i64(2), r.i64(3), read_counts(r, 4)});
  return out;
}

namespace {
// The cases reported in the partial days [a, b) of `spans` under `range`, summed per
// grid and top-level category, one index range per grid (cases_path_created). Only
// windows whose ends are not local midnights need this; the default window and the
// dashboard's months have whole days.
std::vector<RollupSum> from_cases(db::Conn& conn, const PathRange& range,
                                  const std::vector<std::pair<std::int64_t, std::int64_t>>& spans) {
  db::ParamList p;
  const std::string lo = p.add(range.from), hi = p.add(range.to);
  std::vector<std::string> branches;
  for (auto [a, b] : spans) {
    if (a >= b) continue;
    branches.push_back(fmt::format(
        "SELECT c.path AS path, COALESCE(k.parent_id, k.id) AS category_id, {} FROM areas g"
        " JOIN cases c ON c.path = g.path JOIN case_categories k ON k.id = c.category_id"
        " WHERE g.level = 'grid' AND g.path >= {} AND g.path < {}"
        " AND c.created_at >= {} AND c.created_at < {}",
        shares_as_counters(), lo, hi, p.add(a), p.add(b)));
  }
  return summed(conn, branches, p);
}

// The scan the rollups replace, kept to check them (scan_stats).
Counts scan_total(db::Conn& conn, const PathRange& range, std::int64_t from, std::int64_t to) {
  auto rows = conn.query(fmt::format(fmt::runtime(kStatsTotal), kCountColumns),
                         {range.from, range.to, from, to});
  return read_counts(rows.at(0), 0);
}

std::vector<AreaCounts> scan_by_child(db::Conn& conn, std::int64_t area_id, std::int64_t from,
                                      std::int64_t to) {
  std::vector<AreaCounts> out;
  for (const db::Row& r :
       conn.query(fmt::format(fmt::runtime(kStatsByChild), kCountColumns), {area_id, from, to}))
    out.push_back({{r.i64(0), r.text(1), r.text(2)}, read_counts(r, 3)});
  return out;
}

std::vector<CategoryCounts> scan_by_category(db::Conn& conn, const PathRange& range,
                                             std::int64_t from, std::int64_t to) {
  std::vector<CategoryCounts> out;
  for (const db::Row& r : conn.query(fmt::format(fmt::runtime(kStatsByCategory), kCountColumns),
                                     {range.from, range.to, from, to}))
    out.push_back({r.i64(0), r.text(1), read_counts(r, 2)});
  return out;
}
}  // namespace

std::vector<StatsChild> stats_children(db::Conn& conn, std::int64_t area_id) {
  std::vector<StatsChild> out;
  for (const db::Row& r : conn.query(
           "SELECT id, name, level, path FROM areas WHERE parent_id = $1 ORDER BY id", {area_id}))
    out.push_back({{r.i64(0), r.text(1), r.text(2)}, r.text(3)});
  return out;
}

std::vector<RollupSum> partial_days(
    db::Conn& conn, const PathRange& range,
    const std::vector<std::pair<std::int64_t, std::int64_t>>& spans) {
  return from_cases(conn, range, spans);
}

// The area's total and categories from its own rollup sums, its children's
// figures from theirs; partial days (per grid) added to the area and to the
// child holding each grid.
StatsParts assemble_stats(const PathRange& range, const std::vector<StatsChild>& children,
                          const std::vector<RollupSum>& own, const std::vector<RollupSum>& kids,
                          const std::vector<RollupSum>& partial,
                          const std::vector<Category>& categories) {
  StatsParts out;
  std::unordered_map<std::string_view, std::size_t> child_of_path;
  out.by_child.reserve(children.size());
  for (const StatsChild& ch : children) {
    child_of_path.emplace(ch.path, out.by_child.size());
    out.by_child.push_back({ch.area, {}});
  }
  std::map<std::int64_t, Counts> by_category;
  auto add_to_area = [&](const RollupSum& sum) {
    add_counts(out.total, sum.counts);
    add_counts(by_category[sum.category_id], sum.counts);
  };
  for (const RollupSum& sum : own) add_to_area(sum);
  for (const RollupSum& sum : kids) {
    auto child = child_of_path.find(sum.path);
    if (child != child_of_path.end()) add_counts(out.by_child[child->second].counts, sum.counts);
  }
  for (const RollupSum& sum : partial) {
    add_to_area(sum);
    // The child holding the grid: the grid's path up to the segment after the area's.
    const std::size_t end = sum.path.find('/', range.from.size());
    if (end == std::string::npos) continue;
    auto child = child_of_path.find(std::string_view(sum.path).substr(0, end + 1));
    if (child != child_of_path.end()) add_counts(out.by_child[child->second].counts, sum.counts);
  }
  for (const Category& k : categories) {
    auto it = by_category.find(k.id);
    if (it != by_category.end() && it->second.received > 0)
      out.by_category.push_back({k.id, k.name, it->second});
  }
  return out;
}

StatsParts stats(db::Conn& conn, std::int64_t area_id, const PathRange& range, std::int64_t from,
                 std::int64_t to, std::int64_t now) {
  const std::vector<StatsChild> children = stats_children(conn, area_id);
  std::vector<std::string> paths;
  for (const StatsChild& ch : children) paths.push_back(ch.path);
  const StatsWindow w = stats_window(from, to, now);
  return assemble_stats(range, children, rolled_up(conn, {range.from}, w.spans, false),
                        rolled_up(conn, paths, w.spans, true), from_cases(conn, range, w.partial),
                        categories(conn));
}

StatsParts scan_stats(db::Conn& conn, std::int64_t area_id, const PathRange& range,
                      std::int64_t from, std::int64_t to) {
  return {scan_total(conn, range, from, to), scan_by_child(conn, area_id, from, to),
          scan_by_category(conn, range, from, to)};
}

namespace {
// The kAllCategories rows from the per-category ones (after a rebuild; the
// same statement is migration 0062).
void add_all_categories(db::Conn& conn) {
  conn.exec(fmt::format(
      "INSERT INTO case_rollups (path, tier, period, category_id, {}) SELECT path, tier, period, "
      "{}, {} FROM case_rollups WHERE category_id <> {} GROUP BY path, tier, period",
      each_counter("{}"), kAllCategories, each_counter("SUM({})"), kAllCategories));
}
}  // namespace

// Rebuilds in three passes: the grids' days from the cases, then each level's
// days from the level below (bottom up, through areas.parent_id), then every
// area's months from its days.
void rebuild_rollups(db::Conn& conn) {
  const std::string add_up =
      fmt::format(" ON CONFLICT (path, tier, period, category_id) DO UPDATE SET {}",
                  each_counter("{0} = case_rollups.{0} + excluded.{0}"));
  const std::string into = fmt::format(
      "INSERT INTO case_rollups (path, tier, period, category_id, {})", each_counter("{}"));
  if (db::Database* database = conn.database()) {
    StatsCache& cache = database->extension<StatsCache>();
    conn.after_commit([&cache] { cache.forget_all(); });
  }
  outdate_all_pages(conn);  // after bulk writes of cases (demo, import)
  conn.exec("DELETE FROM case_rollups");
  const std::string key = fmt::format(
      "c.path, (c.created_at + {}) / {}, COALESCE(k.parent_id, k.id)", kLocalOffsetMs, kDayMs);
  std::string shares;
  for (std::string_view share : kShare) shares += fmt::format(", SUM({})", share);
  conn.exec(
      fmt::format("{} SELECT c.path, 'day', (c.created_at + {}) / {}, "
                  "COALESCE(k.parent_id, k.id){} FROM cases c JOIN case_categories k "
                  "ON k.id = c.category_id GROUP BY {}",
                  into, kLocalOffsetMs, kDayMs, shares, key));
  for (std::string_view level : {"grid", "community", "street", "district"}) {
    conn.exec(fmt::format("{} SELECT p.path, 'day', r.period, r.category_id, {} FROM case_rollups r"
                          " JOIN areas a ON a.path = r.path JOIN areas p ON p.id = a.parent_id"
                          " WHERE r.tier = 'day' AND a.level = $1"
                          " GROUP BY p.path, r.period, r.category_id{}",
                          into, each_counter("SUM(r.{})"), add_up),
              {std::string(level)});
  }
  auto span =
      conn.query_one("SELECT MIN(period), MAX(period) FROM case_rollups WHERE tier = 'day'");
  if (!span || span->is_null(0)) return;
  std::string months;  // (month, its first day, the next month's first day)
  for (std::int64_t m = month_of_day(span->i64(0)); m <= month_of_day(span->i64(1)); ++m)
    months += fmt::format("{}({}, {}, {})", months.empty() ? "" : ", ", m, first_day_of_month(m),
                          first_day_of_month(m + 1));
  conn.exec(
      fmt::format("{} SELECT r.path, 'month', m.column1, r.category_id, {} FROM case_rollups r"
                  " JOIN (VALUES {}) m ON r.period >= m.column2 AND r.period < m.column3"
                  " WHERE r.tier = 'day' GROUP BY r.path, m.column1, r.category_id",
                  into, each_counter("SUM(r.{})"), months));
  add_all_categories(conn);
}

std::vector<GridOpenCount> open_by_grid(db::Conn& conn, const PathRange& range) {
  std::vector<GridOpenCount> out;
  for (const db::Row& r : conn.query(kOpenByGrid, {range.from, range.to}))
    out.push_back({{r.i64(0), r.text(1), r.text(2)}, r.i64(3), r.i64(4), r.i64(5)});
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
