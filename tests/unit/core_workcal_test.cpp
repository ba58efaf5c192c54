#include "core/workcal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace cg {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

sys_days D(std::string_view text) {
  return parse_date(text).value();
}

// Epoch ms of a local (calendar offset) date and "HH:MM".
std::int64_t T(const WorkCalendar& cal, std::string_view date, std::string_view hhmm) {
  int h = std::stoi(std::string(hhmm.substr(0, 2)));
  int m = std::stoi(std::string(hhmm.substr(3, 2)));
  return cal.at(D(date), h * 60 + m);
}

// "YYYY-MM-DD HH:MM" in the calendar's local time (seconds must be zero).
std::string L(const WorkCalendar& cal, std::int64_t ms) {
  sys_days d = cal.local_date(ms);
  std::int64_t minute = (ms - cal.at(d, 0)) / 60'000;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", int(minute / 60), int(minute % 60));
  return format_date(d) + " " + buf;
}

const WorkCalendar& china() {
  static const WorkCalendar cal = WorkCalendar::china();
  return cal;
}

std::string error_code(const auto& r) {
  return r ? "" : r.error().errors.at(0).code;
}

// ---------------------------------------------------------------- days

TEST(WorkCal, MakeUpSundayIsAWorkingDayAndSpringFestivalMondayIsNot) {
  const auto& cal = china();
  EXPECT_EQ(std::chrono::weekday{D("2026-01-04")}, std::chrono::Sunday);
  EXPECT_TRUE(cal.is_working_day(D("2026-01-04")));
  auto info = cal.day_info(D("2026-01-04"));
  EXPECT_EQ(info.kind, DayKind::workday);
  EXPECT_EQ(info.name, "元旦调休上班");
  EXPECT_TRUE(info.is_override);

  EXPECT_EQ(std::chrono::weekday{D("2026-02-16")}, std::chrono::Monday);
  EXPECT_FALSE(cal.is_working_day(D("2026-02-16")));
  EXPECT_EQ(cal.day_info(D("2026-02-16")).name, "春节");
}

TEST(WorkCal, DaysWithoutOverrideFollowTheWeekdayRule) {
  const auto& cal = china();
  EXPECT_TRUE(cal.is_working_day(D("2025-03-03")));   // Monday
  EXPECT_FALSE(cal.is_working_day(D("2025-03-08")));  // Saturday
  auto sat = cal.day_info(D("2025-03-08"));
  EXPECT_EQ(sat.kind, DayKind::rest);
  EXPECT_EQ(sat.name, "周末");
  EXPECT_FALSE(sat.is_override);
  EXPECT_EQ(cal.day_info(D("2025-03-03")).name, "工作日");
  // A weekend inside a holiday is shown with the holiday's name.
  EXPECT_EQ(cal.day_info(D("2025-02-01")).name, "春节");
  // Years without an entered schedule: weekday rule only.
  EXPECT_TRUE(cal.is_working_day(D("2027-10-01")));  // Friday
}

TEST(WorkCal, BuiltInScheduleMatchesTheStateCouncilNotices) {
  auto entries = china_builtin_holidays();
  int rest2025 = 0, work2025 = 0, rest2026 = 0, work2026 = 0;
  for (const auto& e : entries) {
    ASSERT_TRUE(parse_date(e.date).has_value()) << e.date;
    bool y2025 = e.date.starts_with("2025");
    (e.kind == DayKind::rest ? (y2025 ? rest2025 : rest2026) : (y2025 ? work2025 : work2026))++;
  }
  EXPECT_EQ(rest2025, 28);  // 1 + 8 + 3 + 5 + 3 + 8
  EXPECT_EQ(work2025, 5);   // 1/26, 2/8, 4/27, 9/28, 10/11
  EXPECT_EQ(rest2026, 33);  // 3 + 9 + 3 + 5 + 3 + 3 + 7
  EXPECT_EQ(work2026, 6);   // 1/4, 2/14, 2/28, 5/9, 9/20, 10/10
  for (std::size_t i = 1; i < entries.size(); ++i) EXPECT_LT(entries[i - 1].date, entries[i].date);

  // Every make-up working day falls on a weekend; the calendar shows each entry's name.
  for (const auto& e : entries) {
    auto wd = std::chrono::weekday{D(e.date)};
    if (e.kind == DayKind::workday) {
      EXPECT_TRUE(wd == std::chrono::Saturday || wd == std::chrono::Sunday) << e.date;
    }
    EXPECT_EQ(china().day_info(D(e.date)).name, e.name);
  }
  EXPECT_EQ(china().overrides().size(), entries.size());
}

