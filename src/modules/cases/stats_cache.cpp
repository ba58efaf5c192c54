#include "modules/cases/stats_cache.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include "db/db.hpp"

namespace cg::cases {

namespace {
using Sums = std::vector<std::pair<std::int64_t, Counts>>;

std::int64_t key_of(bool month, std::int64_t period) {
  return period * 2 + (month ? 1 : 0);
}

void add_signed(Sums& into, const Sums& more, bool subtract) {
  for (const auto& [category, counts] : more) {
    auto it = std::ranges::find(into, category, &std::pair<std::int64_t, Counts>::first);
    if (it == into.end()) it = into.insert(into.end(), {category, Counts{}});
    add_counts(it->second, counts, subtract ? -1 : 1);
  }
}

void emit(std::vector<store::RollupSum>& out, const std::string& path, const Sums& sums) {
  for (const auto& [category, counts] : sums) out.push_back({path, category, counts});
}

// Between kTimeToLive / 2 and kTimeToLive, spread by a hash of the fill and the area.
std::chrono::steady_clock::duration lifetime(std::uint64_t lease, std::size_t area) {
  std::uint64_t x = lease * 0x9E3779B97F4A7C15ULL + area;  // splitmix64
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  x ^= x >> 31;
  const auto full =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(StatsCache::kTimeToLive);
  return full / 2 + full / 2 * static_cast<std::int64_t>(x % 1024) / 1024;
}

template <class Periods>
auto find_period(Periods& periods, std::int64_t key) {
  auto it = std::ranges::lower_bound(periods, key, {}, [](const auto& p) { return p.key; });
  return it != periods.end() && it->key == key ? it : periods.end();
}
}  // namespace

bool StatsCache::add_kept(const Periods& periods, const std::vector<store::RollupSpan>& spans,
                          Clock::time_point now, Sums& into) {
  for (const store::RollupSpan& s : spans) {
    for (std::int64_t p = s.from; p < s.to; ++p) {
      auto it = find_period(periods, key_of(s.month, p));
      if (it == periods.end() || !it->ready || now >= it->expires) return false;
      add_signed(into, it->sums, s.subtract);
    }
  }
  return true;
}

StatsCache::Period& StatsCache::period(Periods& periods, std::int64_t key) {
  auto it = std::ranges::lower_bound(periods, key, {}, &Period::key);
  if (it == periods.end() || it->key != key) {
    it = periods.insert(it, Period{});
    it->key = key;
    ++kept_;
  }
  return *it;
}

void StatsCache::forget(Periods& periods, std::int64_t key) {
  auto it = find_period(periods, key);
  if (it == periods.end()) return;
  kept_ -= 1 + it->sums.size();
  periods.erase(it);
}

std::vector<store::RollupSum> StatsCache::sums(db::Database& db,
                                               const std::vector<std::string>& paths,
                                               const std::vector<store::RollupSpan>& spans,
                                               bool all_categories) {
  std::vector<store::RollupSum> out;
  if (paths.empty() || spans.empty()) return out;
  auto periods_of = [&](Area& a) -> Periods& { return all_categories ? a.all : a.by_category; };
  const Clock::time_point now = Clock::now();
  std::vector<std::string> missing;
  std::uint64_t lease = 0;
  {
    std::lock_guard lock(mutex_);
    if (kept_ > kMaxRows) forget_all_locked();
    lease = ++last_lease_;
    for (const std::string& path : paths) {
      Periods& periods = periods_of(areas_[path]);
      Sums sums;
      if (add_kept(periods, spans, now, sums)) {
        emit(out, path, sums);
        continue;
      }
      // Read again in full; leased before the read transaction below starts, so
      // a write committing meanwhile takes the lease away (forget_case).
      missing.push_back(path);
      for (const store::RollupSpan& s : spans)
        for (std::int64_t p = s.from; p < s.to; ++p)
          period(periods, key_of(s.month, p)).lease = lease;
    }
  }
  if (missing.empty()) return out;

  const std::vector<store::RollupRow> rows = db.read(
      [&](db::Conn& conn) { return store::rollup_rows(conn, missing, spans, all_categories); });
  std::map<std::pair<std::string_view, std::int64_t>, Sums> read;  // by (path, period key)
  for (const store::RollupRow& r : rows)
    read[{r.path, key_of(r.month, r.period)}].emplace_back(r.category_id, r.counts);

  const Sums none;
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < missing.size(); ++i) {
    const std::string& path = missing[i];
    auto area = areas_.find(path);  // gone if forget_all ran meanwhile
    const Clock::time_point expires = now + lifetime(lease, i);
    Sums total;
    for (const store::RollupSpan& s : spans) {
      for (std::int64_t p = s.from; p < s.to; ++p) {
        const std::int64_t key = key_of(s.month, p);
        auto got = read.find({path, key});
        const Sums& sums = got == read.end() ? none : got->second;
        add_signed(total, sums, s.subtract);
        if (area == areas_.end()) continue;
        Periods& periods = periods_of(area->second);
        auto kept = find_period(periods, key);
        if (kept == periods.end() || kept->lease != lease) continue;
        kept_ += sums.size() - kept->sums.size();
        kept->sums = sums;
        kept->ready = true;
        kept->expires = expires;
        kept->lease = 0;
      }
    }
    emit(out, path, total);
  }
  return out;
}

void StatsCache::forget_case(const std::string& path, std::int64_t created_at) {
  const std::int64_t day = store::local_day(created_at);
  const std::int64_t day_key = key_of(false, day),
                     month_key = key_of(true, store::month_of_day(day));
  std::lock_guard lock(mutex_);
  for (const std::string& area_path : store::areas_up(path)) {
    auto area = areas_.find(area_path);
    if (area == areas_.end()) continue;
    for (Periods* periods : {&area->second.all, &area->second.by_category}) {
      forget(*periods, day_key);
      forget(*periods, month_key);
    }
  }
}

void StatsCache::forget_all() {
  std::lock_guard lock(mutex_);
  forget_all_locked();
}

void StatsCache::forget_all_locked() {
  areas_.clear();
  kept_ = 0;
}

}  // namespace cg::cases
