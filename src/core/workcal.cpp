#include "core/workcal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace cg {

using std::chrono::days;
using std::chrono::sys_days;

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr int kDayMinutes = 24 * 60;
constexpr std::int64_t kMaxMinutes = 1'000'000'000;

constexpr DayKind W = DayKind::workday;
constexpr DayKind R = DayKind::rest;

// 国办发明电〔2024〕12号 (2025) and 国办发明电〔2025〕7号 (2026).
constexpr std::array kChinaHolidays = std::to_array<HolidayEntry>({
    // 2025
    {"2025-01-01", R, "元旦"},
    {"2025-01-26", W, "春节调休上班"},
    {"2025-01-28", R, "春节"},
    {"2025-01-29", R, "春节"},
    {"2025-01-30", R, "春节"},
    {"2025-01-31", R, "春节"},
    {"2025-02-01", R, "春节"},
    {"2025-02-02", R, "春节"},
    {"2025-02-03", R, "春节"},
    {"2025-02-04", R, "春节"},
    {"2025-02-08", W, "春节调休上班"},
    {"2025-04-04", R, "清明节"},
    {"2025-04-05", R, "清明节"},
    {"2025-04-06", R, "清明节"},
    {"2025-04-27", W, "劳动节调休上班"},
    {"2025-05-01", R, "劳动节"},
    {"2025-05-02", R, "劳动节"},
    {"2025-05-03", R, "劳动节"},
    {"2025-05-04", R, "劳动节"},
    {"2025-05-05", R, "劳动节"},
    {"2025-05-31", R, "端午节"},
    {"2025-06-01", R, "端午节"},
    {"2025-06-02", R, "端午节"},
    {"2025-09-28", W, "国庆节、中秋节调休上班"},
    {"2025-10-01", R, "国庆节、中秋节"},
    {"2025-10-02", R, "国庆节、中秋节"},
    {"2025-10-03", R, "国庆节、中秋节"},
    {"2025-10-04", R, "国庆节、中秋节"},
    {"2025-10-05", R, "国庆节、中秋节"},
    {"2025-10-06", R, "国庆节、中秋节"},
    {"2025-10-07", R, "国庆节、中秋节"},
    {"2025-10-08", R, "国庆节、中秋节"},
    {"2025-10-11", W, "国庆节、中秋节调休上班"},
    // 2026
    {"2026-01-01", R, "元旦"},
    {"2026-01-02", R, "元旦"},
    {"2026-01-03", R, "元旦"},
    {"2026-01-04", W, "元旦调休上班"},
    {"2026-02-14", W, "春节调休上班"},
    {"2026-02-15", R, "春节"},
    {"2026-02-16", R, "春节"},
    {"2026-02-17", R, "春节"},
    {"2026-02-18", R, "春节"},
    {"2026-02-19", R, "春节"},
    {"2026-02-20", R, "春节"},
    {"2026-02-21", R, "春节"},
    {"2026-02-22", R, "春节"},
    {"2026-02-23", R, "春节"},
    {"2026-02-28", W, "春节调休上班"},
    {"2026-04-04", R, "清明节"},
    {"2026-04-05", R, "清明节"},
    {"2026-04-06", R, "清明节"},
    {"2026-05-01", R, "劳动节"},
    {"2026-05-02", R, "劳动节"},
    {"2026-05-03", R, "劳动节"},
    {"2026-05-04", R, "劳动节"},
    {"2026-05-05", R, "劳动节"},
    {"2026-05-09", W, "劳动节调休上班"},
    {"2026-06-19", R, "端午节"},
    {"2026-06-20", R, "端午节"},
    {"2026-06-21", R, "端午节"},
    {"2026-09-20", W, "国庆节调休上班"},
    {"2026-09-25", R, "中秋节"},
    {"2026-09-26", R, "中秋节"},
    {"2026-09-27", R, "中秋节"},
    {"2026-10-01", R, "国庆节"},
    {"2026-10-02", R, "国庆节"},
    {"2026-10-03", R, "国庆节"},
    {"2026-10-04", R, "国庆节"},
    {"2026-10-05", R, "国庆节"},
    {"2026-10-06", R, "国庆节"},
    {"2026-10-07", R, "国庆节"},
    {"2026-10-10", W, "国庆节调休上班"},
});

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t day_number(sys_days d) {
  return d.time_since_epoch().count();
}

