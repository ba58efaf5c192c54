// Database::open picks the backend from the URL scheme.
#include <string>

#include "db/backends.hpp"
#include "db/db.hpp"

namespace cg::db {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
}

// Replaces the value of `password=` in a URI query string.
std::string redact_query_password(std::string url) {
  for (std::size_t at = url.find("password="); at != std::string::npos;
       at = url.find("password=", at + 1)) {
    bool is_key = at > 0 && (url[at - 1] == '?' || url[at - 1] == '&');
    if (!is_key) continue;
    std::size_t start = at + 9;
    std::size_t end = url.find('&', start);
    url.replace(start, end == std::string::npos ? std::string::npos : end - start, "***");
  }
  return url;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  std::size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  std::size_t authority = scheme + 3;
  // The userinfo ends at the last '@' before the path; a password may itself
  // contain an (unencoded) '@' or ':'.
  std::size_t path = out.find_first_of("/?", authority);
  std::size_t at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos && at >= authority) {
    std::size_t colon = out.find(':', authority);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  return redact_query_password(std::move(out));
}

void Database::run_after_commit(Conn& c) {
  std::vector<std::function<void()>> due;
  due.swap(c.after_commit_);
  for (const auto& fn : due) fn();
}

void Database::drop_after_commit(Conn& c, std::size_t keep) {
  if (c.after_commit_.size() > keep) c.after_commit_.resize(keep);
}

void Database::run_write(const std::function<bool(Conn&)>& work) {
  Lease lease = acquire_writer();
  Conn& c = *lease.conn;
  std::vector<std::function<void()>> due;
  try {
    begin_write(c);
    if (work(c)) {
      for (auto& deferred : c.take_before_commit()) deferred(c);
      commit(c);
      due.swap(c.after_commit_);
    } else {
      c.drop_before_commit();
      rollback(c);
    }
    drop_after_commit(c);
    lease.release(false);
  } catch (...) {
    c.drop_before_commit();
    drop_after_commit(c);
    bool broken = false;
    try {
      rollback(c);
    } catch (...) {
      broken = true;
    }
    lease.release(broken);
    throw;
  }
  // With the connection given back: a callback that reads must not wait for a
  // pool (PostgreSQL's, shared by reads and writes) that its own write holds.
  for (const auto& fn : due) fn();
}

std::unique_ptr<Database> Database::open(std::string_view url, const Options& options) {
  if (starts_with(url, "sqlite:")) return open_sqlite(url.substr(7), options);
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    return open_postgres(url, options);
  }
  throw DbError(DbError::Kind::other,
                "unsupported database URL '" + redact_url(url) +
                    "': expected sqlite:PATH, sqlite::memory:, postgresql://… or postgres://…");
}

}  // namespace cg::db
