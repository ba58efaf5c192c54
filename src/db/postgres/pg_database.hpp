// The PostgreSQL backend: a fixed pool of libpq connections shared by readers
// and writers (PostgreSQL does its own concurrency control). A connection
// that broke is reset before it is lent again, so a server restart or a
// failover costs the transactions in flight, not the process.
//
// Thread safety: shared by all threads. acquire_*() block while every
// connection is lent out; close() waits for all of them to come back. A
// read() or write() nested inside another holds two connections, which can
// exhaust the pool when many threads do it: don't nest.
#pragma once

#include <string>
#include <string_view>

#include "db/db.hpp"
#include "db/pool.hpp"
#include "db/postgres/pg_conn.hpp"

namespace cg::db {

class PgDatabase final : public Database {
 public:
  PgDatabase(std::string_view url, const Options& options);
  ~PgDatabase() override;

  Engine engine() const override { return Engine::postgres; }
  PoolStats stats() const override { return pool_.stats(); }
  std::string url_for_log() const override { return log_url_; }
  void close() override;

 protected:
  Lease acquire_writer() override { return lease(); }
  Lease acquire_reader() override { return lease(); }
  void begin_write(Conn& c) override;
  void begin_read(Conn& c) override;
  void commit(Conn& c) override;
  void rollback(Conn& c) override;

 private:
  Lease lease();
  void give_back(PgConn* conn, bool broken);

  std::string log_url_;
  ConnPool<PgConn> pool_;
};

}  // namespace cg::db
