// Working-day calendar for case deadlines (工单时限) on the Chinese calendar.
//
// Deadlines count working time, and in China which dates are working days is
// decided per date by the State Council each year: holidays move, and some
// weekends become working days (调休). So a calendar is a per-date override
// table on top of the weekday rule (Mon-Fri work, Sat/Sun rest), plus the
// working hours of a working day (default 08:30-12:00 and 13:30-17:30).
// Instants are epoch milliseconds (core/clock.hpp); they are read in one
// fixed local offset, China Standard Time (UTC+8, no DST) by default.
//
// Deadline rules (see the functions for details):
//   - Working periods are half-open [begin, end): 12:00 is the end of the
//     morning, not working time; 08:30 is.
//   - add_working_minutes counts only time inside working periods; a start
//     outside them counts from the next period start. A deadline that uses up
//     a period exactly falls on that period's end (e.g. 12:00, 17:30).
//   - add_working_days(start, n) is due at the close (end of the last period)
//     of the n-th working day strictly after the start's date, whatever the
//     time of day or the kind of the start day (12345 convention: filed on a
//     working day with a 1-working-day limit = due at close of the next one).
//
// Dates without an override follow the weekday rule, so years whose schedule
// has not been entered (china() knows 2025 and 2026) silently lose their
// holidays: admins must add each year's schedule when it is announced.
//
// Thread-safety: a WorkCalendar is immutable after construction; all member
// functions are const, allocate nothing (except working_days_in and the
// copying with_/without_override) and may be called from any number of
// threads. To change the calendar, build a new one (with_override) and
// publish it, e.g. through std::atomic<std::shared_ptr<const WorkCalendar>>.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace cg {

enum class DayKind { workday, rest };

// One period of working time, in minutes from local midnight, [begin, end).
struct WorkPeriod {
  int begin = 0;
  int end = 0;
  bool operator==(const WorkPeriod&) const = default;
};

// The working periods of every working day: sorted, non-overlapping, within
// 00:00-24:00 and not empty (validate_hours checks this).
struct WorkingHours {
  std::vector<WorkPeriod> periods;

  // 08:30-12:00, 13:30-17:30 (7.5 h), the usual hours of street and
  // community offices.
  static WorkingHours standard();
  int minutes_per_day() const;
  bool operator==(const WorkingHours&) const = default;
};

// A date whose kind differs from, or is named beyond, the weekday rule.
struct DayOverride {
  std::chrono::sys_days date;
  DayKind kind = DayKind::rest;
  std::string name;  // e.g. "春节", "春节调休上班"
  bool operator==(const DayOverride&) const = default;
};

// A built-in schedule entry, as text, so a database can be seeded from it.
struct HolidayEntry {
  std::string_view date;  // "YYYY-MM-DD"
  DayKind kind;
  std::string_view name;
};

// What a date is, for display. `name` points into the calendar (for an
// override) or to a static string ("工作日", "周末"); it stays valid as long as
// the calendar it came from.
struct DayInfo {
  DayKind kind = DayKind::workday;
  std::string_view name;
  bool is_override = false;
};

// The official State Council schedules (国务院办公厅 节假日安排) for 2025 and
// 2026: every holiday date (weekends inside a holiday included) and every
// make-up working day, in date order.
std::span<const HolidayEntry> china_builtin_holidays();

class WorkCalendar {
 public:
  // Overrides may come in any order; for a date given twice the later entry
  // wins (so edits can be appended). Throws std::invalid_argument for hours
  // that fail validate_hours or an offset beyond +-14 h: both are programming
  // errors, user input goes through parse_hours first.
  explicit WorkCalendar(std::vector<DayOverride> overrides = {},
                        WorkingHours hours = WorkingHours::standard(),
                        std::chrono::minutes utc_offset = std::chrono::minutes{480});

  // China Standard Time, standard hours, china_builtin_holidays().
  static WorkCalendar china();

  // Copies with one date's override set or removed.
  WorkCalendar with_override(std::chrono::sys_days date, DayKind kind, std::string name) const;
  WorkCalendar without_override(std::chrono::sys_days date) const;

