// The storage interface every store.cpp talks to, with SQLite and PostgreSQL
// behind it.
//
// SQL is written once for both engines: `$1`-style placeholders, RETURNING,
// ON CONFLICT, times as integer epoch milliseconds, flags as integers. Only
// DDL differs, and migrations express that with a few `{{MACROS}}` (see
// migrate.hpp).
//
// PostgreSQL infers each parameter's type from where it is used; where it
// cannot (an operand of `||`, `$1 || '%'`), write `CAST($1 AS TEXT) || '%'`.
// Parameters must be numbered without gaps, and the number of arguments must
// match the highest `$N`, on both engines.
//
// A statement that fails inside write() aborts the whole transaction on
// PostgreSQL but only that statement on SQLite; catching the DbError inside
// fn and carrying on makes the commit throw on PostgreSQL. Let it propagate.
//
// Thread safety: a Database is shared by all threads. A Conn is used by one
// thread at a time, only inside the read()/write() call that handed it out.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace cg::db {

// Raw bytes, bound as BLOB (SQLite) or BYTEA (PostgreSQL).
struct Blob {
  std::string bytes;
};

using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

// A query parameter. Implicit constructors keep call sites short:
// conn.query(sql, {id, name, std::nullopt}).
struct Param {
  Value value;
  Param(std::nullptr_t) {}
  Param(std::nullopt_t) {}
  Param(bool v) : value(std::int64_t{v ? 1 : 0}) {}
  Param(int v) : value(std::int64_t{v}) {}
  Param(long v) : value(std::int64_t{v}) {}
  Param(long long v) : value(std::int64_t{v}) {}
  Param(unsigned v) : value(std::int64_t{v}) {}
  Param(double v) : value(v) {}
  Param(const char* v) : value(std::string(v)) {}
  Param(std::string_view v) : value(std::string(v)) {}
  Param(const std::string& v) : value(v) {}
  Param(std::string&& v) : value(std::move(v)) {}
  Param(Blob v) : value(std::move(v)) {}
  template <class T>
  Param(const std::optional<T>& v) {
    if (v) value = Param(*v).value;
  }
};

