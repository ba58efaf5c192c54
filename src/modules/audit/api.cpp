#include "app/api.hpp"
#include "app/app.hpp"
#include "http/router.hpp"
#include "modules/audit/model.hpp"
#include "modules/audit/module.hpp"

namespace cg::audit {
namespace {

http::json::object to_json(const Record& r) {
  return {{"id", r.id},
          {"at", r.at},
          {"user", {{"id", r.user_id}, {"display_name", r.user_name}}},
          {"role", r.role},
          {"action", r.action},
          {"target_type", r.target_type},
          {"target_id", r.target_id},
          {"detail", r.detail},
          {"address", r.address},
          {"request_id", r.request_id}};
}

api::Reply list_audit(App& app, const http::Request& req, const auth::Actor& actor) {
  http::QueryFields q(req);
  Query query;
  query.action = q.text("action", 64);
  query.user_id = q.integer("user", 1, INT64_MAX);
  query.cursor = q.text("cursor", 32);
  query.limit = static_cast<int>(q.integer("limit", 1, 200).value_or(50));
  if (auto done = q.finish(); !done) return fail(done.error());
  auto page = app.audit->list(*app.db, actor, query);
  if (!page) return fail(page.error());
  http::json::array items;
  for (const Record& r : page->items) items.push_back(to_json(r));
  http::json::object body{{"items", std::move(items)}};
  body["next_cursor"] = page->next_cursor ? http::json::value(*page->next_cursor) : nullptr;
  return http::ok(body);
}

class AuditModule : public Module {
 public:
  explicit AuditModule(App& app) : app_(app) {}
  std::string_view name() const override { return "audit"; }
  void add_routes(http::Router& router) override {
    router.get("/api/v1/audit", [this](http::Request& req) {
      return api::guarded(app_, req,
                          [&](const auth::Actor& a) { return list_audit(app_, req, a); });
    });
  }

 private:
  App& app_;
};

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<AuditModule>(app);
}

}  // namespace cg::audit