TEST(WorkCal, NextWorkingDayAndWorkingDaysOfAMonth) {
  const auto& cal = china();
  EXPECT_EQ(cal.next_working_day(D("2026-02-14")), D("2026-02-24"));  // after 春节
  EXPECT_EQ(cal.next_working_day(D("2025-09-30")), D("2025-10-09"));
  EXPECT_EQ(cal.next_working_day(D("2025-03-07")), D("2025-03-10"));  // Friday -> Monday
  EXPECT_EQ(cal.next_working_day(D("2025-10-10")), D("2025-10-11"));  // make-up Saturday

  auto oct = cal.working_days_in(std::chrono::year{2025}, std::chrono::October);
  EXPECT_EQ(oct.size(), 18u);  // 9-10, 11 (Sat), 13-17, 20-24, 27-31
  EXPECT_EQ(oct.front(), D("2025-10-09"));
  EXPECT_EQ(oct[2], D("2025-10-11"));
  auto feb = cal.working_days_in(std::chrono::year{2026}, std::chrono::February);
  EXPECT_EQ(feb.size(), 16u);  // 20 weekdays - 6 holiday weekdays + 2/14 + 2/28
  EXPECT_EQ(feb.back(), D("2026-02-28"));
}

TEST(WorkCal, OverridesAreEditedThroughCopies) {
  const auto& cal = china();
  auto edited = cal.with_override(D("2025-03-10"), DayKind::rest, "台风停工");
  EXPECT_TRUE(cal.is_working_day(D("2025-03-10")));  // original unchanged
  EXPECT_FALSE(edited.is_working_day(D("2025-03-10")));
  EXPECT_EQ(edited.day_info(D("2025-03-10")).name, "台风停工");
  EXPECT_EQ(edited.overrides().size(), cal.overrides().size() + 1);

  auto renamed = edited.with_override(D("2025-03-10"), DayKind::workday, "恢复上班");
  EXPECT_EQ(renamed.overrides().size(), edited.overrides().size());
  EXPECT_TRUE(renamed.is_working_day(D("2025-03-10")));

  auto removed = cal.without_override(D("2026-02-16"));
  EXPECT_TRUE(removed.is_working_day(D("2026-02-16")));
  EXPECT_EQ(removed.overrides().size(), cal.overrides().size() - 1);
  EXPECT_EQ(removed.without_override(D("2030-01-01")).overrides().size(),
            removed.overrides().size());

  // Constructor: any order, the later entry for a date wins.
  WorkCalendar c({{D("2025-03-11"), DayKind::rest, "a"},
                  {D("2025-03-10"), DayKind::rest, "b"},
                  {D("2025-03-11"), DayKind::workday, "c"}});
  ASSERT_EQ(c.overrides().size(), 2u);
  EXPECT_EQ(c.overrides()[0].date, D("2025-03-10"));
  EXPECT_EQ(c.day_info(D("2025-03-11")).name, "c");
  EXPECT_TRUE(c.is_working_day(D("2025-03-11")));
}

// ---------------------------------------------------------------- deadlines

