#include "db/bulk.hpp"

#include <algorithm>
#include <bit>
#include <span>
#include <stdexcept>

namespace cg::db {
namespace {
// Beyond a hundred rows or so a batch gains little, and SQLite prepares
// `$N` parameters in time quadratic in their number (it looks each name up in a
// list): 30,000 of them took a second per statement, 3,000 take milliseconds.
constexpr std::size_t kMaxParams = 3'000;
constexpr std::size_t kMaxRows = 256;
}  // namespace

BulkInsert::BulkInsert(Conn& conn, std::string table, std::vector<std::string> columns,
                       std::vector<std::string> values)
    : conn_(conn),
      table_(std::move(table)),
      columns_(std::move(columns)),
      values_(std::move(values)) {
  if (columns_.empty()) throw std::invalid_argument("BulkInsert: no columns");
  if (values_.empty()) values_.assign(columns_.size(), "{}");
  if (values_.size() != columns_.size()) throw std::invalid_argument("BulkInsert: values");
  batch_rows_ = std::clamp<std::size_t>(kMaxParams / columns_.size(), 1, kMaxRows);
  full_sql_ = statement(batch_rows_);
  pending_.reserve(batch_rows_ * columns_.size());
}

std::string BulkInsert::statement(std::size_t rows) const {
  std::string sql = "INSERT INTO " + table_ + " (";
  for (std::size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", " : "") + columns_[c];
  sql += ") VALUES ";
  std::size_t n = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c) sql += ", ";
      const std::string placeholder = "$" + std::to_string(n++);
      const std::string& wrap = values_[c];
      const std::size_t at = wrap.find("{}");
      sql +=
          at == std::string::npos ? wrap : wrap.substr(0, at) + placeholder + wrap.substr(at + 2);
    }
    sql += ")";
  }
  return sql;
}

void BulkInsert::add(std::initializer_list<Param> row) {
  if (row.size() != columns_.size()) throw std::invalid_argument("BulkInsert: row size");
  pending_.insert(pending_.end(), row.begin(), row.end());
  if (pending_.size() == batch_rows_ * columns_.size()) flush(batch_rows_);
}

void BulkInsert::add(std::vector<Param>&& row) {
  if (row.size() != columns_.size()) throw std::invalid_argument("BulkInsert: row size");
  std::move(row.begin(), row.end(), std::back_inserter(pending_));
  if (pending_.size() == batch_rows_ * columns_.size()) flush(batch_rows_);
}

// The rest goes out in power-of-two pieces, so a connection's statement cache
// holds at most a few shapes per table however the tails fall.
void BulkInsert::finish() {
  const std::size_t width = columns_.size();
  std::size_t left = pending_.size() / width, done = 0;
  for (std::size_t piece = std::bit_floor(batch_rows_); left > 0; piece /= 2) {
    while (left >= piece) {
      std::span<const Param> part(pending_.data() + done * width, piece * width);
      conn_.exec(piece == batch_rows_ ? full_sql_ : statement(piece), part);
      done += piece;
      left -= piece;
    }
  }
  written_ += static_cast<std::int64_t>(done);
  pending_.clear();
}

void BulkInsert::flush(std::size_t rows) {
  conn_.exec(full_sql_, pending_);
  written_ += static_cast<std::int64_t>(rows);
  pending_.clear();
}

void tune_for_bulk(Conn& conn) {
  if (conn.engine() == Engine::sqlite) {
    conn.exec_script("PRAGMA cache_size = -1048576");
  } else {
    conn.exec_script("SET LOCAL synchronous_commit = off");
  }
}

namespace {
// (name, CREATE INDEX statement) of the indexes of `table` that no constraint owns.
Rows droppable_indexes(Conn& conn, const std::string& table) {
  if (conn.engine() == Engine::sqlite) {
    // sql is NULL for the automatic indexes of PRIMARY KEY and UNIQUE constraints.
    return conn.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 "
        "AND sql IS NOT NULL ORDER BY name",
        {table});
  }
  return conn.query(
      "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
      "AND i.tablename = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
      "WHERE c.conname = i.indexname) ORDER BY i.indexname",
      {table});
}
}  // namespace

DeferredIndexes::DeferredIndexes(Conn& conn, const std::vector<std::string>& tables) {
  for (const std::string& table : tables) {
    for (const Row& index : droppable_indexes(conn, table)) {
      definitions_.push_back(index.text(1));
      conn.exec_script("DROP INDEX " + index.text(0));
    }
  }
}

void DeferredIndexes::restore(Conn& conn) {
  for (const std::string& definition : definitions_) conn.exec_script(definition);
  definitions_.clear();
}

IdSource::IdSource(Conn& conn, std::string table) : conn_(conn), table_(std::move(table)) {
  if (conn_.engine() == Engine::sqlite) next_ = next_id(conn_, table_);
}

std::int64_t IdSource::next() {
  if (conn_.engine() == Engine::sqlite) return next_++;
  if (used_ == block_.size()) {
    constexpr int kBlock = 1024;
    block_.clear();
    used_ = 0;
    for (const Row& row : conn_.query("SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM "
                                      "generate_series(1, $2)",
                                      {table_, std::int64_t{kBlock}})) {
      block_.push_back(row.i64(0));
    }
  }
  return block_[used_++];
}

ScopedCacheSize::ScopedCacheSize(Conn& conn, std::int64_t mib) : conn_(conn) {
  if (conn_.engine() != Engine::sqlite) return;
  before_ = conn_.query("PRAGMA cache_size").at(0).i64(0);
  conn_.exec_script("PRAGMA cache_size = -" + std::to_string(mib * 1024));
}

ScopedCacheSize::~ScopedCacheSize() {
  if (!before_) return;
  try {
    conn_.exec_script("PRAGMA cache_size = " + std::to_string(*before_));
  } catch (...) {
    // The connection is failing anyway; it is closed and reopened as broken.
  }
}

std::int64_t next_id(Conn& conn, const std::string& table) {
  return conn.query("SELECT COALESCE(MAX(id), 0) + 1 FROM " + table).at(0).i64(0);
}

void sync_identity(Conn& conn, const std::string& table) {
  if (conn.engine() != Engine::postgres) return;
  conn.query("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT MAX(id) FROM " +
             table + "))");
}

}  // namespace cg::db
