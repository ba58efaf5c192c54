#include "db/sqlite/sqlite_conn.hpp"

#include <charconv>
#include <mutex>
#include <string>

namespace cg::db {
namespace {

DbError::Kind kind_of(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return DbError::Kind::unique_violation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return DbError::Kind::foreign_key_violation;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return DbError::Kind::busy;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
      return DbError::Kind::connection;
  }
  return DbError::Kind::other;
}

std::string excerpt(std::string_view sql) {
  constexpr std::size_t max = 200;
  return sql.size() <= max ? std::string(sql) : std::string(sql.substr(0, max)) + "…";
}

// Parses the digits of a "$N" parameter name; 0 when it is not one.
std::size_t placeholder_number(const char* name) {
  if (name == nullptr || name[0] != '$') return 0;
  std::string_view digits(name + 1);
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  return ec == std::errc() && end == digits.data() + digits.size() ? n : 0;
}

Value column_value(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return std::int64_t{sqlite3_column_int64(stmt, col)};
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, col);
    case SQLITE_TEXT: {
      auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, col));
      return std::string(p, sqlite3_column_bytes(stmt, col));
    }
    case SQLITE_BLOB: {
      auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      int n = sqlite3_column_bytes(stmt, col);
      return Blob{p ? std::string(p, n) : std::string()};
    }
    default:
      return std::monostate{};
  }
}

// Resets a statement however run() leaves, so the cached statement holds no
// locks and no pointers into the caller's parameters.
struct ResetGuard {
  sqlite3_stmt* stmt;
  ~ResetGuard() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

// Process-wide settings, before SQLite initialises itself (sqlite3_config
// refuses them afterwards). Memory statistics off: with them on, every
// sqlite3_malloc and free takes one global mutex to count bytes, and the reader
// threads queued on it (futex waits were ~9 % of resident-search's server time
// on 2 cores). Nothing here reads sqlite3_memory_used or sets a heap limit.
//
// Statement journals keep SQLite's default (spilled to a temporary file past
// 64 KiB). Keeping them in memory up to 8 MiB (SQLITE_CONFIG_STMTJRNL_SPILL)
// saved ~3 % of a filed case's CPU, but a write whose SAVEPOINT changed more
// than that (a CSV import, a rollup rebuild) then failed with "database or disk
// is full": DbTest.AWriteThatChangesTensOfMegabytesCommits.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

SqliteConn::SqliteConn(const std::string& filename, const Options& options, bool read_only) {
  configure_sqlite_once();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(filename.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw DbError(DbError::Kind::connection, "cannot open SQLite database: " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  try {
    exec_script(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec_script("PRAGMA foreign_keys=ON");
    // SQLite's default page cache is 2 MB: a large transaction (an import, a
    // big group of writes) then spills pages to the WAL and reads them back,
    // which cost more than the inserts themselves. The writer holds the hot
    // index pages of every table; each reader the pages of its queries.
    exec_script(read_only ? "PRAGMA cache_size=-16384" : "PRAGMA cache_size=-65536");
    // A reader that tries to write fails at once instead of taking the
    // write lock behind the writer connection's back.
    if (read_only) exec_script("PRAGMA query_only=ON");
  } catch (...) {
    close();
    throw;
  }
}

SqliteConn::~SqliteConn() {
  close();
}

void SqliteConn::close() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st.stmt);
  cache_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

void SqliteConn::fail(int rc, std::string_view sql) const {
  throw DbError(kind_of(rc), std::string("SQLite: ") + sqlite3_errmsg(db_) + " (" +
                                 sqlite3_errstr(rc) + ") in: " + excerpt(sql));
}

SqliteConn::Statement& SqliteConn::prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  Statement st;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &st.stmt, &tail);
  if (rc != SQLITE_OK) fail(rc, sql);
  if (st.stmt == nullptr ||
      std::string_view(tail, sql.data() + sql.size() - tail).find_first_not_of(" \t\r\n;") !=
          std::string_view::npos) {
    sqlite3_finalize(st.stmt);
    throw DbError(DbError::Kind::other,
                  "expected exactly one statement (use exec_script for several): " + excerpt(sql));
  }
  for (int i = 1, n = sqlite3_bind_parameter_count(st.stmt); i <= n; ++i) {
    std::size_t number = placeholder_number(sqlite3_bind_parameter_name(st.stmt, i));
    if (number == 0) {
      sqlite3_finalize(st.stmt);
      throw DbError(DbError::Kind::other,
                    "only $1-style placeholders are supported: " + excerpt(sql));
    }
    if (number > st.index_of.size()) st.index_of.resize(number, 0);
    st.index_of[number - 1] = i;
  }
  return cache_.emplace(std::string(sql), std::move(st)).first->second;
}

void SqliteConn::bind(const Statement& st, std::span<const Param> params, std::string_view sql) {
  // Same rule as PostgreSQL, so a missing argument fails on both engines.
  if (params.size() != st.index_of.size()) {
    throw DbError(DbError::Kind::other, "statement takes " + std::to_string(st.index_of.size()) +
                                            " parameters, got " + std::to_string(params.size()) +
                                            ": " + excerpt(sql));
  }
  for (std::size_t n = 0; n < params.size(); ++n) {
    int i = st.index_of[n];
    if (i == 0) continue;
    // SQLITE_STATIC: the ResetGuard clears bindings before `params` goes away.
    int rc = std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return sqlite3_bind_null(st.stmt, i);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(st.stmt, i, v);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(st.stmt, i, v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(st.stmt, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
          } else {
            return sqlite3_bind_blob64(st.stmt, i, v.bytes.data(), v.bytes.size(), SQLITE_STATIC);
          }
        },
        params[n].value);
    if (rc != SQLITE_OK) fail(rc, sql);
  }
}

void SqliteConn::run(std::string_view sql, std::span<const Param> params, Rows* rows) {
  Statement& st = prepare(sql);
  ResetGuard guard{st.stmt};
  bind(st, params, sql);
  const int columns = sqlite3_column_count(st.stmt);
  for (;;) {
    int rc = sqlite3_step(st.stmt);
    if (rc == SQLITE_DONE) return;
    if (rc != SQLITE_ROW) fail(rc, sql);
    if (rows == nullptr) continue;
    std::vector<Value> values;
    values.reserve(columns);
    for (int c = 0; c < columns; ++c) values.push_back(column_value(st.stmt, c));
    rows->emplace_back(std::move(values));
  }
}

Rows SqliteConn::query(std::string_view sql, std::span<const Param> params) {
  Rows rows;
  run(sql, params, &rows);
  return rows;
}

std::int64_t SqliteConn::exec(std::string_view sql, std::span<const Param> params) {
  run(sql, params, nullptr);
  return sqlite3_changes64(db_);
}

void SqliteConn::exec_script(std::string_view sql) {
  std::string script(sql);  // sqlite3_exec wants a NUL-terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return;
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  throw DbError(kind_of(sqlite3_extended_errcode(db_)), "SQLite: " + msg + " in: " + excerpt(sql));
}

}  // namespace cg::db
