#include "modules/audit/store.hpp"

namespace cg::audit::store {
namespace {

constexpr const char* kInsert =
    "INSERT INTO audit_log (at, user_id, user_name, role, action, target_type, target_id, "
    "detail, area_path, address, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

constexpr const char* kListColumns =
    "SELECT id, at, user_id, user_name, role, action, target_type, target_id, detail, address, "
    "request_id FROM audit_log WHERE id < $1 AND area_path >= $2 AND area_path < $3 "
    "AND ($4 = '' OR action = $4) AND ($5 = 0 OR user_id = $5) ORDER BY id DESC LIMIT $6";

Record to_record(const db::Row& r) {
  return {r.i64(0),  r.i64(1),  r.i64(2),  r.text(3), r.text(4), r.text(5),
          r.text(6), r.text(7), r.text(8), r.text(9), r.text(10)};
}

}  // namespace

void insert(db::Conn& conn, std::int64_t at, const auth::Actor& actor, const Entry& entry) {
  std::optional<std::int64_t> user;
  if (actor.who.user_id != 0) user = actor.who.user_id;
  conn.exec(kInsert,
            {at, user, actor.who.display_name, entry.role, entry.action, entry.target_type,
             entry.target_id, entry.detail, entry.area_path, actor.address, actor.request_id});
}

std::vector<Record> list(db::Conn& conn, const std::vector<std::string>& scopes,
                         std::optional<std::int64_t> before_id, const Query& query) {
  // One range query per scope, merged: an admin rarely holds more than one.
  std::vector<Record> out;
  for (const std::string& scope : scopes) {
    std::string end = auth::subtree_end(scope);
    for (const db::Row& row : conn.query(
             kListColumns, {before_id.value_or(INT64_MAX), scope, end, query.action.value_or(""),
                            query.user_id.value_or(0), query.limit + 1})) {
      out.push_back(to_record(row));
    }
  }
  std::sort(out.begin(), out.end(), [](const Record& a, const Record& b) { return a.id > b.id; });
  return out;
}

}  // namespace cg::audit::store
