#include "db/sqlite/sqlite_database.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iterator>
#include <system_error>

#include "db/backends.hpp"

namespace cg::db {
namespace {

// The name every connection of one in-memory database opens. The memdb VFS
// shares a database between connections whose name starts with '/', and
// unlike a shared-cache database it uses ordinary file locking, so readers
// wait through busy_timeout instead of failing with SQLITE_LOCKED.
std::string memory_filename() {
  static std::atomic<int> counter{0};
  return "file:/cgmem" + std::to_string(++counter) + "?vfs=memdb";
}

std::string file_filename(std::string_view path) {
  std::filesystem::path p{std::string(path)};
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      throw DbError(DbError::Kind::connection,
                    "cannot create directory " + p.parent_path().string() + ": " + ec.message());
    }
  }
  // Passed as a plain path, not a URI, so '?' and '#' in names stay literal.
  return std::string(path);
}

SqliteConn& sqlite(Conn& c) {
  return static_cast<SqliteConn&>(c);
}

}  // namespace

SqliteDatabase::SqliteDatabase(std::string_view target, const Options& options)
    : url_("sqlite:" + std::string(target)),
      full_group_(options.writer_threads > 0
                      ? std::min(static_cast<std::size_t>(options.writer_threads), kMaxGroup)
                      : kMaxGroup) {
  if (target.empty()) throw DbError(DbError::Kind::other, "sqlite: URL without a path");
  bool memory = target == ":memory:";
  std::string filename = memory ? memory_filename() : file_filename(target);
  auto writer = std::make_unique<SqliteConn>(filename, options, false);
  // WAL is a property of the file, so setting it once on the writer is
  // enough; in-memory databases keep their own journal mode.
  if (!memory) {
    writer->exec_script("PRAGMA journal_mode=WAL");
    checkpointer_ = std::make_unique<WalCheckpointer>(filename, options, *writer);
  }
  writer_.add(std::move(writer));
  for (int i = 0; i < std::max(1, options.readers); ++i) {
    readers_.add(std::make_unique<SqliteConn>(filename, options, true));
  }
}

SqliteDatabase::~SqliteDatabase() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; close() already released what it could.
  }
}

PoolStats SqliteDatabase::stats() const {
  PoolStats w = writer_.stats();
  PoolStats r = readers_.stats();
  std::lock_guard lock(queue_mutex_);
  return PoolStats{.size = w.size + r.size,
                   .in_use = w.in_use + r.in_use,
                   .waits = w.waits + r.waits,
                   .write_groups = groups_,
                   .grouped_writes = grouped_writes_};
}

void SqliteDatabase::close() {
  for (auto& reader : readers_.drain()) reader->close();
  if (checkpointer_) checkpointer_->stop();
  for (auto& writer : writer_.drain()) {
    // Fold the WAL back into the database file so a copy of the file alone
    // is complete; optimize refreshes the planner's statistics cheaply.
    try {
      writer->exec_script("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA optimize;");
    } catch (const DbError&) {
      // Best effort: SQLite checkpoints on the last close anyway.
    }
    writer->close();
  }
}

Database::Lease SqliteDatabase::lease(ConnPool<SqliteConn>& pool) {
  SqliteConn* conn = pool.acquire();
  // A broken SQLite connection has nothing to reconnect; an open transaction
  // left behind (rollback failed) is ended so the next user starts clean.
  return Lease{conn, [&pool, conn](bool broken) {
                 if (broken && conn->in_transaction()) {
                   try {
                     conn->exec_script("ROLLBACK");
                   } catch (const DbError&) {
                   }
                 }
                 pool.release(conn);
               }};
}

Database::Lease SqliteDatabase::acquire_writer() {
  return lease(writer_);
}
Database::Lease SqliteDatabase::acquire_reader() {
  return lease(readers_);
}

// IMMEDIATE takes the write lock now, so a write never fails halfway with
// SQLITE_BUSY when it upgrades from reading (another process may write too).
void SqliteDatabase::begin_write(Conn& c) {
  sqlite(c).exec("BEGIN IMMEDIATE");
}

// Deferred: the snapshot starts with the first read and holds until COMMIT.
void SqliteDatabase::begin_read(Conn& c) {
  sqlite(c).exec("BEGIN");
}

void SqliteDatabase::commit(Conn& c) {
  sqlite(c).exec("COMMIT");
}

void SqliteDatabase::rollback(Conn& c) {
  // SQLite rolls back by itself after some errors (SQLITE_FULL, IOERR, …).
  if (sqlite(c).in_transaction()) sqlite(c).exec("ROLLBACK");
}

