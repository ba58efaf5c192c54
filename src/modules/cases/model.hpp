// Records of the cases capability (民情工单): categories with their time
// limits, cases and their append-only timeline, the inputs of create, act and
// list, and the working-day calendar entries admins edit.
//
// Reporter phones appear here only masked.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::cases {

// ---- categories ----------------------------------------------------------------

struct Category {
  std::int64_t id = 0;
  std::optional<std::int64_t> parent_id;
  std::string code;
  std::string name;
  std::string level;  // default handling level: grid | community | street
  std::string handler_unit;
  std::int64_t accept_hours = 0;  // working hours to accept
  std::int64_t handle_limit = 0;  // working hours or days to handle
  std::string handle_unit;        // hours | days
  std::vector<Category> children;
};

// Create (required fields set) or patch (only the sent fields set).
struct CategoryInput {
  std::optional<std::int64_t> parent_id;
  std::optional<std::string> code;
  std::optional<std::string> name;
  std::optional<std::string> level;
  std::optional<std::string> handler_unit;
  std::optional<std::int64_t> accept_hours;
  std::optional<std::int64_t> handle_limit;
  std::optional<std::string> handle_unit;
};

// ---- calendar ------------------------------------------------------------------

struct CalendarDay {
  std::string date;  // YYYY-MM-DD
  std::string kind;  // workday | rest
  std::string name;
};

// ---- cases ---------------------------------------------------------------------

inline constexpr std::string_view kStatuses[] = {
    "reported",    "accepted", "rejected", "merged", "dispatched",
    "in_progress", "handled",  "verified", "closed", "reopened"};
inline constexpr std::string_view kSources[] = {"resident", "grid_patrol", "hotline_12345",
                                                "council",  "open311",     "walk_in"};
inline constexpr std::string_view kRatings[] = {"satisfied", "basically_satisfied", "dissatisfied"};

struct Case {
  std::int64_t id = 0;
  std::string number;  // MQ20261123-0001
  std::int64_t street_id = 0;
  std::string path;  // the grid's path
  std::int64_t grid_id = 0;
  std::optional<std::int64_t> building_id;
  std::int64_t category_id = 0;
  std::string title;
  std::string description;
  std::string source;
  std::optional<std::int64_t> reporter_user_id;
  std::string reporter_name;
  std::string reporter_phone_masked;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::string priority;  // normal | urgent
  std::string status;
  std::string level;  // grid | community | street
  std::string handler_unit;
  std::optional<std::int64_t> handler_user_id;
  std::optional<std::int64_t> accept_deadline;
  std::optional<std::int64_t> handle_deadline;
  std::int64_t clock_start = 0;                   // when the running deadline's clock started
  std::optional<std::int64_t> extension_minutes;  // a pending extension request
  std::string extension_reason;
  std::int64_t rework_count = 0;
  std::int64_t reopen_count = 0;
  std::optional<std::string> rating;
  std::string rating_comment;
  std::optional<std::int64_t> merged_into;
  std::int64_t version = 1;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> closed_at;
  std::string warning = "none";                  // none | yellow | red, as last marked
  std::optional<std::int64_t> escalated_at;      // last escalation by the scheduler
  std::optional<std::int64_t> dispatched_at;     // the last dispatch
  std::optional<std::int64_t> handling_minutes;  // dispatch → handled, working minutes
  std::optional<std::int64_t> supervise_at;      // next look of the supervision pass (0063)
  // Filled for output.
  std::string category_name;
  std::string grid_name;
};

struct Event {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::optional<std::int64_t> actor_id;
  std::string actor_name;
  std::string role;
  std::string action;
  std::string from_status;
  std::string to_status;
  std::string note;
  std::string data;  // JSON object text
};

// Where the running deadline stands.
struct DeadlineInfo {
  std::string kind;  // accept | handle | none
  std::optional<std::int64_t> deadline;
  std::optional<std::int64_t> remaining_working_minutes;  // negative once overdue
  double fraction_used = 0;
  std::string warning;  // none | yellow | red
};

// A photo shown with a case, from the step that attached it.
struct Photo {
  std::string file_id;
  std::string stage;  // report | handle | verify
  std::string mime;
  int width = 0;
  int height = 0;
  std::int64_t at = 0;
};

struct PhotoBytes {
  std::string mime;
  std::string bytes;
};

struct CaseDetail {
  Case item;
  std::vector<Event> timeline;
  std::vector<Photo> photos;
  DeadlineInfo deadline;
  std::vector<std::string> allowed_actions;  // for the caller, now
};

struct NewCase {
  std::string title;
  std::string description;
  std::int64_t category_id = 0;
  std::string source;
  std::optional<std::int64_t> grid_id;
  std::optional<std::int64_t> building_id;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::string priority = "normal";
  std::optional<std::string> reporter_name;   // walk-ins and hotline calls
  std::optional<std::string> reporter_phone;  // walk-ins and hotline calls
  std::vector<std::string> photo_ids;         // files the reporter uploaded, up to 3
};

