#include "db/sqlite/sqlite_database.hpp"

#include <atomic>
#include <filesystem>
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
    : url_("sqlite:" + std::string(target)) {
  if (target.empty()) throw DbError(DbError::Kind::other, "sqlite: URL without a path");
  bool memory = target == ":memory:";
  std::string filename = memory ? memory_filename() : file_filename(target);
  auto writer = std::make_unique<SqliteConn>(filename, options, false);
  // WAL is a property of the file, so setting it once on the writer is
  // enough; in-memory databases keep their own journal mode.
  if (!memory) writer->exec_script("PRAGMA journal_mode=WAL");
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
  return PoolStats{
      .size = w.size + r.size, .in_use = w.in_use + r.in_use, .waits = w.waits + r.waits};
}

void SqliteDatabase::close() {
  for (auto& reader : readers_.drain()) reader->close();
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

std::unique_ptr<Database> open_sqlite(std::string_view target, const Options& options) {
  return std::make_unique<SqliteDatabase>(target, options);
}

}  // namespace cg::db
