// SQL of the files module.
#pragma once

#include <optional>
#include <string>

#include "modules/files/service.hpp"

namespace cg::db {
class Conn;
}

namespace cg::files::store {

std::optional<StoredFile> find(db::Conn& conn, const std::string& id);
std::optional<StoredFile> find_uploaded_by(db::Conn& conn, const std::string& id,
                                           std::int64_t user_id);
// Records the file (once) and its upload by `user_id` (once).
void record_upload(db::Conn& conn, const StoredFile& file, std::optional<std::int64_t> user_id);
std::int64_t uploads_since(db::Conn& conn, std::int64_t user_id, std::int64_t since);

}  // namespace cg::files::store
