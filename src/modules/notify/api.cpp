// GET  /api/v1/notifications          the caller's notices, newest first
// POST /api/v1/notifications/read     mark some (ids) or all read
// GET  /api/v1/notifications/stream   server-sent events, live
#include <boost/json.hpp>
#include <charconv>

#include "app/api.hpp"
#include "app/app.hpp"
#include "http/router.hpp"
#include "modules/notify/module.hpp"
#include "modules/notify/service.hpp"

namespace cg::notify {
namespace {

namespace json = boost::json;

// The browser sends the last id it saw when it reconnects; a page opening
// afresh may give it as ?after=.
std::optional<std::int64_t> last_seen(const http::Request& req, http::QueryFields& q) {
  const std::string_view header = req.header("last-event-id");
  std::int64_t id = 0;
  if (!header.empty()) {
    auto [ptr, ec] = std::from_chars(header.data(), header.data() + header.size(), id);
    if (ec == std::errc() && ptr == header.data() + header.size() && id >= 0) return id;
  }
  return q.integer("after", 0, INT64_MAX);
}

class NotifyModule : public Module {
 public:
  explicit NotifyModule(App& app) : app_(app) {}
  std::string_view name() const override { return "notify"; }

  void add_routes(http::Router& router) override {
    router.get("/api/v1/notifications", api::guard(app_, this, &NotifyModule::list));
    router.post("/api/v1/notifications/read", api::guard(app_, this, &NotifyModule::read));
    router.get("/api/v1/notifications/stream", api::guard(app_, this, &NotifyModule::stream));
  }

 private:
  api::Reply list(http::Request& req, const auth::Actor& actor) {
    http::QueryFields q(req);
    Query query;
    query.unread_only = q.boolean("unread").value_or(false);
    query.before_id = q.integer("before", 1, INT64_MAX);
    query.limit = static_cast<int>(q.integer("limit", 1, 100).value_or(20));
    if (auto ok = q.finish(); !ok) return fail(ok.error());
    auto page = app_.notify->list(actor, query);
    if (!page) return fail(page.error());
    json::array items;
    for (const Notice& n : page->items) items.push_back(json::parse(notice_json(n)));
    json::object body{{"items", std::move(items)}, {"unread_count", page->unread_count}};
    body["next_before"] = page->next_before ? json::value(*page->next_before) : nullptr;
    return http::ok(body);
  }

  api::Reply read(http::Request& req, const auth::Actor& actor) {
    struct In {
      std::vector<std::int64_t> ids;
      bool all = false;
    };
    auto in = api::read_body<In>(req, [](http::Fields& f) {
      In in;
      in.ids = f.id_list("ids", http::Need::optional, 200).value_or(std::vector<std::int64_t>{});
      in.all = f.boolean("all", http::Need::optional).value_or(false);
      if (in.ids.empty() && !in.all)
        f.add_error("ids", "required", "请指定要标为已读的消息，或 all=true");
      return in;
    });
    if (!in) return fail(in.error());
    auto unread = app_.notify->mark_read(actor, in->ids, in->all);
    if (!unread) return fail(unread.error());
    return http::ok(json::object{{"unread_count", *unread}});
  }

  api::Reply stream(http::Request& req, const auth::Actor& actor) {
    http::QueryFields q(req);
    auto after = last_seen(req, q);
    if (auto ok = q.finish(); !ok) return fail(ok.error());
    auto source = app_.notify->open_stream(actor, after);
    if (!source) return fail(source.error());
    http::Response res;
    res.events = std::move(*source);
    return res;
  }

  App& app_;
};

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<NotifyModule>(app);
}

}  // namespace cg::notify
