// Checkpoints the WAL on a thread of its own instead of on the writer.
//
// By default SQLite checkpoints inside the COMMIT that takes the WAL past
// 1,000 pages, so every so often one group of writes waits for the copy of
// the whole WAL into the database file — about a tenth of the writer's time
// while cases are filed. The writer is the one serial part of the server, so
// the checkpointer takes over: the writer's commit hook only counts pages, and
// this thread runs the same PASSIVE checkpoint (it never blocks the writer or
// readers) on its own connection.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "db/db.hpp"
#include "db/sqlite/sqlite_conn.hpp"

namespace cg::db {

class WalCheckpointer {
 public:
  // Takes over checkpointing of `writer`'s database file.
  WalCheckpointer(const std::string& filename, const Options& options, SqliteConn& writer);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Stops the thread and hands checkpointing back to the writer. Idempotent.
  void stop();

 private:
  // Frames appended between checkpoints (SQLite's own automatic checkpoint
  // runs at a WAL of this many).
  static constexpr int kPages = 1000;

  static int on_commit(void* self, sqlite3* db, const char* name, int wal_pages);
  void run(std::stop_token stop);

  SqliteConn& writer_;
  std::unique_ptr<SqliteConn> conn_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool due_ = false;
  // Frames of the WAL the last checkpoint had copied (from its start).
  std::atomic<int> backfilled_{0};
  std::jthread thread_;
};

}  // namespace cg::db
