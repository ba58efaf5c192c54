#include "modules/cases/notices.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "modules/cases/store.hpp"

namespace cg::cases {
namespace {

std::string_view status_words(std::string_view s) {
  if (s == "accepted") return "已受理";
  if (s == "rejected") return "不予受理";
  if (s == "merged") return "已与相同问题合并办理";
  if (s == "dispatched") return "已派给处置单位";
  if (s == "in_progress") return "正在处置";
  if (s == "handled") return "已处置，等待核查";
  if (s == "verified") return "已核查";
  if (s == "closed") return "已办结，请您评价";
  if (s == "reopened") return "重新办理";
  return s;
}

std::string_view rating_words(std::string_view r) {
  if (r == "satisfied") return "满意";
  if (r == "basically_satisfied") return "基本满意";
  return "不满意";
}

// Collects notices for distinct people, leaving out the actor.
class Audience {
 public:
  Audience(const Case& c, std::optional<std::int64_t> actor) : case_(c), actor_(actor) {}

  void tell(std::optional<std::int64_t> user, std::string kind, std::string title,
            std::string body) {
    if (!user || user == actor_) return;
    if (std::ranges::any_of(out_, [&](const notify::Notice& n) { return n.user_id == *user; }))
      return;
    notify::Notice n;
    n.user_id = *user;
    n.kind = std::move(kind);
    n.title = std::move(title);
    n.body = std::move(body);
    n.subject_type = "case";
    n.subject_id = case_.id;
    out_.push_back(std::move(n));
  }
  void tell_all(const std::vector<std::int64_t>& users, const std::string& kind,
                const std::string& title, const std::string& body) {
    for (std::int64_t u : users) tell(u, kind, title, body);
  }
  std::vector<notify::Notice> done() { return std::move(out_); }

 private:
  const Case& case_;
  std::optional<std::int64_t> actor_;
  std::vector<notify::Notice> out_;
};

std::string about(const Case& c) {
  return fmt::format("{}「{}」", c.number, c.title);
}

}  // namespace

std::vector<notify::Notice> notices_for_report(db::Conn& conn, const Case& c, bool by_resident,
                                               std::optional<std::int64_t> actor) {
  Audience to(c, actor);
  if (by_resident) {
    to.tell_all(store::users_over(conn, c.path, {"grid_worker", "community_worker"}),
                "case.reported", "新的居民反映", about(c));
  }
  return to.done();
}

std::vector<notify::Notice> notices_for_action(db::Conn& conn, std::string_view action,
                                               const Case& before, const Case& after,
                                               std::optional<std::int64_t> actor) {
  Audience to(after, actor);
  if (action == "dispatch" && after.handler_user_id) {
    to.tell(after.handler_user_id, "case.dispatched", "您有新的派遣工单", about(after));
  }
  if (action == "verify" && after.status == "dispatched") {
    to.tell(after.handler_user_id, "case.rework", "核查未通过，请返工", about(after));
  }
  if (action == "rate") {
    const std::string title = fmt::format("居民评价：{}", rating_words(after.rating.value_or("")));
    if (after.status == "reopened") {
      to.tell_all(store::users_over(conn, after.path, {"grid_worker", "community_worker"}),
                  "case.reopened", "居民不满意，工单重新办理", about(after));
    }
    to.tell(after.handler_user_id, "case.rated", title, about(after));
    to.tell_all(store::users_over(conn, after.path, {"grid_worker"}), "case.rated", title,
                about(after));
  }
  if (action == "supervise") {
    to.tell(after.handler_user_id, "case.supervised", "上级督办", about(after));
  }
  // The reporter hears of every change of status of their report.
  if (after.status != before.status && action != "rate") {
    to.tell(after.reporter_user_id, "case.progress", "您反映的问题有新进展",
            fmt::format("{}：{}", about(after), status_words(after.status)));
  }
  return to.done();
}

std::vector<notify::Notice> notices_for_overdue(db::Conn& conn, const Case& c,
                                                std::string_view level) {
  Audience to(c, std::nullopt);
  const std::string title = fmt::format("工单超期，已上报{}督办", level == "street"      ? "街道"
                                                                  : level == "community" ? "社区"
                                                                                         : "网格");
  to.tell(c.handler_user_id, "case.overdue", title, about(c));
  std::vector<std::string> roles = {"grid_worker", "community_worker"};
  if (level == "street") roles.push_back("street_admin");
  to.tell_all(store::users_over(conn, c.path, roles), "case.overdue", title, about(c));
  return to.done();
}

}  // namespace cg::cases
