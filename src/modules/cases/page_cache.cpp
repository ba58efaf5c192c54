#include "modules/cases/page_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>

#include "modules/cases/store.hpp"

namespace cg::cases {

namespace {
std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::size_t slot_of(std::string_view path, std::size_t slots) {
  return mix(std::hash<std::string_view>{}(path)) % slots;
}

std::size_t slot_of(std::int64_t user, std::size_t slots) {
  return mix(static_cast<std::uint64_t>(user)) % slots;
}

// 128 bits of the body in four independent 64-bit lanes (multiply, xor-shift:
// each step a bijection of the lane, so two bodies differing in one word never
// meet), ~4 times faster than std::hash's one chain on a 16 kB page (1 µs,
// not 4.4 µs). Not cryptographic: a tag only has to change when the body does.
std::array<std::uint64_t, 2> body_hash(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t a = 0x243F6A8885A308D3ULL, b = 0x13198A2E03707344ULL, c = 0xA4093822299F31D0ULL,
                d = 0x082EFA98EC4E6C89ULL;
  auto word = [&s](std::size_t at) {
    std::uint64_t w = 0;
    if (at < s.size()) std::memcpy(&w, s.data() + at, std::min<std::size_t>(8, s.size() - at));
    return w;
  };
  auto step = [](std::uint64_t h, std::uint64_t w) {
    h = (h ^ w) * kMul;
    return h ^ (h >> 29);
  };
  std::size_t i = 0;
  for (; i + 32 <= s.size(); i += 32) {
    std::uint64_t w[4];
    std::memcpy(w, s.data() + i, 32);
    a = step(a, w[0]);
    b = step(b, w[1]);
    c = step(c, w[2]);
    d = step(d, w[3]);
  }
  if (i < s.size()) {  // the tail, zero-padded
    a = step(a, word(i));
    b = step(b, word(i + 8));
    c = step(c, word(i + 16));
    d = step(d, word(i + 24));
  }
  const std::uint64_t n = s.size();
  return {mix(a ^ mix(b + n)), mix(c ^ mix(d - n))};
}
}  // namespace

std::string PageCache::etag_of(std::string_view bytes) {
  const auto [a, b] = body_hash(bytes);
  return fmt::format("\"{:016x}{:016x}\"", a, b);
}

std::uint64_t PageCache::fingerprint(const std::vector<std::string_view>& scope_paths,
                                     std::int64_t user_id) const {
  std::uint64_t sum = generation_.load(std::memory_order_acquire);
  for (std::string_view path : scope_paths)
    sum += areas_[slot_of(path, kAreaSlots)].load(std::memory_order_acquire);
  return sum + users_[slot_of(user_id, kUserSlots)].load(std::memory_order_acquire);
}

PageCache::Shard& PageCache::shard_of(const std::string& key) {
  return shards_[mix(std::hash<std::string>{}(key)) % kShards];
}

void PageCache::erase(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->bytes;
  s.index.erase(it->key);
  s.lru.erase(it);
}

std::optional<PageCache::Body> PageCache::find(const std::string& key, std::uint64_t fingerprint) {
  Shard& s = shard_of(key);
  const Clock::time_point now = Clock::now();
  {
    std::lock_guard lock(s.mutex);
    auto found = s.index.find(key);
    if (found != s.index.end()) {
      auto it = found->second;
      if (it->fingerprint == fingerprint && now - it->stored < kMaxAge) {
        s.lru.splice(s.lru.begin(), s.lru, it);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return it->body;
      }
      // Outdated (a write since, or too old); one stored by a reader that
      // started after this one is left alone.
      if (it->fingerprint < fingerprint || now - it->stored >= kMaxAge) erase(s, it);
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

PageCache::Body PageCache::store(const std::string& key, std::uint64_t fingerprint,
                                 std::string bytes) {
  Body body{std::make_shared<const std::string>(std::move(bytes)), {}};
  body.etag = etag_of(*body.bytes);
  const std::size_t size = body.bytes->size() + 2 * key.size() + kEntryOverhead;
  constexpr std::size_t kShardBytes = kMaxBytes / kShards;
  if (size > kShardBytes) return body;
  Shard& s = shard_of(key);
  std::lock_guard lock(s.mutex);
  if (auto found = s.index.find(key); found != s.index.end()) {
    // Another request stored it meanwhile; keep the one with the newer versions.
    if (found->second->fingerprint > fingerprint) return body;
    erase(s, found->second);
  }
  s.lru.push_front(Entry{key, fingerprint, Clock::now(), body, size});
  s.index.emplace(s.lru.front().key, s.lru.begin());
  s.bytes += size;
  while (s.bytes > kShardBytes) {
    erase(s, std::prev(s.lru.end()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  return body;
}

void PageCache::bump_area(std::string_view path) {
  areas_[slot_of(path, kAreaSlots)].fetch_add(1, std::memory_order_acq_rel);
}

void PageCache::bump_user(std::int64_t user) {
  users_[slot_of(user, kUserSlots)].fetch_add(1, std::memory_order_acq_rel);
}

void PageCache::case_changed(std::string_view path, std::optional<std::int64_t> handler,
                             std::optional<std::int64_t> reporter) {
  for (const std::string& area : store::areas_up(std::string(path))) bump_area(area);
  if (handler) bump_user(*handler);
  if (reporter) bump_user(*reporter);
  invalidations_.fetch_add(1, std::memory_order_relaxed);
}

void PageCache::changed_all() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  invalidations_.fetch_add(1, std::memory_order_relaxed);
}

PageCache::Stats PageCache::stats() const {
  Stats out;
  out.hits = hits_.load(std::memory_order_relaxed);
  out.misses = misses_.load(std::memory_order_relaxed);
  out.invalidations = invalidations_.load(std::memory_order_relaxed);
  out.evictions = evictions_.load(std::memory_order_relaxed);
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    out.bytes += s.bytes;
    out.entries += s.lru.size();
  }
  return out;
}

std::string PageCache::metrics() const {
  const Stats s = stats();
  return fmt::format(
      "# HELP civicgrid_case_list_cache_hits_total Case-list pages answered from the page "
      "cache.\n"
      "# TYPE civicgrid_case_list_cache_hits_total counter\n"
      "civicgrid_case_list_cache_hits_total {}\n"
      "# HELP civicgrid_case_list_cache_misses_total Case-list pages rendered from the "
      "database.\n"
      "# TYPE civicgrid_case_list_cache_misses_total counter\n"
      "civicgrid_case_list_cache_misses_total {}\n"
      "# HELP civicgrid_case_list_cache_invalidations_total Writes that outdated cached "
      "case-list pages.\n"
      "# TYPE civicgrid_case_list_cache_invalidations_total counter\n"
      "civicgrid_case_list_cache_invalidations_total {}\n"
      "# HELP civicgrid_case_list_cache_evictions_total Pages dropped to stay within the byte "
      "cap.\n"
      "# TYPE civicgrid_case_list_cache_evictions_total counter\n"
      "civicgrid_case_list_cache_evictions_total {}\n"
      "# HELP civicgrid_case_list_cache_bytes Bytes held by the case-list page cache.\n"
      "# TYPE civicgrid_case_list_cache_bytes gauge\n"
      "civicgrid_case_list_cache_bytes {}\n"
      "# HELP civicgrid_case_list_cache_entries Pages held by the case-list page cache.\n"
      "# TYPE civicgrid_case_list_cache_entries gauge\n"
      "civicgrid_case_list_cache_entries {}\n",
      s.hits, s.misses, s.invalidations, s.evictions, s.bytes, s.entries);
}

}  // namespace cg::cases
