// Photos uploaded by residents, grid workers and handlers. A file is accepted
// only when its bytes are a complete JPEG, PNG or WebP (core/image), whatever
// its name or declared type; it is kept on disk under the data directory by
// the SHA-256 of its content (so a retried or repeated upload is stored once)
// and recorded with its uploader, who alone may attach it to a case. Who may
// then see it is the business of what it is attached to (a case's photos are
// served by the cases module to the case's viewers). The upload itself is not
// written to the audit log — file_uploads already says who sent what when —
// attaching it to a record is, as part of that record's action.
//
// Thread safety: safe from any thread. Files are written to a temporary name,
// flushed, and renamed into place, so a reader never sees half a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "modules/auth/model.hpp"

namespace cg::db {
class Conn;
class Database;
}  // namespace cg::db

namespace cg::files {

struct StoredFile {
  std::string id;  // hex SHA-256
  std::string mime;
  std::int64_t size = 0;
  int width = 0;
  int height = 0;
  std::int64_t created_at = 0;
};

struct Limits {
  std::size_t max_bytes = 10 * 1024 * 1024;
  int uploads_per_day = 300;  // per user
};

class FileStore {
 public:
  FileStore(db::Database& db, std::filesystem::path dir, Limits limits = {});

  // Keeps a photo from `actor`: 413 beyond the size limit, 415 when the bytes
  // are not a complete JPEG/PNG/WebP, 429 beyond the daily quota. Nothing is
  // recorded for a refused file.
  Result<StoredFile> put_photo(const auth::Actor& actor, std::string_view bytes) const;

  // The file, when `actor` uploaded it (the system actor counts as every
  // uploader, for demo data and imports). For attaching files to records.
  std::optional<StoredFile> uploaded_by(db::Conn& conn, const auth::Actor& actor,
                                        const std::string& id) const;
  std::optional<StoredFile> find(db::Conn& conn, const std::string& id) const;
  // The bytes on disk, or nullopt when the file is missing there.
  std::optional<std::string> read(const StoredFile& file) const;

  const Limits& limits() const { return limits_; }

 private:
  std::filesystem::path path_of(const std::string& id, const std::string& mime) const;
  void write_once(const std::filesystem::path& path, std::string_view bytes) const;

  db::Database& db_;
  std::filesystem::path dir_;
  Limits limits_;
};

// Well-formed file id: 64 lower-case hex digits.
bool is_file_id(std::string_view id);

}  // namespace cg::files
