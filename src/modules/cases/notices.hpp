// Who hears about what happens to a case (消息通知), as in DOMAIN.md: the
// handler when a case is dispatched to them; the reporter as their report
// moves on; the grid workers and community workers when a resident reports,
// rates or reopens; the handler and the people of the level it is escalated
// to when it runs overdue. The person acting is never told of their own act.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "modules/cases/model.hpp"
#include "modules/notify/service.hpp"

namespace cg::db {
class Conn;
}

namespace cg::cases {

// A new report; `by_resident` when a resident filed it.
std::vector<notify::Notice> notices_for_report(db::Conn& conn, const Case& c, bool by_resident,
                                               std::optional<std::int64_t> actor);
// One action that took `before` to `after`.
std::vector<notify::Notice> notices_for_action(db::Conn& conn, std::string_view action,
                                               const Case& before, const Case& after,
                                               std::optional<std::int64_t> actor);
// The supervision run found `c` overdue and moved it to `level`.
std::vector<notify::Notice> notices_for_overdue(db::Conn& conn, const Case& c,
                                                std::string_view level);

}  // namespace cg::cases
