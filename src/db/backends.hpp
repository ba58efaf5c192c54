// Entry points of the storage backends, for Database::open, and URL helpers
// shared by them. Internal to src/db.
//
// Thread safety: the functions are reentrant; each returns a new Database.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/db.hpp"

namespace cg::db {

// `target` is what follows "sqlite:": a file path or ":memory:".
std::unique_ptr<Database> open_sqlite(std::string_view target, const Options& options);

// `url` is a libpq URI, passed to libpq unchanged.
std::unique_ptr<Database> open_postgres(std::string_view url, const Options& options);

// The URL with any password replaced by "***", fit for logs and error messages.
std::string redact_url(std::string_view url);

}  // namespace cg::db
