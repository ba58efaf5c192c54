#include "modules/notify/store.hpp"

#include "db/db.hpp"
#include "db/query.hpp"

namespace cg::notify::store {
namespace {

constexpr const char* kSelect =
    "SELECT id, user_id, kind, title, body, subject_type, subject_id, created_at, read_at "
    "FROM notifications ";

Notice from_row(const db::Row& r) {
  return {r.i64(0),  r.i64(1),     r.text(2), r.text(3),   r.text(4),
          r.text(5), r.opt_i64(6), r.i64(7),  r.opt_i64(8)};
}

std::vector<Notice> rows(db::Conn& conn, const std::string& sql, std::span<const db::Param> p) {
  std::vector<Notice> out;
  for (const db::Row& r : conn.query(sql, p)) out.push_back(from_row(r));
  return out;
}

}  // namespace

std::int64_t insert(db::Conn& conn, const Notice& n) {
  return conn
      .query_one(
          "INSERT INTO notifications (user_id, kind, title, body, subject_type, subject_id, "
          "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
          {n.user_id, n.kind, n.title, n.body, n.subject_type, n.subject_id, n.created_at})
      ->i64(0);
}

std::vector<Notice> page(db::Conn& conn, std::int64_t user_id, const Query& q) {
  db::ParamList p;
  std::string sql = std::string(kSelect) + "WHERE user_id = " + p.add(user_id);
  if (q.unread_only) sql += " AND read_at IS NULL";
  if (q.before_id) sql += " AND id < " + p.add(*q.before_id);
  // substr, not LIKE: a prefix holding '_' or '%' means itself.
  if (!q.kind_prefix.empty())
    sql += " AND substr(kind, 1, " + std::to_string(q.kind_prefix.size()) +
           ") = " + p.add(q.kind_prefix);
  sql += " ORDER BY id DESC LIMIT " + p.add(std::int64_t{q.limit + 1});
  return rows(conn, sql, p.span());
}

std::vector<Notice> after(db::Conn& conn, std::int64_t user_id, std::int64_t after_id, int limit) {
  const db::Param params[] = {user_id, after_id, std::int64_t{limit}};
  return rows(conn, std::string(kSelect) + "WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
              params);
}

std::int64_t unread_count(db::Conn& conn, std::int64_t user_id) {
  return conn
      .query_one("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
                 {user_id})
      ->i64(0);
}

void mark_read(db::Conn& conn, std::int64_t user_id, const std::vector<std::int64_t>& ids,
               std::int64_t now) {
  for (std::int64_t id : ids) {
    conn.exec(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        {now, id, user_id});
  }
}

void mark_all_read(db::Conn& conn, std::int64_t user_id, std::int64_t now) {
  conn.exec("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
            {now, user_id});
}

}  // namespace cg::notify::store
