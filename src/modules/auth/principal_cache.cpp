#include "modules/auth/principal_cache.hpp"

namespace cg::auth {

std::optional<Principal> PrincipalCache::find(const std::string& token_hash, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(token_hash);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  if (now_ms >= e.session_expires_at || Clock::now() - e.cached_at >= kTimeToLive) {
    entries_.erase(it);
    return std::nullopt;
  }
  return e.principal;
}

std::uint64_t PrincipalCache::generation() {
  std::lock_guard lock(mutex_);
  return generation_;
}

void PrincipalCache::put(const std::string& token_hash, const Principal& principal,
                         std::int64_t session_expires_at, std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  if (generation != generation_) return;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(token_hash, Entry{principal, session_expires_at, Clock::now()});
}

void PrincipalCache::forget_all() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
}

}  // namespace cg::auth
