#include "db/postgres/pg_database.hpp"

#include <algorithm>

#include "db/backends.hpp"

namespace cg::db {
namespace {

PgConn& pg(Conn& c) {
  return static_cast<PgConn&>(c);
}

}  // namespace

PgDatabase::PgDatabase(std::string_view url, const Options& options) : log_url_(redact_url(url)) {
  // Two at least, so one long read cannot starve every write.
  const int size = std::max(2, options.readers);
  const std::string target(url);
  for (int i = 0; i < size; ++i) {
    try {
      pool_.add(std::make_unique<PgConn>(target));
    } catch (const DbError& e) {
      throw DbError(e.kind(), std::string(e.what()) + " (" + log_url_ + ")");
    }
  }
}

PgDatabase::~PgDatabase() {
  try {
    close();
  } catch (...) {
    // A destructor must not throw; the connections are freed regardless.
  }
}

void PgDatabase::close() {
  pool_.drain();
}  // the PgConn destructors disconnect

Database::Lease PgDatabase::lease() {
  PgConn* conn = pool_.acquire();
  if (!conn->healthy()) {
    try {
      conn->reset();
    } catch (...) {
      pool_.release(conn);
      throw;
    }
  }
  return Lease{conn, [this, conn](bool broken) { give_back(conn, broken); }};
}

void PgDatabase::give_back(PgConn* conn, bool broken) {
  // A connection still inside a transaction (rollback failed) or with a dead
  // socket must not reach the next caller as it is.
  if (broken || !conn->healthy() || conn->transaction_status() != PQTRANS_IDLE) {
    try {
      conn->reset();
    } catch (const DbError&) {
      // Still down: lease() tries again before the next use.
    }
  }
  pool_.release(conn);
}

void PgDatabase::begin_write(Conn& c) {
  c.exec_script("BEGIN");
}

// One snapshot for every query of the read, and no accidental writes.
void PgDatabase::begin_read(Conn& c) {
  c.exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

void PgDatabase::commit(Conn& c) {
  // After a failed statement whose error fn swallowed, COMMIT would quietly
  // roll back and report success; make that an error instead.
  if (pg(c).transaction_status() == PQTRANS_INERROR) {
    throw DbError(DbError::Kind::other,
                  "transaction aborted by an earlier failed statement; rolled back");
  }
  c.exec_script("COMMIT");
}

void PgDatabase::rollback(Conn& c) {
  PgConn& conn = pg(c);
  if (!conn.healthy()) throw DbError(DbError::Kind::connection, "PostgreSQL connection lost");
  if (conn.transaction_status() == PQTRANS_IDLE) return;
  conn.exec_script("ROLLBACK");
}

std::unique_ptr<Database> open_postgres(std::string_view url, const Options& options) {
  return std::make_unique<PgDatabase>(url, options);
}

}  // namespace cg::db
