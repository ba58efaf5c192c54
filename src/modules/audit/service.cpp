#include <algorithm>
#include <charconv>

#include "app/app.hpp"
#include "modules/audit/model.hpp"
#include "modules/audit/store.hpp"

namespace cg::audit {

void AuditLog::record(db::Conn& conn, const auth::Actor& actor, const Entry& entry) const {
  store::insert(conn, now_ms(), actor, entry);
}

Result<Page> AuditLog::list(db::Database& db, const auth::Actor& actor, const Query& query) const {
  std::vector<std::string> scopes = actor.who.scopes(auth::Permission::audit_read);
  if (scopes.empty()) return fail(errors::forbidden("只有管理员可以查看审计日志"));
  std::optional<std::int64_t> before;
  if (query.cursor) {
    std::int64_t id = 0;
    const std::string& c = *query.cursor;
    auto r = std::from_chars(c.data(), c.data() + c.size(), id);
    if (r.ec != std::errc() || r.ptr != c.data() + c.size() || id <= 0) {
      return fail(errors::invalid_field("cursor", "invalid", "分页游标无效"));
    }
    before = id;
  }
  std::vector<Record> rows =
      db.read([&](db::Conn& conn) { return store::list(conn, scopes, before, query); });
  Page page;
  if (rows.size() > static_cast<std::size_t>(query.limit)) {
    rows.resize(query.limit);
    page.next_cursor = std::to_string(rows.back().id);
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace cg::audit
