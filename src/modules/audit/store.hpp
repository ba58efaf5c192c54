// SQL of the audit log.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "modules/audit/model.hpp"

namespace cg::audit::store {

void insert(db::Conn& conn, std::int64_t at, const auth::Actor& actor, const Entry& entry);
// Newest first, below `before_id`, within any of `scopes` (path prefixes).
std::vector<Record> list(db::Conn& conn, const std::vector<std::string>& scopes,
                         std::optional<std::int64_t> before_id, const Query& query);

}  // namespace cg::audit::store
