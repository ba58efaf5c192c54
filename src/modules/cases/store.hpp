// SQL of the cases capability. Functions run inside the caller's transaction
// and decide nothing: scope, state and validation are the service's business.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/geo.hpp"
#include "db/bulk.hpp"
#include "db/db.hpp"
#include "db/query.hpp"
#include "modules/cases/model.hpp"

namespace cg::cases::store {

// ---- categories ----
std::vector<Category> categories(db::Conn& conn);  // flat, by id
std::optional<Category> find_category(db::Conn& conn, std::int64_t id);
std::int64_t insert_category(db::Conn& conn, const Category& c, std::int64_t now);
void update_category(db::Conn& conn, const Category& c, std::int64_t now);

// ---- calendar ----
std::vector<CalendarDay> calendar_days(db::Conn& conn);
std::vector<CalendarDay> calendar_days_of_year(db::Conn& conn, int year);
void put_calendar_day(db::Conn& conn, const CalendarDay& day);
bool delete_calendar_day(db::Conn& conn, const std::string& date);
std::optional<std::string> setting(db::Conn& conn, const std::string& name);
void put_setting(db::Conn& conn, const std::string& name, const std::string& value);
// Every change of the calendar or the working hours counts one up; the
// supervision pass notes the count it last swept all running cases for.
void bump_calendar_version(db::Conn& conn);
std::pair<std::int64_t, std::int64_t> calendar_versions(db::Conn& conn);  // {current, swept}
void set_swept_version(db::Conn& conn, std::int64_t version);

// ---- cases ----
// The next sequence number of `street_id` on `day` (YYYYMMDD), from 1.
std::int64_t next_number(db::Conn& conn, std::int64_t street_id, const std::string& day);

struct SealedPhone {
  std::optional<db::Blob> enc;
  std::string masked;
};
std::int64_t insert_case(db::Conn& conn, const Case& c, const SealedPhone& phone);
std::optional<Case> find_case(db::Conn& conn, std::int64_t id);
// Writes the mutable columns when the stored version is still `c.version`,
// and bumps it. False when someone else changed the case first. `before` is
// the case as read in this transaction (same version): the rollups move by the
// difference. insert_case adds the new case to them.
bool update_case(db::Conn& conn, const Case& before, const Case& c, std::int64_t now);

// Returns the event's id.
std::int64_t insert_event(db::Conn& conn, std::int64_t case_id, std::int64_t street_id,
                          const Event& e);
std::vector<Event> events_of(db::Conn& conn, std::int64_t case_id);

// ---- photos ----
// Attaches files to a case (a file already shown with the case stays once).
void add_photos(db::Conn& conn, std::int64_t case_id, const std::vector<std::string>& file_ids,
                const std::string& stage, std::int64_t at);
std::vector<Photo> photos_of(db::Conn& conn, std::int64_t case_id);
bool has_photo(db::Conn& conn, std::int64_t case_id, const std::string& file_id);

// Indexes a case's bigrams just before the write transaction commits
// (Conn::before_commit): it is not searchable inside that transaction.
void add_grams(db::Conn& conn, std::int64_t case_id, const std::vector<std::string>& grams);
// The same for generated data: add(case id, search_document(grams)) on the
// writer, for cases with at least one bigram.
db::BulkInsert bulk_grams(db::Conn& conn);
std::string search_document(const std::vector<std::string>& grams);

struct IdempotentHit {
  std::string body_hash;
  std::int64_t case_id = 0;
};
std::optional<IdempotentHit> find_idempotency(db::Conn& conn, const std::string& owner,
                                              const std::string& key);
void insert_idempotency(db::Conn& conn, const std::string& owner, const std::string& key,
                        const std::string& body_hash, std::int64_t case_id, std::int64_t now);

using db::PathRange;

// What a list may show and how it is narrowed. Visibility is an OR of the
// scopes, the assigned handler and the reporter; the rest are AND-ed.
struct Filter {
  std::vector<PathRange> scopes;
  std::int64_t user_id = 0;  // sees cases assigned to or reported by them
  std::optional<std::string> status;
  std::optional<PathRange> area;
  std::vector<std::int64_t> category_ids;
  bool mine = false;
  std::vector<PathRange> mine_grids;       // "mine" for a grid worker: her grids
  std::optional<std::int64_t> overdue_at;  // overdue at this instant
  std::optional<std::string> warning;      // as last marked by the scheduler
  bool by_deadline = false;                // order by the running deadline, newest first
  std::vector<std::string> grams;          // each must be indexed for the case
  std::optional<std::string> like;         // escaped substring of title or description
  std::optional<std::int64_t> before_id;
  int limit = 20;
};
std::vector<Case> search(db::Conn& conn, const Filter& filter);

// ---- supervision ----
// The statuses whose deadline runs.
inline constexpr std::string_view kRunningStatuses[] = {"reported", "reopened", "accepted",
                                                        "dispatched", "in_progress"};
inline bool is_running(std::string_view status) {
  for (std::string_view s : kRunningStatuses)
    if (s == status) return true;
  return false;
}
// Up to `limit` cases of one running status with ids above `after`, by id.
std::vector<Case> running_cases(db::Conn& conn, std::string_view status, std::int64_t after,
                                std::int64_t limit);
// Cases whose deadline no longer runs that still carry a warning (searched on
// a reader), and taking those warnings off (on the writer); returns how many.
std::vector<std::int64_t> stale_warnings(db::Conn& conn);
int clear_warnings(db::Conn& conn, std::span<const std::int64_t> ids);
// The running cases whose supervise_at (migration 0063) has come by `now`, in
// (supervise_at, id) order after `after`: what a supervision pass reads.
struct DueCursor {
  std::int64_t at = 0;
  std::int64_t id = 0;
};
std::vector<Case> due_cases(db::Conn& conn, std::int64_t now, DueCursor after, std::int64_t limit);
// Set the warning and when the pass looks next, or only the latter (not a
// change of the case: the version stays), unless the case changed since `c`
// was read; return whether they were set.
bool set_warning(db::Conn& conn, const Case& c, const std::string& warning,
                 std::optional<std::int64_t> supervise_at);
bool set_supervise_at(db::Conn& conn, const Case& c, std::optional<std::int64_t> at);

// ---- indicators: cases reported in [from, to) ----
struct StatsParts {
  Counts total;
  std::vector<AreaCounts> by_child;         // every child of the area (zeros included), by id
  std::vector<CategoryCounts> by_category;  // top-level categories that have cases, by id
};
// From the rollups (whole local days) and the cases of the partial days at the
// ends. `range` is the area's subtree; `now` tells which days can have no
// cases yet (those after it). CaseService::stats puts the same pieces (below)
// together with a StatsCache in front of the rollups.
StatsParts stats(db::Conn& conn, std::int64_t area_id, const PathRange& range, std::int64_t from,
                 std::int64_t to, std::int64_t now);

// The pieces of stats(). A child of the area asked for, by id:
struct StatsChild {
  AreaRef area;
  std::string path;
};
std::vector<StatsChild> stats_children(db::Conn& conn, std::int64_t area_id);
// A run of rollup periods [from, to) of one tier (local days, or months as
// year * 12 + month - 1), added to the window or subtracted from it.
struct RollupSpan {
  bool month = false;
  std::int64_t from = 0;
  std::int64_t to = 0;
  bool subtract = false;
};
// How a window [from, to) is read: its whole local days from rollup spans, the
// partial days at its ends (instants [a, b), maybe empty) from the cases.
struct StatsWindow {
  std::vector<RollupSpan> spans;
  std::vector<std::pair<std::int64_t, std::int64_t>> partial;
};
StatsWindow stats_window(std::int64_t from, std::int64_t to, std::int64_t now);
// Sums of one area (path) and top-level category (0: the area's rows over all categories).
struct RollupSum {
  std::string path;
  std::int64_t category_id = 0;
  Counts counts;
};
// The rollup rows of `paths` over `spans`: per category, or (all_categories)
// their all-categories rows summed per path.
std::vector<RollupSum> rolled_up(db::Conn& conn, const std::vector<std::string>& paths,
                                 const std::vector<RollupSpan>& spans, bool all_categories);
// The same rows one by one (path, tier, period, category), unsigned: what StatsCache keeps.
struct RollupRow {
  std::string path;
  bool month = false;
  std::int64_t period = 0;
  std::int64_t category_id = 0;
  Counts counts;
};
std::vector<RollupRow> rollup_rows(db::Conn& conn, const std::vector<std::string>& paths,
                                   const std::vector<RollupSpan>& spans, bool all_categories);
// The cases of the partial days, summed per grid path and top-level category.
std::vector<RollupSum> partial_days(
    db::Conn& conn, const PathRange& range,
    const std::vector<std::pair<std::int64_t, std::int64_t>>& spans);
// The area's figures from its own sums (per category), its children's (their
// all-categories sums) and the partial days', with the names of `categories`.
StatsParts assemble_stats(const PathRange& range, const std::vector<StatsChild>& children,
                          const std::vector<RollupSum>& own, const std::vector<RollupSum>& kids,
                          const std::vector<RollupSum>& partial,
                          const std::vector<Category>& categories);
// The local day (days since 1970-01-01, UTC+08:00) of an instant, the month
// number of a local day, and the areas a case at `path` counts in (each prefix
// ending at a '/': "/1/5/9/" → "/1/", "/1/5/", "/1/5/9/"): where a case lands
// in the rollups.
std::int64_t local_day(std::int64_t ms);
std::int64_t month_of_day(std::int64_t day);
std::vector<std::string> areas_up(const std::string& path);
// The same by scanning the cases: only to check the rollups (tests).
StatsParts scan_stats(db::Conn& conn, std::int64_t area_id, const PathRange& range,
                      std::int64_t from, std::int64_t to);
// Recomputes every rollup from the cases (after bulk loads, and once for
// cases that predate the rollups).
void rebuild_rollups(db::Conn& conn);
// Every grid in the range with its running cases (zeros included), by grid id.
std::vector<GridOpenCount> open_by_grid(db::Conn& conn, const PathRange& range);

// Names for output.
std::string area_name(db::Conn& conn, std::int64_t area_id);
struct UserBrief {
  std::int64_t id = 0;
  std::string display_name;
  std::string kind;
};
std::optional<UserBrief> find_user(db::Conn& conn, std::int64_t id);
// Area paths on which the user holds any role.
std::vector<std::string> grant_paths(db::Conn& conn, std::int64_t user_id);
// Users holding one of `roles` on the area at `path` or an area above it.
std::vector<std::int64_t> users_over(db::Conn& conn, const std::string& path,
                                     const std::vector<std::string>& roles);
// The grid of a building, when it exists.
std::optional<std::int64_t> grid_of_building(db::Conn& conn, std::int64_t building_id);
// Grid ids with their street, for the demo generator.
std::vector<std::int64_t> grid_ids(db::Conn& conn);
// The bounding box of every grid that has a boundary, by grid id (demo case locations).
std::map<std::int64_t, GeoBox> grid_boxes(db::Conn& conn);
// Every grid with its street and path, by id (the bulk demo generator).
struct GridRef {
  std::int64_t id = 0;
  std::int64_t street_id = 0;
  std::string path;
};
std::vector<GridRef> grid_refs(db::Conn& conn);
// The daily number counters, and replacing them all (the bulk demo generator).
std::map<std::pair<std::int64_t, std::string>, std::int64_t> counters(db::Conn& conn);
void put_counters(db::Conn& conn,
                  const std::map<std::pair<std::int64_t, std::string>, std::int64_t>& counters);

}  // namespace cg::cases::store