void SqliteDatabase::run_write(const std::function<bool(Conn&)>& work) {
  PendingWrite me{&work};
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&me);
  if (gathering_) gather_cv_.notify_one();
  while (!me.done) {
    if (group_running_) {
      queue_cv_.wait(lock);
      continue;
    }
    // No group is running: this thread runs the writes waiting now (its own
    // among them) while later arrivals queue up for the next group.
    group_running_ = true;
    gather(lock);
    std::vector<PendingWrite*> group;
    const std::size_t n = std::min(queue_.size(), kMaxGroup);
    group.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    run_group(group);
    lock.lock();
    for (PendingWrite* w : group) w->done = true;
    group_running_ = false;
    last_commit_ = std::chrono::steady_clock::now();
    groups_ += 1;
    grouped_writes_ += static_cast<std::int64_t>(group.size());
    queue_cv_.notify_all();
  }
  lock.unlock();
  if (me.error) std::rethrow_exception(me.error);
}

// Called with the queue locked by the thread about to run a group. While
// writes stream in (the last group committed moments ago), waits for more to
// queue: each arrival wakes it, and it goes when none has come for
// kArrivalGap, after kMaxGather, or once every thread that writes is waiting. Meanwhile the cores
// run the requests that are about to write, so a bigger group costs latency, not throughput: each
// write's share of the COMMIT shrinks.
void SqliteDatabase::gather(std::unique_lock<std::mutex>& lock) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  if (start - last_commit_ > kStreamGap) return;
  const Clock::time_point until = start + kMaxGather;
  gathering_ = true;
  while (queue_.size() < full_group_) {
    const std::size_t seen = queue_.size();
    const Clock::time_point deadline = std::min(until, Clock::now() + kArrivalGap);
    if (!gather_cv_.wait_until(lock, deadline, [&] { return queue_.size() > seen; })) break;
    if (Clock::now() >= until) break;
  }
  gathering_ = false;
}

// Never throws: every failure lands in the error of the writes it affects.
void SqliteDatabase::run_group(const std::vector<PendingWrite*>& group) {
  Lease lease;
  try {
    lease = acquire_writer();
  } catch (...) {
    for (PendingWrite* w : group) w->error = std::current_exception();
    return;
  }
  SqliteConn& c = sqlite(*lease.conn);
  bool broken = false;
  for (std::size_t from = 0; from < group.size();) {
    try {
      from = run_in_one_transaction(c, group, from);
    } catch (...) {
      c.drop_before_commit();
      // BEGIN, SAVEPOINT bookkeeping or COMMIT failed: nothing of this
      // transaction is stored, so none of its writes may be acknowledged.
      for (std::size_t i = from; i < group.size(); ++i) {
        if (!group[i]->error) group[i]->error = std::current_exception();
      }
      drop_after_commit(c);
      try {
        rollback(c);
      } catch (...) {
        broken = true;
      }
      break;
    }
  }
  lease.release(broken);
}

// Runs group[from…] in one transaction and commits it. Returns where the next
// transaction starts: the end, or just past a write after which SQLite had
// rolled the whole transaction back by itself (SQLITE_FULL, IOERR, …) — the
// writes before it in this transaction are then lost and get an error.
std::size_t SqliteDatabase::run_in_one_transaction(SqliteConn& c,
                                                   const std::vector<PendingWrite*>& group,
                                                   std::size_t from) {
  begin_write(c);
  // What the kept writes deferred to just before COMMIT (Conn::before_commit).
  std::vector<std::function<void(Conn&)>> deferred;
  for (std::size_t i = from; i < group.size(); ++i) {
    PendingWrite& w = *group[i];
    c.exec("SAVEPOINT cg_write");
    const std::size_t callbacks_before = after_commit_count(c);
    bool keep = false;
    try {
      keep = (*w.work)(c);
    } catch (...) {
      w.error = std::current_exception();
    }
    std::vector<std::function<void(Conn&)>> asked = c.take_before_commit();
    if (!c.in_transaction()) {
      auto lost =
          std::make_exception_ptr(DbError(DbError::Kind::other,
                                          "sqlite: the transaction was rolled back by a failure "
                                          "in another write of the same group"));
      for (std::size_t j = from; j < i; ++j) {
        if (!group[j]->error) group[j]->error = lost;
      }
      if (!w.error) w.error = lost;
      drop_after_commit(c);
      return i + 1;
    }
    if (!keep || w.error) {
      c.exec("ROLLBACK TO cg_write");
      drop_after_commit(c, callbacks_before);
    } else {
      std::ranges::move(asked, std::back_inserter(deferred));
    }
    c.exec("RELEASE cg_write");
  }
  for (auto& work : deferred) work(c);
  commit(c);
  run_after_commit(c);
  return group.size();
}

std::unique_ptr<Database> open_sqlite(std::string_view target, const Options& options) {
  return std::make_unique<SqliteDatabase>(target, options);
}

}  // namespace cg::db
