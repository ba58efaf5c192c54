#include "db/sqlite/wal_checkpointer.hpp"

#include <algorithm>
#include <cstdint>

namespace cg::db {

WalCheckpointer::WalCheckpointer(const std::string& filename, const Options& options,
                                 SqliteConn& writer)
    : writer_(writer),
      conn_(std::make_unique<SqliteConn>(filename, options, false)),
      limit_pages_(std::max(kPages, options.wal_limit_pages)),
      next_restart_(limit_pages_) {
  // Replaces the automatic checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
  // The WAL file is cut back to the limit whenever it restarts (it would
  // otherwise keep the size of its largest burst for good).
  writer_.exec_script("PRAGMA journal_size_limit=" +
                      std::to_string(static_cast<std::int64_t>(limit_pages_) * 4096));
  // This connection only checkpoints; only RESTART ever waits, and boundedly.
  sqlite3_busy_handler(conn_->handle(), &WalCheckpointer::restart_busy, nullptr);
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WalCheckpointer::~WalCheckpointer() {
  stop();
}

void WalCheckpointer::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
  sqlite3_wal_autocheckpoint(writer_.handle(), kPages);
  conn_->close();
}

// Runs on the writer's thread inside COMMIT: only note that work is due, once
// kPages frames have been appended since the last checkpoint. Not "once the
// WAL holds kPages", SQLite's own rule: under a steady stream of writes the
// WAL never restarts (a checkpoint never catches up with the writer), so that
// rule asked for a checkpoint after every commit, each copying that commit's
// pages — the pages every commit rewrites (the last leaf of each index, the
// rollup rows of the day) went to the database file once per commit.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  auto* me = static_cast<WalCheckpointer*>(self);
  me->wal_frames_ = wal_pages;
  int copied = me->backfilled_.load();
  if (wal_pages < copied) copied = 0;  // the WAL restarted from its beginning
  if (wal_pages - copied >= kPages) {
    {
      std::lock_guard lock(me->mutex_);
      me->due_ = true;
    }
    me->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (wake_.wait(lock, stop, [this] { return due_; })) {
    due_ = false;
    lock.unlock();
    checkpoint();
    lock.lock();
  }
}

void WalCheckpointer::checkpoint() {
  // PASSIVE copies what no reader still needs and never waits; what it
  // leaves is copied next time. A busy or failed attempt is retried then.
  int frames = 0;
  int copied = 0;
  if (sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames,
                                &copied) == SQLITE_OK &&
      copied >= 0) {
    backfilled_ = copied;
  }
  const int wal = wal_frames_.load();
  if (wal < limit_pages_) next_restart_ = limit_pages_;  // it restarted by itself
  if (wal < next_restart_) return;
  // RESTART copies the few frames appended since, then holds writers back
  // until no reader needs the WAL; SQLITE_BUSY (a reader stayed longer than
  // kRestartWaitMs) leaves it until the WAL has grown by the limit again.
  if (sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_RESTART, &frames,
                                &copied) == SQLITE_OK) {
    backfilled_ = 0;
    wal_frames_ = 0;
    next_restart_ = limit_pages_;
  } else {
    next_restart_ = wal + limit_pages_;
  }
}

// The busy handler of the checkpointer's connection: sleep a millisecond and
// try again, for kRestartWaitMs at most.
int WalCheckpointer::restart_busy(void*, int attempts) {
  if (attempts >= kRestartWaitMs) return 0;
  sqlite3_sleep(1);
  return 1;
}

}  // namespace cg::db
