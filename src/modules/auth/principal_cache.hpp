// The callers behind recently seen session and API tokens, so that a request
// does not read the session, the account and its grants again: three queries
// in a read transaction, ~15 % of the server's time for a case-list page.
//
// Freshness: AuthService forgets every entry after any change it makes to
// sessions, accounts or grants has committed (sign-out, disabling, roles), so
// within the process a revoked token stops working at once. What the cache
// cannot see — a change made by another process on the same database (a
// second server on PostgreSQL), or an area renamed (its name in the grants) —
// shows after at most kTimeToLive. An entry never outlives its session.
//
// A lookup that read the database while a change committed must not put its
// stale principal back: callers take generation() before reading and hand it
// to put(), which drops the entry when forget_all() ran in between.
//
// Thread safety: all functions may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "modules/auth/model.hpp"

namespace cg::auth {

class PrincipalCache {
 public:
  static constexpr std::chrono::seconds kTimeToLive{5};
  // Beyond this many live tokens the cache starts over (a bound, not an LRU:
  // a deployment has far fewer concurrent sessions).
  static constexpr std::size_t kMaxEntries = 10'000;

  // The principal cached for a token hash, unless it is older than
  // kTimeToLive or its session expired by `now_ms`.
  std::optional<Principal> find(const std::string& token_hash, std::int64_t now_ms);
  std::uint64_t generation();
  void put(const std::string& token_hash, const Principal& principal,
           std::int64_t session_expires_at, std::uint64_t generation);
  // Call after a change to sessions, accounts or grants has committed.
  void forget_all();

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Principal principal;
    std::int64_t session_expires_at = 0;
    Clock::time_point cached_at;
  };

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t generation_ = 0;
};

}  // namespace cg::auth
