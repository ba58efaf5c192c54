// One PostgreSQL connection (libpq) with its prepared-statement cache, behind
// the Conn interface. Parameters go out as text, except Blob which goes out
// binary; results come back as text and are turned into Values here.
//
// Thread safety: none; PgDatabase lends a connection to one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "db/db.hpp"

namespace cg::db {

class PgConn final : public Conn {
 public:
  // Connects to `url` (libpq URI, unchanged). Throws DbError(connection).
  explicit PgConn(const std::string& url);
  ~PgConn() override;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  using Conn::exec;
  using Conn::query;
  Rows query(std::string_view sql, std::span<const Param> params) override;
  std::int64_t exec(std::string_view sql, std::span<const Param> params) override;
  void exec_script(std::string_view sql) override;
  Engine engine() const override { return Engine::postgres; }

  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
  PGTransactionStatusType transaction_status() const { return PQtransactionStatus(conn_); }
  // Reconnects (libpq re-runs host selection, so a failover lands on the new
  // primary) and forgets the prepared statements, which died with the session.
  // Throws DbError(connection) when the server cannot be reached.
  void reset();

 private:
  struct ClearResult {
    void operator()(PGresult* res) const { PQclear(res); }
  };
  using Result = std::unique_ptr<PGresult, ClearResult>;
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void configure_session();
  const std::string& statement_name(std::string_view sql);
  Result execute(std::string_view sql, std::span<const Param> params);
  // Throws DbError unless `res` reports success.
  void check(const Result& res, std::string_view sql);

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> statements_;
  int next_statement_ = 0;
};

}  // namespace cg::db
