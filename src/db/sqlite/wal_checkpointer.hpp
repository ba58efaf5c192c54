// Checkpoints the WAL on a thread of its own instead of on the writer.
//
// By default SQLite checkpoints inside the COMMIT that takes the WAL past
// 1,000 pages, so every so often one group of writes waits for the copy of
// the whole WAL into the database file — about a tenth of the writer's time
// while cases are filed. The writer is the one serial part of the server, so
// the checkpointer takes over: the writer's commit hook only counts pages, and
// this thread runs the same PASSIVE checkpoint (it never blocks the writer or
// readers) on its own connection.
//
// PASSIVE alone never bounds the WAL under a steady stream of writes: the
// WAL restarts from its beginning only when a write finds every frame
// copied, and by the time a checkpoint ends the writer has appended more
// (650 MB of WAL after 8 s of case-submit). A WAL that large costs disk and
// slows every read (each page looked up through more of the WAL's index). So
// once the WAL holds Options::wal_limit_pages, the checkpointer also runs a
// RESTART checkpoint: it briefly holds back writers (the PASSIVE before it
// has copied nearly everything) until no reader uses the WAL, so the next
// write starts it over; journal_size_limit then cuts the file back. Waiting
// is bounded (kRestartWaitMs) so a long reader (an export) cannot stall
// writers: the attempt is given up and made again once the WAL has grown by
// the limit once more.
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

  // How long a RESTART may wait for the write lock and for readers.
  static constexpr int kRestartWaitMs = 50;

  static int on_commit(void* self, sqlite3* db, const char* name, int wal_pages);
  static int restart_busy(void* self, int attempts);
  void run(std::stop_token stop);
  void checkpoint();

  SqliteConn& writer_;
  std::unique_ptr<SqliteConn> conn_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool due_ = false;
  // Frames of the WAL the last checkpoint had copied (from its start).
  std::atomic<int> backfilled_{0};
  // Frames in the WAL at the last commit, and the size that restarts it.
  std::atomic<int> wal_frames_{0};
  const int limit_pages_;
  // The WAL size at which the next RESTART is tried: after one gives up
  // (a reader stayed), not before the WAL has grown by the limit again, so a
  // long reader does not hold writers back after every commit.
  int next_restart_;
  std::jthread thread_;
};

}  // namespace cg::db
