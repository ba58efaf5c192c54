// The audit log: one append-only record per write and per reveal of personal
// data — who (user, role), what (action, target), when, from where (address,
// request id). Records are never updated or deleted (the schema refuses it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "db/db.hpp"
#include "modules/auth/model.hpp"

namespace cg::audit {

struct Entry {
  std::string action;       // e.g. "resident.create", "resident.reveal"
  std::string target_type;  // e.g. "resident"
  std::string target_id;
  std::string detail;     // human-readable, no personal data beyond what the action needs
  std::string area_path;  // where the target lives, so scoped admins can read it
  std::string role;       // the role the actor acted in
};

struct Record {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::int64_t user_id = 0;
  std::string user_name;
  std::string role;
  std::string action;
  std::string target_type;
  std::string target_id;
  std::string detail;
  std::string address;
  std::string request_id;
};

struct Page {
  std::vector<Record> items;
  std::optional<std::string> next_cursor;
};

struct Query {
  std::optional<std::string> action;
  std::optional<std::int64_t> user_id;
  std::optional<std::string> cursor;
  int limit = 50;
};

class AuditLog {
 public:
  // Appends inside the caller's write transaction, so the record exists
  // exactly when the write it describes does.
  void record(db::Conn& conn, const auth::Actor& actor, const Entry& entry) const;
  // Records within the caller's audit.read scope, newest first.
  Result<Page> list(db::Database& db, const auth::Actor& actor, const Query& query) const;
};

}  // namespace cg::audit
