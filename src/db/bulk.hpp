// Multi-row INSERTs for generated data (the big demo presets): rows are
// gathered and sent as one `INSERT … VALUES (…), (…), …` of many rows, a
// prepared statement reused for every full batch, which is an order of
// magnitude faster than a statement per row on both engines.
//
// Usage, inside one Database::write():
//   db::BulkInsert events(conn, "case_events", {"case_id", "at", …});
//   events.add({id, at, …});   // as many times as needed
//   events.finish();           // sends what is left
//
// Rows must carry exactly as many values as there are columns. Tables whose ids
// are given explicitly (to link rows without RETURNING) must have their
// PostgreSQL identity moved past them afterwards: sync_identity().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/db.hpp"

namespace cg::db {

class BulkInsert {
 public:
  // `values`, when given, wraps each column's placeholder in SQL: "{}" is the
  // placeholder (e.g. "string_to_array({}, ' ')" for a PostgreSQL array).
  BulkInsert(Conn& conn, std::string table, std::vector<std::string> columns,
             std::vector<std::string> values = {});
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;

  void add(std::initializer_list<Param> row);
  void add(std::vector<Param>&& row);
  // Sends the rows still waiting (a shorter statement). Call before the
  // transaction ends; rows added after finish() start a new batch.
  void finish();
  std::int64_t rows_written() const { return written_; }

 private:
  std::string statement(std::size_t rows) const;
  void flush(std::size_t rows);

  Conn& conn_;
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<std::string> values_;
  std::size_t batch_rows_;
  std::string full_sql_;  // the statement for a full batch, built once
  std::vector<Param> pending_;
  std::int64_t written_ = 0;
};

// Ids for rows a BulkInsert writes into a table others may write to at the
// same time (an import on a running server). SQLite has one writer: MAX(id) + 1
// onwards, read once. PostgreSQL: drawn from the table's identity sequence a
// block at a time, so rows others insert meanwhile never collide with them.
class IdSource {
 public:
  IdSource(Conn& conn, std::string table);
  std::int64_t next();

 private:
  Conn& conn_;
  std::string table_;
  std::vector<std::int64_t> block_;  // PostgreSQL: drawn, not yet handed out
  std::size_t used_ = 0;
  std::int64_t next_ = 0;  // SQLite
};

// For one large write transaction on SQLite: a page cache of `mib` MiB on this
// connection while the object lives, then the connection's own size again (a
// server's writer must not keep it). The cache is only allocated as pages are
// touched. Nothing on PostgreSQL.
class ScopedCacheSize {
 public:
  ScopedCacheSize(Conn& conn, std::int64_t mib);
  ~ScopedCacheSize();
  ScopedCacheSize(const ScopedCacheSize&) = delete;
  ScopedCacheSize& operator=(const ScopedCacheSize&) = delete;

 private:
  Conn& conn_;
  std::optional<std::int64_t> before_;
};

// Call at the start of each bulk write transaction. SQLite: a 1 GiB page cache
// for this connection (the default thrashes once the random blind-index
// B-trees outgrow it; it stays for the connection's life and is only used as
// pages are touched); WAL checkpoints already run on their own thread
// (WalCheckpointer). PostgreSQL: this transaction's commit does not wait for
// the WAL flush (a crash loses at most the last batches of a throwaway dataset).
void tune_for_bulk(Conn& conn);

// The secondary indexes of some tables, dropped while a generator fills them
// and built again afterwards. Inserting millions of rows into B-trees keyed by
// random values (blind indexes, paths) touches a page per row once the trees
// outgrow the cache; building an index afterwards sorts the rows once, which
// is what made the `city` preset practical. Indexes that carry a PRIMARY KEY
// or UNIQUE constraint stay: they cannot be dropped, and the generator relies
// on them. A unique index that is rebuilt still refuses duplicates, only later.
class DeferredIndexes {
 public:
  DeferredIndexes(Conn& conn, const std::vector<std::string>& tables);
  // Builds the dropped indexes again, in their original definitions.
  void restore(Conn& conn);
  std::size_t size() const { return definitions_.size(); }

 private:
  std::vector<std::string> definitions_;  // CREATE INDEX statements
};

// COALESCE(MAX(id), 0) + 1 of `table`: the first id a generator may assign.
std::int64_t next_id(Conn& conn, const std::string& table);

// On PostgreSQL, moves the identity sequence of `table`.id past the largest id,
// so rows inserted later without an id do not collide with generated ones.
// Nothing to do on SQLite (INTEGER PRIMARY KEY continues from MAX(id)).
void sync_identity(Conn& conn, const std::string& table);

}  // namespace cg::db
