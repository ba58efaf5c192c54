// SQL of the notifications module.
#pragma once

#include <optional>
#include <vector>

#include "modules/notify/service.hpp"

namespace cg::notify::store {

std::int64_t insert(db::Conn& conn, const Notice& n);
std::vector<Notice> page(db::Conn& conn, std::int64_t user_id, const Query& q);
std::vector<Notice> after(db::Conn& conn, std::int64_t user_id, std::int64_t after_id, int limit);
std::int64_t unread_count(db::Conn& conn, std::int64_t user_id);
void mark_read(db::Conn& conn, std::int64_t user_id, const std::vector<std::int64_t>& ids,
               std::int64_t now);
void mark_all_read(db::Conn& conn, std::int64_t user_id, std::int64_t now);

}  // namespace cg::notify::store