bool weekday_rule_works(sys_days d) {
  unsigned wd = std::chrono::weekday{d}.c_encoding();  // 0 = Sunday
  return wd != 0 && wd != 6;
}

// Any 7 consecutive days hold exactly 5 of Monday-Friday.
constexpr std::int64_t kWorkdaysPerWeek = 5;

void append_two(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

std::string hhmm(int minutes) {
  std::string s;
  append_two(s, minutes / 60);
  s.push_back(':');
  append_two(s, minutes % 60);
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "H:MM" or "HH:MM" -> minutes; -1 for bad format, -2 for out of range.
int parse_hhmm(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return -1;
  auto h = s.substr(0, colon), m = s.substr(colon + 1);
  if (h.size() < 1 || h.size() > 2 || m.size() != 2 || !all_digits(h) || !all_digits(m)) return -1;
  int hv = to_int(h), mv = to_int(m);
  if (mv > 59 || hv > 24 || (hv == 24 && mv != 0)) return -2;
  return hv * 60 + mv;
}

std::unexpected<Error> field_error(std::string_view field, std::string code, std::string message) {
  return fail(errors::invalid_field(std::string(field), std::move(code), std::move(message)));
}

}  // namespace

// ---------------------------------------------------------------- hours

WorkingHours WorkingHours::standard() {
  return {{{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}}};
}

int WorkingHours::minutes_per_day() const {
  int total = 0;
  for (const auto& p : periods) total += p.end - p.begin;
  return total;
}

Status validate_hours(const WorkingHours& hours, std::string_view field) {
  if (hours.periods.empty()) return field_error(field, "required", "请至少设置一个工作时段");
  int prev_end = -1;
  for (const auto& p : hours.periods) {
    if (p.begin < 0 || p.end > kDayMinutes || p.begin > kDayMinutes || p.end < 0)
      return field_error(field, "range", "工作时段超出一天的范围（00:00-24:00）");
    if (p.begin >= p.end)
      return field_error(
          field, "order",
          "工作时段 " + hhmm(p.begin) + "-" + hhmm(p.end) + " 的结束时间必须晚于开始时间");
    if (p.begin < prev_end)
      return field_error(field, "overlap", "工作时段必须按时间先后排列且互不重叠");
    prev_end = p.end;
  }
  return {};
}

Result<WorkingHours> parse_hours(std::string_view text, std::string_view field) {
  text = trim(text);
  if (text.empty())
    return field_error(field, "required", "请填写工作时段，例如 08:30-12:00,13:30-17:30");
  WorkingHours hours;
  constexpr std::string_view kWideComma = "\xEF\xBC\x8C";  // '，'
  while (true) {
    auto comma = text.find(',');
    auto wide = text.find(kWideComma);
    std::size_t cut = std::min(comma, wide);
    std::string_view item = trim(text.substr(0, cut));
    auto dash = item.find('-');
    int begin = -1, end = -1;
    if (dash != std::string_view::npos) {
      begin = parse_hhmm(trim(item.substr(0, dash)));
      end = parse_hhmm(trim(item.substr(dash + 1)));
    }
    if (begin == -1 || end == -1)
      return field_error(
          field, "format",
          "工作时段「" + std::string(item) + "」格式不正确，应为 HH:MM-HH:MM，多个时段以逗号分隔");
    if (begin == -2 || end == -2)
      return field_error(field, "range",
                         "工作时段「" + std::string(item) + "」的时间超出范围（00:00-24:00）");
    hours.periods.push_back({begin, end});
    if (cut == std::string_view::npos) break;
    text.remove_prefix(cut + (cut == comma ? 1 : kWideComma.size()));
  }
  if (auto ok = validate_hours(hours, field); !ok) return std::unexpected(std::move(ok.error()));
  return hours;
}

std::string format_hours(const WorkingHours& hours) {
  std::string out;
  for (const auto& p : hours.periods) {
    if (!out.empty()) out.push_back(',');
    out += hhmm(p.begin);
    out.push_back('-');
    out += hhmm(p.end);
  }
  return out;
}

// ---------------------------------------------------------------- dates

Result<sys_days> parse_date(std::string_view text, std::string_view field) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
      !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2)))
    return field_error(field, "format", "日期格式应为 YYYY-MM-DD");
  std::chrono::year_month_day ymd{
      std::chrono::year{to_int(text.substr(0, 4))},
      std::chrono::month{static_cast<unsigned>(to_int(text.substr(5, 2)))},
      std::chrono::day{static_cast<unsigned>(to_int(text.substr(8, 2)))}};
  if (!ymd.ok() || int(ymd.year()) < 1)
    return field_error(field, "invalid", "日期 " + std::string(text) + " 不存在");
  return sys_days{ymd};
}

