// The rollup rows the indicators read, kept in memory per area and period, so
// that GET /api/v1/stats/cases of a district with 500 streets sums ~8,000 rows
// it already holds instead of reading them again (~20 ms on `city`).
//
// What is kept: per area (path), per rollup period (a local day or a month),
// the area's rows of that period — its all-categories row (what its parent's
// request reads for it as a child) or its per-category rows (what a request
// for the area itself reads), kept apart. A period with no rows is kept too
// (as zeros).
//
// Freshness within the process is exact: a case counts in the rows of every
// area on its path for its local day and month (store::add_to_rollup), and
// only a write of the case changes them. That write registers, through
// db::Conn::after_commit, forget_case() for exactly those (area, period)s; it
// runs after the COMMIT and before the write returns, so whoever was told the
// write succeeded reads fresh figures. A rebuild of the rollups forgets all.
// A reader that read the database while such a write committed must not put
// its older rows back: before it opens its read transaction it leases the
// periods it will fill, a forget drops the lease, and only a lease still held
// installs (see sums()).
//
// What the cache cannot see: a write by another process on the same database
// (a second server on PostgreSQL, a CLI run). Those show after at most
// kTimeToLive: an area's periods are read again once they were filled between
// kTimeToLive / 2 and kTimeToLive ago (drawn per area and fill, so that the
// 500 children that one request filled are not all read again by one later
// request, and by every request running at that moment).
//
// Thread safety: all functions may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "modules/cases/model.hpp"
#include "modules/cases/store.hpp"

namespace cg::db {
class Database;
}

namespace cg::cases {

class StatsCache {
 public:
  static constexpr std::chrono::seconds kTimeToLive{5};
  // Beyond this many kept rows (periods plus their category rows, ~100 bytes
  // each: ~25 MB) the cache starts over (a bound, not an LRU: a district
  // head's request keeps ~8,000 periods of one row, a street's ~16 × 12).
  static constexpr std::size_t kMaxRows = 250'000;

  // The sums over `spans` of the rollup rows of each of `paths`, per category
  // or (all_categories) over all of them, as store::rolled_up() reads them:
  // from the periods kept, the others read in one read transaction of `db`
  // and kept.
  std::vector<store::RollupSum> sums(db::Database& db, const std::vector<std::string>& paths,
                                     const std::vector<store::RollupSpan>& spans,
                                     bool all_categories);
  // After a write that changed the share of a case at `path` filed at `created_at` committed.
  void forget_case(const std::string& path, std::int64_t created_at);
  // After the rollups were rebuilt.
  void forget_all();

 private:
  using Clock = std::chrono::steady_clock;
  using Sums = std::vector<std::pair<std::int64_t, Counts>>;  // by category
  struct Period {
    std::int64_t key = 0;     // period * 2 + (month ? 1 : 0)
    std::uint64_t lease = 0;  // the reader filling it, 0 when none
    bool ready = false;
    Clock::time_point expires;
    Sums sums;
  };
  using Periods = std::vector<Period>;  // of one area: a few dozen at most
  struct Area {
    Periods all;          // the all-categories rows
    Periods by_category;  // the per-category rows
  };

  // The sums of `periods` over the spans, or false when one is missing or expired.
  static bool add_kept(const Periods& periods, const std::vector<store::RollupSpan>& spans,
                       Clock::time_point now, Sums& into);
  Period& period(Periods& periods, std::int64_t key);
  void forget(Periods& periods, std::int64_t key);
  void forget_all_locked();

  std::mutex mutex_;
  std::unordered_map<std::string, Area> areas_;
  std::size_t kept_ = 0;  // rows in areas_, counted as kMaxRows counts them
  std::uint64_t last_lease_ = 0;
};

}  // namespace cg::cases
