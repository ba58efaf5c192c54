// The SQLite backend: one writer connection (writes are serialized here, not
// by SQLite's busy loop) and a pool of reader connections, all on one WAL
// database so readers never block the writer.
//
// Thread safety: shared by all threads. acquire_writer() blocks while another
// write runs; acquire_reader() blocks while all readers are lent out. close()
// waits for every lent connection to come back. Do not call write() inside
// write() on one thread: the second call waits for the first forever.
//
// "sqlite::memory:" databases have no WAL, so there a commit waits (up to
// busy_timeout) for open read transactions to end.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/db.hpp"
#include "db/pool.hpp"
#include "db/sqlite/sqlite_conn.hpp"

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

 private:
  static Lease lease(ConnPool<SqliteConn>& pool);

  std::string url_;
  // A pool of one: the mutex that serializes writers, with wait counting.
  ConnPool<SqliteConn> writer_;
  ConnPool<SqliteConn> readers_;
};

}  // namespace cg::db