std::string format_date(sys_days date) {
  std::chrono::year_month_day ymd{date};
  int y = int(ymd.year());
  std::string out;
  if (y < 0 || y > 9999) return "invalid";
  append_two(out, y / 100);
  append_two(out, y % 100);
  out.push_back('-');
  append_two(out, static_cast<int>(unsigned(ymd.month())));
  out.push_back('-');
  append_two(out, static_cast<int>(unsigned(ymd.day())));
  return out;
}

std::string_view to_string(DayKind kind) {
  return kind == DayKind::workday ? "workday" : "rest";
}

std::span<const HolidayEntry> china_builtin_holidays() {
  return kChinaHolidays;
}

// ---------------------------------------------------------------- calendar

WorkCalendar::WorkCalendar(std::vector<DayOverride> overrides, WorkingHours hours,
                           std::chrono::minutes utc_offset)
    : hours_(std::move(hours)), offset_(utc_offset) {
  if (auto ok = validate_hours(hours_); !ok)
    throw std::invalid_argument("WorkCalendar: " + ok.error().detail);
  if (utc_offset < std::chrono::hours{-14} || utc_offset > std::chrono::hours{14})
    throw std::invalid_argument("WorkCalendar: UTC offset beyond +-14 h");
  offset_ms_ = utc_offset.count() * kMinuteMs;
  day_work_ms_ = std::int64_t{hours_.minutes_per_day()} * kMinuteMs;

  std::stable_sort(overrides.begin(), overrides.end(),
                   [](const DayOverride& a, const DayOverride& b) { return a.date < b.date; });
  overrides_.reserve(overrides.size());
  for (auto& o : overrides) {
    if (!overrides_.empty() && overrides_.back().date == o.date)
      overrides_.back() = std::move(o);  // the later entry wins
    else
      overrides_.push_back(std::move(o));
  }
}

WorkCalendar WorkCalendar::china() {
  std::vector<DayOverride> overrides;
  overrides.reserve(kChinaHolidays.size());
  for (const auto& e : kChinaHolidays)
    overrides.push_back({parse_date(e.date).value(), e.kind, std::string(e.name)});
  return WorkCalendar(std::move(overrides));
}

WorkCalendar WorkCalendar::with_override(sys_days date, DayKind kind, std::string name) const {
  WorkCalendar copy = *this;
  auto it = copy.overrides_.begin() + static_cast<std::ptrdiff_t>(first_override_from(date));
  if (it != copy.overrides_.end() && it->date == date)
    *it = {date, kind, std::move(name)};
  else
    copy.overrides_.insert(it, {date, kind, std::move(name)});
  return copy;
}

WorkCalendar WorkCalendar::without_override(sys_days date) const {
  WorkCalendar copy = *this;
  auto it = copy.overrides_.begin() + static_cast<std::ptrdiff_t>(first_override_from(date));
  if (it != copy.overrides_.end() && it->date == date) copy.overrides_.erase(it);
  return copy;
}

