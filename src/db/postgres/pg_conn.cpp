#include "db/postgres/pg_conn.hpp"

#include <charconv>
#include <cstring>
#include <string>
#include <vector>

namespace cg::db {
namespace {

// Type OIDs from pg_type.h, which is not part of the client headers.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26;
constexpr Oid kFloat4 = 700, kFloat8 = 701;

std::string excerpt(std::string_view sql) {
  constexpr std::size_t max = 200;
  return sql.size() <= max ? std::string(sql) : std::string(sql.substr(0, max)) + "…";
}

DbError::Kind kind_of(std::string_view sqlstate, bool healthy) {
  if (sqlstate == "23505") return DbError::Kind::unique_violation;
  if (sqlstate == "23503") return DbError::Kind::foreign_key_violation;
  if (!healthy || sqlstate.starts_with("08") || sqlstate == "57P01") {
    return DbError::Kind::connection;
  }
  // Serialization failure, deadlock, lock timeout: worth retrying, like BUSY.
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return DbError::Kind::busy;
  }
  return DbError::Kind::other;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea arrives as "\x4142…" (bytea_output=hex, the default); anything else
// is the old escape format, which libpq knows how to undo.
std::string decode_bytea(const char* text, int length) {
  if (length >= 2 && text[0] == '\\' && text[1] == 'x') {
    std::string out;
    out.reserve((length - 2) / 2);
    for (int i = 2; i + 1 < length; i += 2) {
      int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
      if (hi < 0 || lo < 0) throw DbError(DbError::Kind::other, "malformed bytea from server");
      out.push_back(static_cast<char>(hi << 4 | lo));
    }
    return out;
  }
  std::size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
  if (raw == nullptr) throw DbError(DbError::Kind::other, "out of memory decoding bytea");
  std::string out(reinterpret_cast<char*>(raw), n);
  PQfreemem(raw);
  return out;
}

template <class T>
T parse_number(const char* text, int length) {
  T out{};
  std::from_chars(text, text + length, out);
  return out;
}

// Numbers and booleans are converted here, so a Value holds the same
// alternative on both engines; NUMERIC and the rest stay text.
Value field_value(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return std::monostate{};
  const char* text = PQgetvalue(res, row, col);
  int length = PQgetlength(res, row, col);
  switch (PQftype(res, col)) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
      return parse_number<std::int64_t>(text, length);
    case kFloat4:
    case kFloat8:
      // from_chars does not know PostgreSQL's "Infinity"; Row can parse it.
      if (text[0] == 'I' || (text[0] == '-' && text[1] == 'I')) return std::string(text, length);
      return parse_number<double>(text, length);
    case kBool:
      return std::int64_t{text[0] == 't' ? 1 : 0};
    case kBytea:
      return Blob{decode_bytea(text, length)};
    default:
      return std::string(text, length);
  }
}

// The text (or, for Blob, binary) form of each parameter, kept alive for the
// duration of one PQexecPrepared call.
struct WireParams {
  std::vector<std::string> numbers;  // storage for formatted ints and doubles
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  explicit WireParams(std::span<const Param> params) {
    numbers.reserve(params.size());
    for (const Param& p : params) add(p.value);
  }

  void add(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return push(s->data(), s->size(), 0);
    if (const auto* b = std::get_if<Blob>(&v)) return push(b->bytes.data(), b->bytes.size(), 1);
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      numbers.push_back(std::to_string(*i));
    } else if (const auto* d = std::get_if<double>(&v)) {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
      numbers.emplace_back(buf, end);
    } else {
      return push(nullptr, 0, 0);  // NULL
    }
    push(numbers.back().data(), numbers.back().size(), 0);
  }

  void push(const char* data, std::size_t size, int format) {
    values.push_back(data);
    lengths.push_back(static_cast<int>(size));
    formats.push_back(format);
  }
};

}  // namespace

PgConn::PgConn(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (!healthy()) {
    std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw DbError(DbError::Kind::connection, "cannot connect to PostgreSQL: " + msg);
  }
  configure_session();
}

PgConn::~PgConn() {
  PQfinish(conn_);
}

void PgConn::configure_session() {
  // NOTICEs (e.g. "relation already exists, skipping") are not errors and
  // must not end up on stderr.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  if (PQsetClientEncoding(conn_, "UTF8") != 0) {
    throw DbError(DbError::Kind::connection, "PostgreSQL: cannot set client_encoding UTF8");
  }
  // Times are epoch milliseconds, but now()/date functions in SQL must not
  // depend on the server's configuration.
  check(Result(PQexec(conn_, "SET TIME ZONE 'UTC'")), "SET TIME ZONE 'UTC'");
}

void PgConn::reset() {
  statements_.clear();
  PQreset(conn_);
  if (!healthy()) {
    std::string msg = PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw DbError(DbError::Kind::connection, "cannot reconnect to PostgreSQL: " + msg);
  }
  configure_session();
}

void PgConn::check(const Result& res, std::string_view sql) {
  ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  const char* state = res ? PQresultErrorField(res.get(), PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = res ? PQresultErrorMessage(res.get()) : PQerrorMessage(conn_);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  // "prepared statement does not exist": the session lost them (DISCARD ALL,
  // a pooler); forget ours so the next call prepares again.
  if (state && std::string_view(state) == "26000") statements_.clear();
  throw DbError(kind_of(state ? state : "", healthy()),
                "PostgreSQL: " + msg + (sql.empty() ? "" : " in: " + excerpt(sql)));
}

const std::string& PgConn::statement_name(std::string_view sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
  std::string name = "s" + std::to_string(++next_statement_);
  std::string text(sql);
  // No parameter types: the server infers them from the statement.
  check(Result(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr)), sql);
  return statements_.emplace(std::move(text), std::move(name)).first->second;
}

PgConn::Result PgConn::execute(std::string_view sql, std::span<const Param> params) {
  const std::string& name = statement_name(sql);
  WireParams wire(params);
  Result res(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                            wire.values.data(), wire.lengths.data(), wire.formats.data(),
                            /*resultFormat=text*/ 0));
  check(res, sql);
  return res;
}

Rows PgConn::query(std::string_view sql, std::span<const Param> params) {
  Result res = execute(sql, params);
  const int rows = PQntuples(res.get()), cols = PQnfields(res.get());
  Rows out;
  out.reserve(rows);
  for (int r = 0; r < rows; ++r) {
    std::vector<Value> values;
    values.reserve(cols);
    for (int c = 0; c < cols; ++c) values.push_back(field_value(res.get(), r, c));
    out.emplace_back(std::move(values));
  }
  return out;
}

std::int64_t PgConn::exec(std::string_view sql, std::span<const Param> params) {
  Result res = execute(sql, params);
  const char* n = PQcmdTuples(res.get());
  return n[0] ? parse_number<std::int64_t>(n, static_cast<int>(std::strlen(n))) : 0;
}

void PgConn::exec_script(std::string_view sql) {
  // PQexec runs several ;-separated statements; inside our BEGIN they share
  // the transaction, so a failing migration leaves nothing behind.
  check(Result(PQexec(conn_, std::string(sql).c_str())), sql);
}

}  // namespace cg::db