// One action on a case; which fields matter depends on `action`.
struct ActionInput {
  std::string action;
  std::optional<std::int64_t> expected_version;
  std::string note;
  std::string reason;
  std::optional<std::int64_t> into_case_id;
  std::optional<std::int64_t> handler_user_id;
  std::optional<std::string> handler_unit;
  std::optional<std::int64_t> deadline;  // epoch ms
  std::vector<std::string> photo_ids;
  std::optional<bool> passed;
  std::optional<bool> approved;
  std::optional<std::string> rating;
  std::optional<std::int64_t> days;
  std::optional<std::int64_t> hours;
};

struct ListQuery {
  std::optional<std::string> status;
  std::optional<std::int64_t> area_id;
  std::optional<std::int64_t> category_id;
  bool mine = false;
  bool overdue = false;
  std::optional<std::string> warning;  // yellow | red
  std::optional<std::string> q;
  std::optional<std::string> cursor;
  int limit = 20;
};

struct Page {
  std::vector<Case> items;
  std::optional<std::string> next_cursor;
};

// The result of a create: the case and whether this call made it (201) or a
// retry with the same Idempotency-Key found it (200).
struct Created {
  CaseDetail detail;
  bool fresh = true;
};

// ---- indicators ----------------------------------------------------------------

struct StatsQuery {
  std::optional<std::int64_t> area_id;  // default: the caller's scope root
  std::optional<std::int64_t> from;     // epoch ms, default: to - 365 days
  std::optional<std::int64_t> to;       // epoch ms, default: now
};

// Counts over the cases reported in [from, to) in one area's subtree; the
// rates are formed from them for output.
struct Counts {
  std::int64_t received = 0;
  std::int64_t accepted = 0;
  std::int64_t closed = 0;
  std::int64_t on_time_closed = 0;
  std::int64_t rated = 0;
  std::int64_t satisfied = 0;  // satisfied or basically satisfied
  std::int64_t reworked = 0;
  std::int64_t handled = 0;  // handled or later (the rework denominator)
  std::int64_t closed_in_grid = 0;
  std::int64_t closed_in_community = 0;  // at grid or community level
  std::int64_t handling_minutes = 0;     // sum over the cases with a handling span
  std::int64_t handling_cases = 0;
  bool operator==(const Counts&) const = default;
};

// The counters of Counts, for code that treats them alike (sums, differences,
// and the rollup columns, which are in this order).
inline constexpr std::array<std::int64_t Counts::*, 12> kCounters = {&Counts::received,
                                                                     &Counts::accepted,
                                                                     &Counts::closed,
                                                                     &Counts::on_time_closed,
                                                                     &Counts::rated,
                                                                     &Counts::satisfied,
                                                                     &Counts::reworked,
                                                                     &Counts::handled,
                                                                     &Counts::closed_in_grid,
                                                                     &Counts::closed_in_community,
                                                                     &Counts::handling_minutes,
                                                                     &Counts::handling_cases};

// into += sign × more, counter by counter.
inline void add_counts(Counts& into, const Counts& more, std::int64_t sign = 1) {
  for (auto f : kCounters) into.*f += sign * more.*f;
}

struct AreaRef {
  std::int64_t id = 0;
  std::string name;
  std::string level;
  bool operator==(const AreaRef&) const = default;
};

struct AreaCounts {
  AreaRef area;
  Counts counts;
  bool operator==(const AreaCounts&) const = default;
};

struct CategoryCounts {
  std::int64_t id = 0;
  std::string name;
  Counts counts;
  bool operator==(const CategoryCounts&) const = default;
};

struct CaseStats {
  AreaRef area;
  std::int64_t from = 0;
  std::int64_t to = 0;
  Counts total;
  std::vector<AreaCounts> by_child;
  std::vector<CategoryCounts> by_category;
};

// Cases still running in one grid, for the map: how many, and how many carry a warning.
struct GridOpenCount {
  AreaRef grid;
  std::int64_t open = 0;
  std::int64_t yellow = 0;
  std::int64_t red = 0;
};

struct OpenByGrid {
  AreaRef area;
  std::vector<GridOpenCount> grids;
};

// What one supervision run did.
struct SupervisionReport {
  int yellow = 0;     // newly marked yellow
  int red = 0;        // newly marked red
  int cleared = 0;    // warnings taken off
  int escalated = 0;  // escalated one level
  int read = 0;       // running cases the pass looked at (only those due)
};

// The 督办 board.
struct Board {
  std::vector<Case> red;
  std::vector<Case> yellow;
};

}  // namespace cg::cases
