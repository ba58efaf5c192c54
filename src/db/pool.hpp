// A fixed set of connections lent out one caller at a time; the backends keep
// their reader (and, for PostgreSQL, writer) connections in one.
//
// Thread safety: every member is safe to call from any thread. A connection
// returned by acquire() belongs to the caller until it passes it to release().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "db/db.hpp"

namespace cg::db {

template <class C>
class ConnPool {
 public:
  void add(std::unique_ptr<C> conn) {
    std::lock_guard lock(mu_);
    free_.push_back(conn.get());
    all_.push_back(std::move(conn));
  }

  // Blocks until a connection is free. Throws once the pool is closing, so a
  // late caller fails fast instead of waiting forever.
  C* acquire() {
    std::unique_lock lock(mu_);
    if (free_.empty() && !closing_) ++waits_;
    cv_.wait(lock, [&] { return closing_ || !free_.empty(); });
    if (closing_) throw DbError(DbError::Kind::connection, "database is closed");
    C* conn = free_.back();
    free_.pop_back();
    return conn;
  }

  void release(C* conn) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(conn);
    }
    // notify_all: both acquirers and a waiting drain() may be interested.
    cv_.notify_all();
  }

  // Stops lending, waits until every connection is back, and hands them all
  // over for closing. Calling it again returns nothing.
  std::vector<std::unique_ptr<C>> drain() {
    std::unique_lock lock(mu_);
    closing_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return free_.size() == all_.size(); });
    free_.clear();
    return std::move(all_);
  }

  PoolStats stats() const {
    std::lock_guard lock(mu_);
    return PoolStats{.size = static_cast<int>(all_.size()),
                     .in_use = static_cast<int>(all_.size() - free_.size()),
                     .waits = waits_};
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<C>> all_;
  std::vector<C*> free_;
  std::int64_t waits_ = 0;
  bool closing_ = false;
};

}  // namespace cg::db
