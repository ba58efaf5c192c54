// Micro-benchmarks of the working-day calendar (core/workcal), which sits on
// the hot path of case creation (deadline) and case listing (fraction used).
//
// Run: ninja -C build micro_bench && build/micro_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "core/workcal.hpp"

namespace {

const cg::WorkCalendar& calendar() {
  static const cg::WorkCalendar cal = cg::WorkCalendar::china();
  return cal;
}

// Starts spread over 2025-2026 at odd times of day (in and out of hours, on
// holidays and weekends), so the benchmark does not measure one lucky path.
std::vector<std::int64_t> starts() {
  const auto& cal = calendar();
  std::vector<std::int64_t> out;
  const auto first = cal.at(cg::parse_date("2025-01-01").value(), 0);
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 1024; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out.push_back(first + static_cast<std::int64_t>(x % (700ull * 86'400'000ull)));
  }
  return out;
}

void BM_AddWorkingMinutes(benchmark::State& state) {
  const auto& cal = calendar();
  const auto s = starts();
  const std::int64_t minutes = state.range(0);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.add_working_minutes(s[i++ & 1023], minutes));
  }
}
// 8 h, 1 working day (7.5 h), 5 and 20 working days, 30 working days.
BENCHMARK(BM_AddWorkingMinutes)->Arg(480)->Arg(450)->Arg(5 * 450)->Arg(20 * 450)->Arg(30 * 450);

void BM_AddWorkingDays(benchmark::State& state) {
  const auto& cal = calendar();
  const auto s = starts();
  const int n = static_cast<int>(state.range(0));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.add_working_days(s[i++ & 1023], n));
  }
}
BENCHMARK(BM_AddWorkingDays)->Arg(1)->Arg(20);

void BM_FractionUsed(benchmark::State& state) {
  const auto& cal = calendar();
  const auto s = starts();
  std::vector<std::int64_t> deadlines;
  for (auto start : s) deadlines.push_back(cal.add_working_days(start, 5));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = i++ & 1023;
    const auto now = s[k] + 3 * 86'400'000;
    benchmark::DoNotOptimize(cal.fraction_used(s[k], deadlines[k], now));
  }
}
BENCHMARK(BM_FractionUsed);

void BM_IsWorkingDay(benchmark::State& state) {
  const auto& cal = calendar();
  const auto s = starts();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(cal.is_working_day(cal.local_date(s[i++ & 1023])));
  }
}
BENCHMARK(BM_IsWorkingDay);

}  // namespace