std::size_t WorkCalendar::first_override_from(sys_days date) const {
  auto it = std::lower_bound(overrides_.begin(), overrides_.end(), date,
                             [](const DayOverride& o, sys_days d) { return o.date < d; });
  return static_cast<std::size_t>(it - overrides_.begin());
}

bool WorkCalendar::working_at(sys_days date, std::size_t& cursor) const {
  while (cursor < overrides_.size() && overrides_[cursor].date < date) ++cursor;
  if (cursor < overrides_.size() && overrides_[cursor].date == date)
    return overrides_[cursor].kind == DayKind::workday;
  return weekday_rule_works(date);
}

sys_days WorkCalendar::next_override_date(std::size_t cursor) const {
  // Far enough that week skips are bounded by the other limit, near enough not to overflow.
  return cursor < overrides_.size() ? overrides_[cursor].date
                                    : sys_days{days{std::numeric_limits<std::int32_t>::max()}};
}

bool WorkCalendar::is_working_day(sys_days date) const {
  std::size_t cursor = first_override_from(date);
  return working_at(date, cursor);
}

DayInfo WorkCalendar::day_info(sys_days date) const {
  std::size_t i = first_override_from(date);
  if (i < overrides_.size() && overrides_[i].date == date)
    return {overrides_[i].kind, overrides_[i].name, true};
  if (weekday_rule_works(date)) return {DayKind::workday, "工作日", false};
  return {DayKind::rest, "周末", false};
}

sys_days WorkCalendar::next_working_day(sys_days date) const {
  sys_days d = date + days{1};
  std::size_t cursor = first_override_from(d);
  while (!working_at(d, cursor)) d += days{1};
  return d;
}

std::vector<sys_days> WorkCalendar::working_days_in(std::chrono::year y,
                                                    std::chrono::month m) const {
  std::vector<sys_days> out;
  if (!(y / m / 1).ok()) return out;
  sys_days first{y / m / 1}, last{y / m / std::chrono::last};
  std::size_t cursor = first_override_from(first);
  for (sys_days d = first; d <= last; d += days{1})
    if (working_at(d, cursor)) out.push_back(d);
  return out;
}

sys_days WorkCalendar::local_date(std::int64_t epoch_ms) const {
  return sys_days{days{floor_div(epoch_ms + offset_ms_, kDayMs)}};
}

std::int64_t WorkCalendar::at(sys_days date, int minute_of_day) const {
  return day_number(date) * kDayMs + std::int64_t{minute_of_day} * kMinuteMs - offset_ms_;
}

std::int64_t WorkCalendar::add_working_minutes(std::int64_t start_ms, std::int64_t minutes) const {
  return add_working_ms(start_ms, std::clamp<std::int64_t>(minutes, 0, kMaxMinutes) * kMinuteMs);
}

std::int64_t WorkCalendar::add_working_ms(std::int64_t start_ms, std::int64_t ms) const {
  std::int64_t rem = std::clamp<std::int64_t>(ms, 0, kMaxMinutes * kMinuteMs);
  const std::int64_t local = start_ms + offset_ms_;
  sys_days d{days{floor_div(local, kDayMs)}};
  std::int64_t t = local - day_number(d) * kDayMs;  // ms since local midnight
  std::size_t cursor = first_override_from(d);
  const std::int64_t week_ms = kWorkdaysPerWeek * day_work_ms_;

  for (;;) {
    if (t == 0 && rem > 0) {
      while (cursor < overrides_.size() && overrides_[cursor].date < d) ++cursor;
      // Whole weeks before the next override, keeping some time for later.
      std::int64_t free_days = (next_override_date(cursor) - d).count();
      std::int64_t weeks = std::min(free_days / 7, (rem - 1) / week_ms);
      if (weeks > 0) {
        d += days{7 * weeks};
        rem -= weeks * week_ms;
      }
    }
    if (working_at(d, cursor)) {
      if (t == 0 && rem > day_work_ms_) {
        rem -= day_work_ms_;
      } else {
        for (const auto& p : hours_.periods) {
          const std::int64_t pe = p.end * kMinuteMs;
          if (t >= pe) continue;
          const std::int64_t b = std::max<std::int64_t>(t, p.begin * kMinuteMs);
          const std::int64_t avail = pe - b;
          if (rem <= avail) return day_number(d) * kDayMs + b + rem - offset_ms_;
          rem -= avail;
          t = pe;
        }
      }
    }
    d += days{1};
    t = 0;
  }
}

