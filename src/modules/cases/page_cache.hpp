// The rendered JSON bodies of GET /api/v1/cases pages, kept so that a grid
// worker's phone or the web console re-reading the same list is answered
// without SQLite and without JSON (~45 µs of handler per request otherwise).
//
// Key: who asks (user id, kind, every grant's role and area) and the parsed
// query (see CaseService::list_cached). Value: the body and its ETag.
//
// Freshness within the process is exact, through versions rather than by
// finding the entries a write touches: a page depends on its caller's scope
// areas (their subtrees) and on the cases assigned to or reported by the
// caller. A write of a case bumps, after its COMMIT (db::Conn::after_commit,
// so a rolled-back write changes nothing), the version of each area on the
// case's path and of its handler and reporter; rarely changed shown data
// (category names, grid names) and bulk writes bump a generation that every
// page depends on. A page is stored with the fingerprint of its versions read
// *before* its read transaction started, and served only while the
// fingerprint is unchanged: a page rendered while a write committed holds the
// older fingerprint and is never served after that write's bump.
//
// The versions are counters in fixed arrays, an area path or a user hashed to
// a slot (two sharing a slot only cost a spurious miss); they only grow, so
// the sum of a page's slots is unchanged exactly when each slot is.
//
// What the versions cannot see: writes by another process on the same
// database (a second server on PostgreSQL, the CLI) and the passing of time
// (the `overdue` filter). A page is kept at most kMaxAge; an `overdue` query's
// key carries the current second as well.
//
// Memory: at most kMaxBytes (bodies + keys + a fixed overhead per entry), in
// kShards shards each with its own mutex and LRU order; a hit locks one shard.
//
// Thread safety: all functions may be called concurrently.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cg::cases {

class PageCache {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{2000};
  static constexpr std::size_t kMaxBytes = 32u << 20;
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kEntryOverhead = 160;  // list node, map node, etag, bookkeeping

  struct Body {
    std::shared_ptr<const std::string> bytes;
    std::string etag;  // a strong entity-tag, quotes included
  };
  struct Stats {
    std::uint64_t hits = 0, misses = 0, invalidations = 0, evictions = 0;
    std::size_t bytes = 0, entries = 0;
  };

  // The fingerprint of what a page of a caller with these scope areas (area
  // paths, "/1/5/") and this user id depends on. Read it before the page's
  // read transaction starts; pass it to find() and store().
  std::uint64_t fingerprint(const std::vector<std::string_view>& scope_paths,
                            std::int64_t user_id) const;
  // The body kept under `key` for this fingerprint, younger than kMaxAge.
  std::optional<Body> find(const std::string& key, std::uint64_t fingerprint);
  // Keeps `bytes` under `key`; returns it with its ETag.
  Body store(const std::string& key, std::uint64_t fingerprint, std::string bytes);

  // After a write of a case at `path` (each area on it) with this handler and
  // reporter committed.
  void case_changed(std::string_view path, std::optional<std::int64_t> handler,
                    std::optional<std::int64_t> reporter);
  // After a write that may change any page committed (category or area names,
  // bulk writes, cases found by id only).
  void changed_all();

  Stats stats() const;
  // The counters in the Prometheus text format, for /metrics.
  std::string metrics() const;

  static std::string etag_of(std::string_view bytes);

 private:
  static constexpr std::size_t kAreaSlots = 8192, kUserSlots = 4096;
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::string key;
    std::uint64_t fingerprint = 0;
    Clock::time_point stored;
    Body body;
    std::size_t bytes = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // keys in lru
    std::size_t bytes = 0;
  };

  Shard& shard_of(const std::string& key);
  static void erase(Shard& s, std::list<Entry>::iterator it);
  void bump_area(std::string_view path);
  void bump_user(std::int64_t user);

  std::array<std::atomic<std::uint64_t>, kAreaSlots> areas_{};
  std::array<std::atomic<std::uint64_t>, kUserSlots> users_{};
  std::atomic<std::uint64_t> generation_{0};
  std::array<Shard, kShards> shards_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0}, invalidations_{0}, evictions_{0};
};

}  // namespace cg::cases
