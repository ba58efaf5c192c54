#include "modules/files/store.hpp"

#include "db/db.hpp"

namespace cg::files::store {
namespace {

constexpr const char* kColumns = "id, mime, size, width, height, created_at";

StoredFile from_row(const db::Row& r) {
  return {r.text(0), r.text(1), r.i64(2), static_cast<int>(r.i64(3)), static_cast<int>(r.i64(4)),
          r.i64(5)};
}

}  // namespace

std::optional<StoredFile> find(db::Conn& conn, const std::string& id) {
  auto row = conn.query_one(std::string("SELECT ") + kColumns + " FROM files WHERE id = $1", {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::optional<StoredFile> find_uploaded_by(db::Conn& conn, const std::string& id,
                                           std::int64_t user_id) {
  auto row = conn.query_one(
      "SELECT f.id, f.mime, f.size, f.width, f.height, f.created_at FROM files f "
      "JOIN file_uploads u ON u.file_id = f.id WHERE f.id = $1 AND u.user_id = $2",
      {id, user_id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

void record_upload(db::Conn& conn, const StoredFile& f, std::optional<std::int64_t> user_id) {
  conn.exec(
      "INSERT INTO files (id, mime, size, width, height, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
      {f.id, f.mime, f.size, std::int64_t{f.width}, std::int64_t{f.height}, f.created_at});
  if (!user_id) return;
  conn.exec(
      "INSERT INTO file_uploads (file_id, user_id, created_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (file_id, user_id) DO NOTHING",
      {f.id, *user_id, f.created_at});
}

std::int64_t uploads_since(db::Conn& conn, std::int64_t user_id, std::int64_t since) {
  return conn
      .query_one("SELECT COUNT(*) FROM file_uploads WHERE user_id = $1 AND created_at >= $2",
                 {user_id, since})
      ->i64(0);
}

}  // namespace cg::files::store
