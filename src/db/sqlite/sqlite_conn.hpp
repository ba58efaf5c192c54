// One SQLite connection with its prepared-statement cache, behind the Conn
// interface. Thin RAII over the sqlite3 C API.
//
// Thread safety: none. The connection is opened with SQLITE_OPEN_NOMUTEX and
// used by one thread at a time, which SqliteDatabase guarantees by lending it
// out through a pool.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/db.hpp"

namespace cg::db {

class SqliteConn final : public Conn {
 public:
  // Opens `filename` (a path or a file: URI) and applies the per-connection
  // settings. Throws DbError.
  SqliteConn(const std::string& filename, const Options& options, bool read_only);
  ~SqliteConn() override;
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  using Conn::exec;
  using Conn::query;
  Rows query(std::string_view sql, std::span<const Param> params) override;
  std::int64_t exec(std::string_view sql, std::span<const Param> params) override;
  void exec_script(std::string_view sql) override;
  Engine engine() const override { return Engine::sqlite; }

  // Whether a transaction is open; SQLite ends one by itself after some errors.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Finalizes cached statements and closes. Safe to call twice.
  void close();
  // The raw handle, for connection-level hooks (the WAL checkpointer).
  sqlite3* handle() const { return db_; }

 private:
  struct Statement {
    sqlite3_stmt* stmt = nullptr;
    // index_of[n - 1] is the SQLite parameter index of `$n` (0 when unused).
    std::vector<int> index_of;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Statement& prepare(std::string_view sql);
  void bind(const Statement& st, std::span<const Param> params, std::string_view sql);
  // Steps to completion; collects rows when `rows` is given.
  void run(std::string_view sql, std::span<const Param> params, Rows* rows);
  [[noreturn]] void fail(int rc, std::string_view sql) const;

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Statement, StringHash, std::equal_to<>> cache_;
};

}  // namespace cg::db
