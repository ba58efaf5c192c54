#include "modules/open311/store.hpp"

#include <fmt/format.h>

namespace cg::open311::store {
namespace {

constexpr std::string_view kClientColumns =
    "SELECT k.id, k.name, k.key_prefix, k.area_id, k.area_path, a.name, k.issued_by, "
    "COALESCE(u.display_name, ''), k.issued_at, k.revoked, k.revoked_at "
    "FROM open311_clients k JOIN areas a ON a.id = k.area_id "
    "LEFT JOIN users u ON u.id = k.issued_by ";

constexpr std::string_view kInsertClient =
    "INSERT INTO open311_clients (name, key_hash, key_prefix, area_id, area_path, issued_by, "
    "issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

constexpr std::string_view kRevokeClient =
    "UPDATE open311_clients SET revoked = 1, revoked_by = $2, revoked_at = $3 "
    "WHERE id = $1 AND revoked = 0";

constexpr std::string_view kInsertToken =
    "INSERT INTO open311_tokens (token, case_id, client_id, created_at) VALUES ($1, $2, $3, $4)";

constexpr std::string_view kCaseOfToken = "SELECT case_id FROM open311_tokens WHERE token = $1";

// Rejected, merged and closed cases are "closed" to Open311; the rest are open.
constexpr std::string_view kClosedStatuses = "('rejected', 'merged', 'closed')";

Client client_of(const db::Row& r) {
  Client c;
  c.id = r.i64(0);
  c.name = r.text(1);
  c.key_prefix = r.text(2);
  c.area_id = r.i64(3);
  c.area_path = r.text(4);
  c.area_name = r.text(5);
  c.issued_by = r.opt_i64(6);
  c.issued_by_name = r.text(7);
  c.issued_at = r.i64(8);
  c.revoked = r.i64(9) != 0;
  c.revoked_at = r.opt_i64(10);
  return c;
}

}  // namespace

std::int64_t insert_client(db::Conn& conn, const Client& c, const std::string& key_hash) {
  return conn
      .query(kInsertClient,
             {c.name, key_hash, c.key_prefix, c.area_id, c.area_path, c.issued_by, c.issued_at})
      .front()
      .i64(0);
}

std::optional<Client> find_client(db::Conn& conn, std::int64_t id) {
  auto row = conn.query_one(fmt::format("{}WHERE k.id = $1", kClientColumns), {id});
  if (!row) return std::nullopt;
  return client_of(*row);
}

std::optional<Client> client_by_key_hash(db::Conn& conn, const std::string& key_hash) {
  auto row = conn.query_one(fmt::format("{}WHERE k.key_hash = $1", kClientColumns), {key_hash});
  if (!row) return std::nullopt;
  return client_of(*row);
}

std::vector<Client> clients_within(db::Conn& conn, const std::vector<db::PathRange>& ranges) {
  if (ranges.empty()) return {};
  db::ParamList params;
  const std::string where = db::path_ranges_sql("k.area_path", ranges, params);
  std::vector<Client> out;
  for (const db::Row& r : conn.query(
           fmt::format("{}WHERE ({}) ORDER BY k.id DESC", kClientColumns, where), params.span()))
    out.push_back(client_of(r));
  return out;
}

void revoke_client(db::Conn& conn, std::int64_t id, std::optional<std::int64_t> by,
                   std::int64_t now) {
  conn.exec(kRevokeClient, {id, by, now});
}

void insert_token(db::Conn& conn, const std::string& token, std::int64_t case_id,
                  std::int64_t client_id, std::int64_t now) {
  conn.exec(kInsertToken, {token, case_id, client_id, now});
}

std::optional<std::int64_t> case_of_token(db::Conn& conn, const std::string& token) {
  auto row = conn.query_one(kCaseOfToken, {token});
  if (!row) return std::nullopt;
  return row->i64(0);
}

std::vector<std::int64_t> case_ids(db::Conn& conn, const CaseFilter& f) {
  db::ParamList params;
  std::string sql =
      fmt::format("SELECT c.id FROM cases c WHERE c.created_at >= {} AND c.created_at < {}",
                  params.add(f.from), params.add(f.to));
  if (f.category_id) sql += fmt::format(" AND c.category_id = {}", params.add(*f.category_id));
  if (f.closed)
    sql += fmt::format(" AND c.status {}IN {}", *f.closed ? "" : "NOT ", kClosedStatuses);
  sql += fmt::format(" ORDER BY c.created_at DESC, c.id DESC LIMIT {}", params.add(f.limit));
  std::vector<std::int64_t> ids;
  for (const db::Row& r : conn.query(sql, params.span())) ids.push_back(r.i64(0));
  return ids;
}

}  // namespace cg::open311::store