// One result row. Values are copied out of the engine, so a Row outlives the
// statement that produced it. Accessors on NULL return 0 / "".
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool is_null(std::size_t i) const;
  std::int64_t i64(std::size_t i) const;
  double f64(std::size_t i) const;
  std::string text(std::size_t i) const;
  std::string blob(std::size_t i) const;
  std::optional<std::int64_t> opt_i64(std::size_t i) const;
  std::optional<std::string> opt_text(std::size_t i) const;
  // text() and opt_text() that move a text value out of the row (leaving it
  // empty) instead of copying it: for readers that read each column once.
  std::string take_text(std::size_t i);
  std::optional<std::string> take_opt_text(std::size_t i);
  const Value& value(std::size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

// Thrown for database failures. `unique_violation()` lets a service turn a
// duplicate key into a 409 instead of a 500.
class DbError : public std::runtime_error {
 public:
  enum class Kind { other, unique_violation, foreign_key_violation, busy, connection };
  DbError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool unique_violation() const { return kind_ == Kind::unique_violation; }

 private:
  Kind kind_;
};

enum class Engine { sqlite, postgres };

class Database;

// One connection, handed out for the duration of a read() or write().
class Conn {
 public:
  virtual ~Conn() = default;
  // Runs one statement and returns its rows (also for INSERT … RETURNING).
  // Statements are prepared once per connection and cached.
  virtual Rows query(std::string_view sql, std::span<const Param> params) = 0;
  // Runs one statement and returns the number of rows it changed.
  virtual std::int64_t exec(std::string_view sql, std::span<const Param> params) = 0;
  // Runs several ;-separated statements without parameters (migrations).
  virtual void exec_script(std::string_view sql) = 0;
  virtual Engine engine() const = 0;

  Rows query(std::string_view sql, std::initializer_list<Param> params = {}) {
    return query(sql, std::span<const Param>(params.begin(), params.size()));
  }
  std::int64_t exec(std::string_view sql, std::initializer_list<Param> params = {}) {
    return exec(sql, std::span<const Param>(params.begin(), params.size()));
  }
  // First row, or nullopt.
  std::optional<Row> query_one(std::string_view sql, std::initializer_list<Param> params = {}) {
    Rows rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

  // Inside write(): runs `work` on this connection just before the transaction
  // commits — on SQLite after every write of the group, outside their
  // SAVEPOINTs. For statements that cost more once per write than once per
  // transaction: an FTS5 table writes its pending terms out as a new segment at
  // every SAVEPOINT, so a group of filed cases wrote one index segment per case.
  // Dropped when the write that asked rolls back. Nothing in the same
  // transaction may read what `work` writes, and it must not fail on input a
  // caller got wrong: if it throws, every write of the transaction fails.
  void before_commit(std::function<void(Conn&)> work) { before_commit_.push_back(std::move(work)); }
  // Inside write(): runs `fn` once the transaction holding this write has
  // committed, before write() returns; dropped if the write rolls back. For
  // in-memory state that mirrors what the write changed (cache invalidation):
  // a reader that starts after it ran sees the committed rows. `fn` must not
  // throw or write (it may run while the SQLite writer is still held).
  void after_commit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }
  // The database that handed this connection out by read() or write(); null
  // for a connection used otherwise (migrations).
  Database* database() const { return database_; }

  // For the backends: the work a write deferred to COMMIT, handed over or dropped.
  std::vector<std::function<void(Conn&)>> take_before_commit() {
    return std::exchange(before_commit_, {});
  }
  void drop_before_commit() { before_commit_.clear(); }

 private:
  friend class Database;
  std::vector<std::function<void(Conn&)>> before_commit_;
  std::vector<std::function<void()>> after_commit_;
  Database* database_ = nullptr;
};

struct PoolStats {
  int size = 0;            // connections open
  int in_use = 0;          // connections handed out now
  std::int64_t waits = 0;  // times a caller had to wait for a connection
  // SQLite's group commit: transactions committed and the writes they held.
  std::int64_t write_groups = 0;
  std::int64_t grouped_writes = 0;
};

struct Options {
  int readers = 4;                // SQLite reader connections / PostgreSQL pool size
  int busy_timeout_ms = 5000;     // SQLite busy_timeout
  bool synchronous_full = false;  // SQLite synchronous=FULL (power-loss durable) instead of NORMAL
  // The most threads that write at once (the server's workers; 0: unknown).
  // SQLite's group commit stops gathering a group once this many wait.
  int writer_threads = 0;
  // SQLite: once the WAL holds this many pages (256 MiB of 4 KiB pages) it is
  // restarted from its beginning, and its file cut back to this size. See
  // WalCheckpointer. Each restart holds writers back for a few milliseconds
  // (the last copy and its fsyncs); at 64 MiB they came every half second
  // under case-submit and took its p99 from 14–20 to 26–31 ms, at 256 MiB
  // 21–22 ms.
  int wal_limit_pages = 65536;
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens "sqlite:PATH" (also "sqlite::memory:" for a private in-memory
  // database) or "postgresql://…" / "postgres://…" (libpq URI, multi-host with
  // target_session_attrs=read-write works). Throws DbError on failure.
  static std::unique_ptr<Database> open(std::string_view url, const Options& options = {});

  virtual Engine engine() const = 0;
  virtual PoolStats stats() const = 0;

  // State a module keeps beside this database (a cache of what it read), made
  // on first use and destroyed with the Database, so that every service on
  // one database shares it and no two databases do.
  template <class T>
  T& extension();
  virtual std::string url_for_log() const = 0;  // the URL without password
  // Waits for connections in use and closes all of them.
  virtual void close() = 0;

  // Runs fn(Conn&) inside one write transaction (BEGIN IMMEDIATE on SQLite's
  // single writer connection, BEGIN on a pooled PostgreSQL connection). It
  // commits when fn returns, unless fn returns a std::expected holding an
  // error; it rolls back on that and on any exception (rethrown).
  template <class F>
  auto write(F&& fn) -> std::invoke_result_t<F, Conn&>;

  // Runs fn(Conn&) on a reader connection, in one read transaction so all
  // its queries see one snapshot.
  template <class F>
  auto read(F&& fn) -> std::invoke_result_t<F, Conn&>;

 protected:
  // A connection lent out by the backend; `release` gives it back.
  struct Lease {
    Conn* conn = nullptr;
    std::function<void(bool broken)> release;
  };
  virtual Lease acquire_writer() = 0;
  virtual Lease acquire_reader() = 0;
  virtual void begin_write(Conn& c) = 0;
  virtual void begin_read(Conn& c) = 0;
  virtual void commit(Conn& c) = 0;
  virtual void rollback(Conn& c) = 0;
  // Runs `work` inside a write transaction and returns once it is committed
  // (or rolled back): commits when `work` returns true, rolls back when it
  // returns false or throws (rethrown here). This default runs each write in
  // its own transaction; SQLite overrides it to group waiting writes.
  virtual void run_write(const std::function<bool(Conn&)>& work);
  // The callbacks of Conn::after_commit: run (after the COMMIT) and forgotten,
  // or dropped (after a rollback) but for the first `keep` (SQLite: the writes
  // of the group before the one rolled back to its savepoint).
  static void run_after_commit(Conn& c);
  static void drop_after_commit(Conn& c, std::size_t keep = 0);
  static std::size_t after_commit_count(const Conn& c) { return c.after_commit_.size(); }

 private:
  std::mutex extensions_mutex_;
  std::unordered_map<std::type_index, std::shared_ptr<void>> extensions_;

  template <class R>
  static bool holds_error(const R& r) {
    if constexpr (requires {
                    r.has_value();
                    typename R::error_type;
                  }) {
      return !r.has_value();
    } else {
      return false;
    }
  }
};

template <class F>
auto Database::write(F&& fn) -> std::invoke_result_t<F, Conn&> {
  using R = std::invoke_result_t<F, Conn&>;
  if constexpr (std::is_void_v<R>) {
    run_write([&](Conn& c) {
      c.database_ = this;
      fn(c);
      return true;
    });
  } else {
    std::optional<R> result;
    run_write([&](Conn& c) {
      c.database_ = this;
      result.emplace(fn(c));
      return !holds_error(*result);
    });
    return std::move(*result);
  }
}

template <class T>
T& Database::extension() {
  std::lock_guard lock(extensions_mutex_);
  std::shared_ptr<void>& slot = extensions_[std::type_index(typeid(T))];
  if (!slot) slot = std::make_shared<T>();
  return *static_cast<T*>(slot.get());
}

template <class F>
auto Database::read(F&& fn) -> std::invoke_result_t<F, Conn&> {
  using R = std::invoke_result_t<F, Conn&>;
  Lease lease = acquire_reader();
  Conn& c = *lease.conn;
  c.database_ = this;
  try {
    begin_read(c);
    if constexpr (std::is_void_v<R>) {
      fn(c);
      commit(c);
      lease.release(false);
    } else {
      R result = fn(c);
      commit(c);
      lease.release(false);
      return result;
    }
  } catch (...) {
    bool broken = false;
    try {
      rollback(c);
    } catch (...) {
      broken = true;
    }
    lease.release(broken);
    throw;
  }
}

}  // namespace cg::db
