// The SQLite backend: one writer connection (writes are serialized here, not
// by SQLite's busy loop) and a pool of reader connections, all on one WAL
// database so readers never block the writer.
//
// Writes are grouped (group commit): a write() that finds others waiting
// joins them, and one of the waiting threads runs the whole group in a single
// transaction, each write inside its own SAVEPOINT, so a write that fails or
// returns an error rolls back alone. Every write() returns only after the
// transaction holding it has committed, so an acknowledged write survives a
// kill -9 (and, with synchronous=FULL, power loss). One commit — one WAL
// append of the pages the group touched — serves the whole group: that is
// where tens of thousands of durable writes a second come from.
//
// Thread safety: shared by all threads. A write's function may run on
// another thread than its caller (the caller waits meanwhile), so it must not
// rely on thread-local state. acquire_reader() blocks while all readers are
// lent out. close() waits for every lent connection to come back. Do not call
// write() inside write(): the second call waits for the first forever.
//
// Under a steady stream of writes the thread that would run the next group
// first waits briefly for more writes to join it (gather()): without that a
// group held ~1.8 writes while cases were filed on 2 cores — the writer ran
// as soon as one write was queued — and each COMMIT's WAL frames, page copies
// and checkpoint work were shared by too few writes (~28 WAL frames per filed
// case; ~17 in groups of ~8). An idle server commits at once.
//
// Work a write defers with Conn::before_commit runs after the group's last
// SAVEPOINT is released, just before COMMIT.
//
// WAL checkpoints run on a thread of their own (WalCheckpointer), not inside
// a group's COMMIT.
//
// "sqlite::memory:" databases have no WAL, so there a commit waits (up to
// busy_timeout) for open read transactions to end.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "db/db.hpp"
#include "db/pool.hpp"
#include "db/sqlite/sqlite_conn.hpp"
#include "db/sqlite/wal_checkpointer.hpp"

namespace cg::db {

class SqliteDatabase final : public Database {
 public:
  // `target` is a file path (its parent directory is created) or ":memory:".
  SqliteDatabase(std::string_view target, const Options& options);
  ~SqliteDatabase() override;

  Engine engine() const override { return Engine::sqlite; }
  PoolStats stats() const override;
  std::string url_for_log() const override { return url_; }
  void close() override;

 protected:
  Lease acquire_writer() override;
  Lease acquire_reader() override;
  void begin_write(Conn& c) override;
  void begin_read(Conn& c) override;
  void commit(Conn& c) override;
  void rollback(Conn& c) override;
  void run_write(const std::function<bool(Conn&)>& work) override;

 private:
  // A caller's write waiting in the group queue; filled in by the thread that
  // runs its group.
  struct PendingWrite {
    const std::function<bool(Conn&)>* work;
    std::exception_ptr error;
    bool done = false;
  };
  // At most this many writes share one transaction, which bounds how long the
  // first of them waits for its acknowledgement.
  static constexpr std::size_t kMaxGroup = 512;
  // gather(): writes count as a stream when the last group committed less
  // than kStreamGap before; the next group then waits for arrivals until
  // none comes for kArrivalGap, at most kMaxGather in all, or until as many
  // writes wait as there are threads that write.
  static constexpr std::chrono::microseconds kStreamGap{2000};
  static constexpr std::chrono::microseconds kArrivalGap{200};
  static constexpr std::chrono::microseconds kMaxGather{1000};

  static Lease lease(ConnPool<SqliteConn>& pool);
  void gather(std::unique_lock<std::mutex>& lock);
  void run_group(const std::vector<PendingWrite*>& group);
  std::size_t run_in_one_transaction(SqliteConn& c, const std::vector<PendingWrite*>& group,
                                     std::size_t from);

  std::string url_;
  // A pool of one: the mutex that serializes writers, with wait counting.
  ConnPool<SqliteConn> writer_;
  ConnPool<SqliteConn> readers_;
  // Files only (an in-memory database has no WAL).
  std::unique_ptr<WalCheckpointer> checkpointer_;

  // gather() stops once this many writes wait (Options::writer_threads).
  std::size_t full_group_ = kMaxGroup;
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<PendingWrite*> queue_;
  bool group_running_ = false;
  // The thread about to run a group waits here while it gathers.
  std::condition_variable gather_cv_;
  bool gathering_ = false;
  std::chrono::steady_clock::time_point last_commit_{};
  std::int64_t groups_ = 0;
  std::int64_t grouped_writes_ = 0;
};

}  // namespace cg::db