TEST(WorkCal, EightHoursFromFridayBeforeSpringFestivalEndOnTheMakeUpSaturday) {
  const auto& cal = china();
  // Friday 16:00-17:30 = 1.5 h; Saturday 2/14 (调休上班) 08:30-12:00 = 3.5 h,
  // then 3 h from 13:30.
  auto due = cal.add_working_minutes(T(cal, "2026-02-13", "16:00"), 8 * 60);
  EXPECT_EQ(L(cal, due), "2026-02-14 16:30");
  EXPECT_EQ(due, 1771057800000);  // 2026-02-14T08:30:00Z
}

TEST(WorkCal, OneWorkingDayFromTheEveOfNationalDayIsDueAtCloseOfOctober9) {
  const auto& cal = china();
  auto due = cal.add_working_days(T(cal, "2025-09-30", "17:00"), 1);
  EXPECT_EQ(L(cal, due), "2025-10-09 17:30");
  // One working hour: the last 30 minutes of 9/30, 30 minutes on 10/9.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-09-30", "17:00"), 60)), "2025-10-09 09:00");
}

TEST(WorkCal, WorkingDaysRule) {
  const auto& cal = china();
  // Filed on a working day, any time: due at close of the next working day.
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "08:00"), 1)), "2025-03-04 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "23:00"), 1)), "2025-03-04 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-07", "10:00"), 1)), "2025-03-10 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "10:00"), 5)), "2025-03-10 17:30");
  // Filed on a rest day: the first working day after it is day 1.
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-08", "10:00"), 1)), "2025-03-10 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2026-02-16", "10:00"), 1)), "2026-02-24 17:30");
  // Make-up Saturday counts.
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2026-02-13", "10:00"), 1)), "2026-02-14 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2026-02-13", "10:00"), 2)), "2026-02-24 17:30");
  // n = 0: close of today if still open, else of the next working day.
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "10:00"), 0)), "2025-03-03 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "17:30"), 0)), "2025-03-03 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "18:00"), 0)), "2025-03-04 17:30");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-08", "10:00"), 0)), "2025-03-10 17:30");
  // Long limits across several holidays: 20 working days from 9/26 (Fri).
  // 9/28 (Sun, make-up) is 1, 9/29-9/30 are 2-3, 10/9-10/11 are 4-6, then
  // 5 a week: 10/13-17 (11), 10/20-24 (16), 10/27-30 (20).
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-09-26", "10:00"), 20)), "2025-10-30 17:30");
}

TEST(WorkCal, CrossingTheLunchBreak) {
  const auto& cal = china();
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "11:00"), 120)),
            "2025-03-03 14:30");
  // A morning used up exactly ends at 12:00, not at 13:30.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "08:30"), 210)),
            "2025-03-03 12:00");
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "08:30"), 211)),
            "2025-03-03 13:31");
  // Started during lunch: counting begins at 13:30.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "12:45"), 30)), "2025-03-03 14:00");
}