  std::span<const DayOverride> overrides() const { return overrides_; }  // sorted by date
  const WorkingHours& hours() const { return hours_; }
  std::chrono::minutes utc_offset() const { return offset_; }

  // --- dates ---
  bool is_working_day(std::chrono::sys_days date) const;
  DayInfo day_info(std::chrono::sys_days date) const;
  // The first working day strictly after `date`.
  std::chrono::sys_days next_working_day(std::chrono::sys_days date) const;
  std::vector<std::chrono::sys_days> working_days_in(std::chrono::year y,
                                                     std::chrono::month m) const;

  // --- instants (epoch ms) <-> local dates and times ---
  std::chrono::sys_days local_date(std::int64_t epoch_ms) const;
  // The instant of `minute_of_day` minutes after local midnight of `date`.
  std::int64_t at(std::chrono::sys_days date, int minute_of_day) const;

  // --- deadlines ---
  // The instant when `minutes` of working time have elapsed since start_ms.
  // Counting begins at start_ms if it is inside a working period, else at the
  // next period start; so adding 0 outside working hours gives the next
  // period start (at exactly 12:00 that is 13:30). Negative minutes count as
  // 0; minutes are capped at 10^9 (thousands of years). Cost grows with the
  // number of overrides crossed, not with the length: weeks without
  // overrides are skipped in one step.
  std::int64_t add_working_minutes(std::int64_t start_ms, std::int64_t minutes) const;
  // Same with millisecond precision.
  std::int64_t add_working_ms(std::int64_t start_ms, std::int64_t ms) const;

  // The close of the n-th working day strictly after the local date of
  // start_ms (see the header comment). n <= 0: the close of the start day if
  // it is a working day and start_ms is not after its close, else the close
  // of the next working day.
  std::int64_t add_working_days(std::int64_t start_ms, int n) const;

  // Working time inside [from_ms, to_ms); 0 if to_ms <= from_ms.
  std::int64_t working_ms_between(std::int64_t from_ms, std::int64_t to_ms) const;
  // Same in whole minutes (rounded down).
  std::int64_t working_minutes_between(std::int64_t from_ms, std::int64_t to_ms) const;

  // Share of the working time from start to deadline that has elapsed at
  // now_ms: 0 before start, 1.0 at the deadline, above 1.0 after it. Board
  // colours: yellow >= 0.8, red > 1.0. Once now_ms is past the deadline the
  // result is above 1.0 even if no working time has passed since (a case due
  // Friday 17:30 is red on Saturday). A deadline with no working time after
  // the start gives 0 until it passes, then +infinity.
  double fraction_used(std::int64_t start_ms, std::int64_t deadline_ms, std::int64_t now_ms) const;

 private:
  // Index of the first override on or after `date`.
  std::size_t first_override_from(std::chrono::sys_days date) const;
  // Kind of `date`, moving `cursor` forward (dates must not decrease between calls).
  bool working_at(std::chrono::sys_days date, std::size_t& cursor) const;
  std::chrono::sys_days next_override_date(std::size_t cursor) const;

  std::vector<DayOverride> overrides_;
  WorkingHours hours_;
  std::chrono::minutes offset_;
  std::int64_t offset_ms_ = 0;
  std::int64_t day_work_ms_ = 0;  // working ms of one working day
};

// --- parsing and formatting (errors name `field`, messages in Chinese) ---

// Strict "YYYY-MM-DD" (4-2-2 digits, a real date).
Result<std::chrono::sys_days> parse_date(std::string_view text, std::string_view field = "date");
std::string format_date(std::chrono::sys_days date);

// "08:30-12:00,13:30-17:30": periods separated by ',' or '，', hours with 1
// or 2 digits, 24:00 allowed as an end, spaces around items ignored.
Result<WorkingHours> parse_hours(std::string_view text, std::string_view field = "working_hours");
std::string format_hours(const WorkingHours& hours);  // the form parse_hours reads
Status validate_hours(const WorkingHours& hours, std::string_view field = "working_hours");

std::string_view to_string(DayKind kind);  // "workday" / "rest"

}  // namespace cg