std::int64_t WorkCalendar::add_working_days(std::int64_t start_ms, int n) const {
  const int close = hours_.periods.back().end;
  sys_days d = local_date(start_ms);
  if (n <= 0) {
    if (is_working_day(d) && start_ms <= at(d, close)) return at(d, close);
    return at(next_working_day(d), close);
  }
  std::int64_t left = n;
  std::size_t cursor = first_override_from(d + days{1});
  for (;;) {
    // Days d+1 .. d+7w are override-free: skip them as whole weeks.
    while (cursor < overrides_.size() && overrides_[cursor].date <= d) ++cursor;
    std::int64_t free_days = (next_override_date(cursor) - d).count() - 1;
    std::int64_t weeks = std::min(free_days / 7, (left - 1) / kWorkdaysPerWeek);
    if (weeks > 0) {
      d += days{7 * weeks};
      left -= weeks * kWorkdaysPerWeek;
    }
    d += days{1};
    if (working_at(d, cursor) && --left == 0) return at(d, close);
  }
}

std::int64_t WorkCalendar::working_ms_between(std::int64_t from_ms, std::int64_t to_ms) const {
  if (to_ms <= from_ms) return 0;
  const std::int64_t lf = from_ms + offset_ms_, lt = to_ms + offset_ms_;
  const std::int64_t last_day = floor_div(lt, kDayMs);
  const std::int64_t t_to = lt - last_day * kDayMs;
  sys_days d{days{floor_div(lf, kDayMs)}};
  std::int64_t lo = lf - day_number(d) * kDayMs;
  std::size_t cursor = first_override_from(d);
  const std::int64_t week_ms = kWorkdaysPerWeek * day_work_ms_;
  std::int64_t total = 0;

  for (;;) {
    if (lo == 0 && day_number(d) < last_day) {
      while (cursor < overrides_.size() && overrides_[cursor].date < d) ++cursor;
      std::int64_t free_days = (next_override_date(cursor) - d).count();
      std::int64_t weeks = std::min(free_days, last_day - day_number(d)) / 7;
      if (weeks > 0) {
        d += days{7 * weeks};
        total += weeks * week_ms;
      }
    }
    const bool last = day_number(d) == last_day;
    const std::int64_t hi = last ? t_to : kDayMs;
    if (working_at(d, cursor)) {
      if (lo == 0 && hi == kDayMs) {
        total += day_work_ms_;
      } else {
        for (const auto& p : hours_.periods) {
          const std::int64_t b = std::max<std::int64_t>(lo, p.begin * kMinuteMs);
          const std::int64_t e = std::min<std::int64_t>(hi, p.end * kMinuteMs);
          if (e > b) total += e - b;
        }
      }
    }
    if (last) return total;
    d += days{1};
    lo = 0;
  }
}

std::int64_t WorkCalendar::working_minutes_between(std::int64_t from_ms, std::int64_t to_ms) const {
  return working_ms_between(from_ms, to_ms) / kMinuteMs;
}

double WorkCalendar::fraction_used(std::int64_t start_ms, std::int64_t deadline_ms,
                                   std::int64_t now_ms) const {
  const std::int64_t total = working_ms_between(start_ms, deadline_ms);
  if (total <= 0) return now_ms > deadline_ms ? std::numeric_limits<double>::infinity() : 0.0;
  double f = static_cast<double>(working_ms_between(start_ms, now_ms)) / static_cast<double>(total);
  if (now_ms > deadline_ms) f = std::max(f, std::nextafter(1.0, 2.0));
  return f;
}

}  // namespace cg