TEST(WorkCal, StartsOutsideWorkingHours) {
  const auto& cal = china();
  // Before 08:30.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "07:00"), 30)), "2025-03-03 09:00");
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "07:00"), 0)), "2025-03-03 08:30");
  // Exactly 12:00 is outside the half-open morning [08:30, 12:00).
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "12:00"), 0)), "2025-03-03 13:30");
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "12:00"), 30)), "2025-03-03 14:00");
  // Inside hours, 0 is the start itself.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "08:30"), 0)), "2025-03-03 08:30");
  // After 17:30.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "18:00"), 30)), "2025-03-04 09:00");
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-07", "17:30"), 0)), "2025-03-10 08:30");
  // On a holiday.
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2026-02-16", "10:00"), 60)), "2026-02-24 09:30");
  // Seconds are kept.
  EXPECT_EQ(cal.add_working_minutes(T(cal, "2025-03-03", "09:00") + 1'500, 10),
            T(cal, "2025-03-03", "09:10") + 1'500);
  // Negative counts as 0.
  EXPECT_EQ(cal.add_working_minutes(T(cal, "2025-03-03", "07:00"), -5),
            T(cal, "2025-03-03", "08:30"));
}

TEST(WorkCal, WorkingMinutesBetweenAcrossAWeekend) {
  const auto& cal = china();
  // Friday 16:00-17:30 (90) + Monday 08:30-10:00 (90).
  EXPECT_EQ(
      cal.working_minutes_between(T(cal, "2025-03-07", "16:00"), T(cal, "2025-03-10", "10:00")),
      180);
  EXPECT_EQ(
      cal.working_minutes_between(T(cal, "2025-03-10", "10:00"), T(cal, "2025-03-07", "16:00")), 0);
  EXPECT_EQ(
      cal.working_minutes_between(T(cal, "2025-03-08", "09:00"), T(cal, "2025-03-09", "17:00")), 0);
  EXPECT_EQ(
      cal.working_minutes_between(T(cal, "2025-03-03", "11:00"), T(cal, "2025-03-03", "14:00")),
      90);
  // A whole ordinary week.
  EXPECT_EQ(
      cal.working_minutes_between(T(cal, "2025-03-03", "00:00"), T(cal, "2025-03-10", "00:00")),
      5 * 450);
  // The 国庆 week 2025: 9/29-30 + 10/9-10 + make-up 10/11 = 5 days.
  EXPECT_EQ(
      cal.working_minutes_between(T(cal, "2025-09-29", "00:00"), T(cal, "2025-10-12", "00:00")),
      5 * 450);
  EXPECT_EQ(
      cal.working_ms_between(T(cal, "2025-03-03", "09:00"), T(cal, "2025-03-03", "09:00") + 59'999),
      59'999);
}

TEST(WorkCal, AnOverrideTurningAMondayIntoRestShiftsTheDeadline) {
  const auto& cal = china();
  auto start = T(cal, "2025-03-07", "16:00");  // Friday
  EXPECT_EQ(L(cal, cal.add_working_minutes(start, 180)), "2025-03-10 10:00");
  EXPECT_EQ(L(cal, cal.add_working_days(start, 1)), "2025-03-10 17:30");

  auto closed = cal.with_override(D("2025-03-10"), DayKind::rest, "台风停工");
  EXPECT_EQ(L(closed, closed.add_working_minutes(start, 180)), "2025-03-11 10:00");
  EXPECT_EQ(L(closed, closed.add_working_days(start, 1)), "2025-03-11 17:30");
  EXPECT_EQ(closed.working_minutes_between(start, T(cal, "2025-03-11", "10:00")), 180);
}

TEST(WorkCal, CustomHoursAndOffset) {
  WorkCalendar cal({}, parse_hours("09:00-17:00").value(), std::chrono::minutes{0});
  EXPECT_EQ(cal.at(D("2025-03-03"), 9 * 60), 1740992400000);  // 2025-03-03T09:00:00Z
  EXPECT_EQ(L(cal, cal.add_working_minutes(T(cal, "2025-03-03", "16:00"), 120)),
            "2025-03-04 10:00");
  EXPECT_EQ(L(cal, cal.add_working_days(T(cal, "2025-03-03", "16:00"), 1)), "2025-03-04 17:00");
  // 2025-03-03 01:00 UTC is 09:00 in Beijing.
  EXPECT_EQ(china().local_date(1740963600000), D("2025-03-03"));
  EXPECT_EQ(china().at(D("2025-03-03"), 9 * 60), 1740963600000);

  EXPECT_THROW(WorkCalendar({}, WorkingHours{}), std::invalid_argument);
  EXPECT_THROW(WorkCalendar({}, WorkingHours::standard(), std::chrono::minutes{15 * 60}),
               std::invalid_argument);
}

TEST(WorkCal, FractionUsed) {
  const auto& cal = china();
  auto start = T(cal, "2025-03-03", "08:30");           // Monday
  auto deadline = cal.add_working_minutes(start, 480);  // Tuesday 09:00
  EXPECT_EQ(L(cal, deadline), "2025-03-04 09:00");
  EXPECT_DOUBLE_EQ(cal.fraction_used(start, deadline, start - 1000), 0.0);
  EXPECT_DOUBLE_EQ(cal.fraction_used(start, deadline, start), 0.0);
  EXPECT_DOUBLE_EQ(cal.fraction_used(start, deadline, T(cal, "2025-03-03", "12:00")), 210.0 / 480);
  // Lunch does not count.
  EXPECT_DOUBLE_EQ(cal.fraction_used(start, deadline, T(cal, "2025-03-03", "13:30")), 210.0 / 480);
  double evening = cal.fraction_used(start, deadline, T(cal, "2025-03-03", "20:00"));
  EXPECT_DOUBLE_EQ(evening, 450.0 / 480);  // yellow
  EXPECT_GE(evening, 0.8);
  EXPECT_DOUBLE_EQ(cal.fraction_used(start, deadline, deadline), 1.0);  // not yet red
  EXPECT_DOUBLE_EQ(cal.fraction_used(start, deadline, T(cal, "2025-03-04", "10:00")), 540.0 / 480);

  // Due Friday 17:30, looked at on Saturday: red although no working time passed.
  auto fri = T(cal, "2025-03-07", "09:30");
  auto fri_due = T(cal, "2025-03-07", "17:30");
  EXPECT_GT(cal.fraction_used(fri, fri_due, T(cal, "2025-03-08", "10:00")), 1.0);

  // No working time at all between start and deadline.
  auto sat = T(cal, "2025-03-08", "09:00");
  EXPECT_DOUBLE_EQ(cal.fraction_used(sat, sat + 3'600'000, sat + 1000), 0.0);
  EXPECT_TRUE(std::isinf(cal.fraction_used(sat, sat + 3'600'000, sat + 7'200'000)));
}

// Minute-by-minute reference for the fast paths (minute-aligned starts).
bool working_minute(const WorkCalendar& cal, std::int64_t t) {
  sys_days d = cal.local_date(t);
  if (!cal.is_working_day(d)) return false;
  int m = static_cast<int>((t - cal.at(d, 0)) / 60'000);
  for (auto p : cal.hours().periods)
    if (m >= p.begin && m < p.end) return true;
  return false;
}

std::int64_t naive_add(const WorkCalendar& cal, std::int64_t t, std::int64_t minutes) {
  while (!working_minute(cal, t)) t += 60'000;
  while (minutes > 0) {
    if (working_minute(cal, t) && --minutes == 0) return t + 60'000;
    t += 60'000;
  }
  return t;
}

TEST(WorkCal, FastPathsAgreeWithMinuteByMinuteCounting) {
  const auto cal = china().with_override(D("2025-12-15"), DayKind::rest, "测试");
  std::mt19937_64 rng(20250930);
  const auto base = T(cal, "2025-09-01", "00:00");
  const std::int64_t span_minutes = 200 * 24 * 60;  // into 2026
  for (int i = 0; i < 300; ++i) {
    std::int64_t start = base + std::int64_t(rng() % span_minutes) * 60'000;
    std::int64_t minutes = std::int64_t(rng() % (3 * 450 + 1));
    ASSERT_EQ(cal.add_working_minutes(start, minutes), naive_add(cal, start, minutes))
        << L(cal, start) << " + " << minutes;
  }
  for (int i = 0; i < 2000; ++i) {
    std::int64_t start =
        base + std::int64_t(rng() % span_minutes) * 60'000 + std::int64_t(rng() % 60'000);
    std::int64_t minutes = std::int64_t(rng() % (60 * 450 + 1));
    auto due = cal.add_working_minutes(start, minutes);
    ASSERT_EQ(cal.working_ms_between(start, due), minutes * 60'000)
        << L(cal, start) << " + " << minutes;
    if (minutes > 0) {
      ASSERT_TRUE(working_minute(cal, due - 1));  // the last counted ms is working time
    }

    int n = static_cast<int>(rng() % 40);
    sys_days d = cal.local_date(start);
    for (int k = 0; k < n; ++k) d = cal.next_working_day(d);
    if (n > 0) {
      ASSERT_EQ(cal.add_working_days(start, n), cal.at(d, 17 * 60 + 30)) << L(cal, start);
    }
  }
  // Far beyond the built-in years: weekday rule, whole weeks at once.
  auto far = cal.add_working_minutes(T(cal, "2027-01-04", "08:30"), 52 * 5 * 450);
  EXPECT_EQ(L(cal, far), "2027-12-31 17:30");  // 52 full weeks of 2027 (Mon 1/4 .. Fri 12/31)
}

// ---------------------------------------------------------------- parsing

TEST(WorkCal, ParseAndFormatDates) {
  EXPECT_EQ(format_date(D("2026-02-14")), "2026-02-14");
  EXPECT_EQ(parse_date("2026-02-14").value(),
            sys_days{std::chrono::year{2026} / std::chrono::February / 14});
  EXPECT_EQ(error_code(parse_date("2025/01/01")), "format");
  EXPECT_EQ(error_code(parse_date("2025-1-01")), "format");
  EXPECT_EQ(error_code(parse_date("")), "format");
  EXPECT_EQ(error_code(parse_date("2025-02-29")), "invalid");
  EXPECT_EQ(error_code(parse_date("2025-13-01")), "invalid");
  auto bad = parse_date("2025-02-30", "holiday_date");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().errors[0].field, "holiday_date");
  EXPECT_EQ(bad.error().status, 400);
}

TEST(WorkCal, ParseHours) {
  auto std_hours = parse_hours("08:30-12:00,13:30-17:30");
  ASSERT_TRUE(std_hours.has_value());
  EXPECT_EQ(*std_hours, WorkingHours::standard());
  EXPECT_EQ(std_hours->minutes_per_day(), 450);
  EXPECT_EQ(format_hours(*std_hours), "08:30-12:00,13:30-17:30");
  EXPECT_EQ(parse_hours(" 8:30 - 12:00 ， 14:00-24:00 ").value().periods,
            (std::vector<WorkPeriod>{{510, 720}, {840, 1440}}));
}

TEST(WorkCal, InvalidHoursStringsAreRefusedWithChineseMessages) {
  EXPECT_EQ(error_code(parse_hours("")), "required");
  EXPECT_EQ(error_code(parse_hours("08:30~12:00")), "format");
  EXPECT_EQ(error_code(parse_hours("0830-1200")), "format");
  EXPECT_EQ(error_code(parse_hours("08:30-12:00,")), "format");
  EXPECT_EQ(error_code(parse_hours("08:30-12")), "format");
  EXPECT_EQ(error_code(parse_hours("25:00-26:00")), "range");
  EXPECT_EQ(error_code(parse_hours("08:60-09:00")), "range");
  EXPECT_EQ(error_code(parse_hours("24:30-24:45")), "range");
  EXPECT_EQ(error_code(parse_hours("12:00-08:30")), "order");
  EXPECT_EQ(error_code(parse_hours("08:30-08:30")), "order");
  EXPECT_EQ(error_code(parse_hours("08:30-12:00,11:00-17:30")), "overlap");
  EXPECT_EQ(error_code(parse_hours("13:30-17:30,08:30-12:00")), "overlap");

  auto r = parse_hours("08:30~12:00", "hours");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errors[0].field, "hours");
  EXPECT_NE(r.error().errors[0].message.find("HH:MM-HH:MM"), std::string::npos);
  EXPECT_EQ(error_code(validate_hours(WorkingHours{{{-10, 60}}})), "range");
  EXPECT_TRUE(validate_hours(WorkingHours{{{0, 720}, {720, 1440}}}).has_value());
}

}  // namespace
}  // namespace cg
