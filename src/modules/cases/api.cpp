// HTTP routes of the cases module: parse the request, call the CaseService,
// write JSON. See docs/api-cases.md for every route and shape.
#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>

#include "app/api.hpp"
#include "app/app.hpp"
#include "app/periodic.hpp"
#include "core/workcal.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "modules/cases/module.hpp"
#include "modules/cases/page_json.hpp"
#include "modules/cases/service.hpp"

namespace cg::cases {
namespace {

namespace json = boost::json;
using http::Need;

constexpr std::size_t kMaxIdempotencyKey = 200;
constexpr int kDefaultSupervisionSeconds = 60;
constexpr std::int64_t kMaxEpochMs = 4'102'444'800'000;  // 2100-01-01

template <class T>
json::value optional(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object category_json(const Category& c) {
  json::array children;
  for (const Category& child : c.children) children.push_back(category_json(child));
  return {{"id", c.id},
          {"parent_id", optional(c.parent_id)},
          {"code", c.code},
          {"name", c.name},
          {"level", c.level},
          {"handler_unit", c.handler_unit},
          {"accept_hours", c.accept_hours},
          {"handle_limit", c.handle_limit},
          {"handle_unit", c.handle_unit},
          {"children", std::move(children)}};
}

json::object case_json(const Case& c) {
  json::value extension = nullptr;
  if (c.extension_minutes) {
    extension = json::object{{"minutes", *c.extension_minutes}, {"reason", c.extension_reason}};
  }
  return {{"id", c.id},
          {"number", c.number},
          {"title", c.title},
          {"description", c.description},
          {"category", {{"id", c.category_id}, {"name", c.category_name}}},
          {"source", c.source},
          {"reporter",
           {{"user_id", optional(c.reporter_user_id)},
            {"name", c.reporter_name},
            {"phone_masked", c.reporter_phone_masked}}},
          {"grid", {{"id", c.grid_id}, {"name", c.grid_name}}},
          {"building_id", optional(c.building_id)},
          {"address", c.address},
          {"lat", optional(c.lat)},
          {"lng", optional(c.lng)},
          {"priority", c.priority},
          {"status", c.status},
          {"level", c.level},
          {"handler", {{"unit", c.handler_unit}, {"user_id", optional(c.handler_user_id)}}},
          {"accept_deadline", optional(c.accept_deadline)},
          {"handle_deadline", optional(c.handle_deadline)},
          {"extension_request", std::move(extension)},
          {"rework_count", c.rework_count},
          {"reopen_count", c.reopen_count},
          {"rating", optional(c.rating)},
          {"rating_comment", c.rating_comment},
          {"merged_into", optional(c.merged_into)},
          {"version", c.version},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at},
          {"closed_at", optional(c.closed_at)},
          {"warning", c.warning},
          {"escalated_at", optional(c.escalated_at)}};
}

json::value rate(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return nullptr;
  return static_cast<double>(part) / static_cast<double>(whole);
}

json::object area_ref_json(const AreaRef& a) {
  return {{"id", a.id}, {"name", a.name}, {"level", a.level}};
}

json::object indicators_json(const Counts& c) {
  return {{"received", c.received},
          {"accepted", c.accepted},
          {"closed", c.closed},
          {"on_time_closed", c.on_time_closed},
          {"on_time_rate", rate(c.on_time_closed, c.closed)},
          {"rated", c.rated},
          {"satisfaction_rate", rate(c.satisfied, c.rated)},
          {"rework_rate", rate(c.reworked, c.handled)},
          {"closed_in_grid_share", rate(c.closed_in_grid, c.closed)},
          {"closed_in_community_share", rate(c.closed_in_community, c.closed)},
          {"avg_handling_working_hours",
           c.handling_cases == 0 ? json::value(nullptr)
                                 : json::value(static_cast<double>(c.handling_minutes) /
                                               static_cast<double>(c.handling_cases) / 60.0)}};
}

json::object stats_json(const CaseStats& s) {
  json::object o{{"area", area_ref_json(s.area)}, {"from", s.from}, {"to", s.to}};
  for (auto& [k, v] : indicators_json(s.total)) o[k] = v;
  json::array children;
  for (const AreaCounts& a : s.by_child) {
    json::object child = indicators_json(a.counts);
    child["area"] = area_ref_json(a.area);
    children.push_back(std::move(child));
  }
  o["by_child"] = std::move(children);
  json::array categories;
  for (const CategoryCounts& c : s.by_category) {
    categories.push_back({{"category", {{"id", c.id}, {"name", c.name}}},
                          {"received", c.counts.received},
                          {"closed", c.counts.closed},
                          {"on_time_rate", rate(c.counts.on_time_closed, c.counts.closed)},
                          {"satisfaction_rate", rate(c.counts.satisfied, c.counts.rated)}});
  }
  o["by_category"] = std::move(categories);
  return o;
}

Result<StatsQuery> read_stats(const http::Request& req) {
  http::QueryFields f(req);
  StatsQuery q;
  q.area_id = f.integer("area", 1, INT64_MAX);
  q.from = f.integer("from", 0, kMaxEpochMs);
  q.to = f.integer("to", 0, kMaxEpochMs);
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  return q;
}

// Seconds between supervision runs: CIVICGRID_SUPERVISION_SECONDS (0 turns the
// scheduler off), default 60.
int supervision_seconds() {
  const char* env = std::getenv("CIVICGRID_SUPERVISION_SECONDS");
  if (!env || !*env) return kDefaultSupervisionSeconds;
  char* end = nullptr;
  const long v = std::strtol(env, &end, 10);
  if (*end != '\0' || v < 0 || v > 86'400) return kDefaultSupervisionSeconds;
  return static_cast<int>(v);
}

json::object event_json(const Event& e) {
  json::value data = json::object{};
  auto parsed = http::parse_json(e.data);
  if (parsed && parsed->is_object()) data = std::move(*parsed);
  return {{"id", e.id},
          {"at", e.at},
          {"actor", {{"user_id", optional(e.actor_id)}, {"name", e.actor_name}, {"role", e.role}}},
          {"action", e.action},
          {"from_status", e.from_status},
          {"to_status", e.to_status},
          {"note", e.note},
          {"data", std::move(data)}};
}

json::object detail_json(const CaseDetail& d) {
  json::object o = case_json(d.item);
  json::array timeline;
  for (const Event& e : d.timeline) timeline.push_back(event_json(e));
  o["timeline"] = std::move(timeline);
  o["deadline"] = {{"kind", d.deadline.kind},
                   {"at", optional(d.deadline.deadline)},
                   {"remaining_working_minutes", optional(d.deadline.remaining_working_minutes)},
                   {"fraction_used", d.deadline.fraction_used},
                   {"warning", d.deadline.warning}};
  json::array photos;
  for (const Photo& p : d.photos) {
    photos.push_back({{"id", p.file_id},
                      {"stage", p.stage},
                      {"mime", p.mime},
                      {"width", p.width},
                      {"height", p.height},
                      {"at", p.at},
                      {"url", fmt::format("/api/v1/cases/{}/photos/{}", d.item.id, p.file_id)}});
  }
  o["photos"] = std::move(photos);
  json::array actions;
  for (const std::string& a : d.allowed_actions) actions.emplace_back(a);
  o["allowed_actions"] = std::move(actions);
  return o;
}

CategoryInput read_category(http::Fields& f, bool patch) {
  const Need req = patch ? Need::optional : Need::required;
  CategoryInput in;
  if (!patch) in.parent_id = f.integer("parent_id", Need::optional, 1);
  in.code = f.text("code", req, 20);
  in.name = f.text("name", req, 30);
  in.level = f.one_of("level", req, {"grid", "community", "street"});
  in.handler_unit = f.text("handler_unit", Need::optional, 50, 0);
  in.accept_hours = f.integer("accept_hours", req, 1, 720);
  in.handle_limit = f.integer("handle_limit", req, 1, 720);
  in.handle_unit = f.one_of("handle_unit", req, {"hours", "days"});
  return in;
}

NewCase read_new_case(http::Fields& f, bool resident) {
  NewCase in;
  in.title = f.text("title", Need::required, 60).value_or("");
  in.description = f.text("description", Need::optional, 2000, 0).value_or("");
  in.category_id = f.integer("category_id", Need::required, 1).value_or(0);
  in.source =
      f.one_of("source", Need::optional,
               {"resident", "grid_patrol", "hotline_12345", "council", "open311", "walk_in"})
          .value_or(resident ? "resident" : "grid_patrol");
  in.grid_id = f.integer("grid_id", Need::optional, 1);
  in.building_id = f.integer("building_id", Need::optional, 1);
  in.address = f.text("address", Need::optional, 200, 0).value_or("");
  in.lat = f.number("lat", Need::optional, -90, 90);
  in.lng = f.number("lng", Need::optional, -180, 180);
  in.priority = f.one_of("priority", Need::optional, {"normal", "urgent"}).value_or("normal");
  in.reporter_name = f.text("reporter_name", Need::optional, 50, 0);
  in.reporter_phone = f.text("reporter_phone", Need::optional, 32, 0);
  in.photo_ids =
      f.text_list("photo_ids", Need::optional, 3, 64).value_or(std::vector<std::string>{});
  return in;
}

ActionInput read_action(http::Fields& f) {
  ActionInput in;
  in.action =
      f.one_of("action", Need::required,
               {"accept", "reject", "merge", "dispatch", "start", "handle", "verify", "close",
                "rate", "return", "escalate", "extend", "extend_decision", "supervise", "comment"})
          .value_or("");
  in.expected_version = f.integer("expected_version", Need::optional, 1);
  in.note = f.text("note", Need::optional, 500, 0).value_or("");
  in.reason = f.text("reason", Need::optional, 500, 0).value_or("");
  in.into_case_id = f.integer("into_case_id", Need::optional, 1);
  in.handler_user_id = f.integer("handler_user_id", Need::optional, 1);
  in.handler_unit = f.text("handler_unit", Need::optional, 50);
  in.deadline = f.integer("deadline", Need::optional, 1);
  in.photo_ids =
      f.text_list("photo_ids", Need::optional, 9, 64).value_or(std::vector<std::string>{});
  in.passed = f.boolean("passed", Need::optional);
  in.approved = f.boolean("approved", Need::optional);
  in.rating =
      f.one_of("rating", Need::optional, {"satisfied", "basically_satisfied", "dissatisfied"});
  in.days = f.integer("days", Need::optional, 1, 30);
  in.hours = f.integer("hours", Need::optional, 1, 240);
  return in;
}

Result<ListQuery> read_list(const http::Request& req) {
  http::QueryFields f(req);
  ListQuery q;
  q.status = f.one_of("status", {"reported", "accepted", "rejected", "merged", "dispatched",
                                 "in_progress", "handled", "verified", "closed", "reopened"});
  q.area_id = f.integer("area", 1, INT64_MAX);
  q.category_id = f.integer("category", 1, INT64_MAX);
  q.mine = f.boolean("mine").value_or(false);
  q.overdue = f.boolean("overdue").value_or(false);
  q.warning = f.one_of("warning", {"yellow", "red"});
  q.q = f.text("q", 50);
  q.cursor = f.text("cursor", 40);
  q.limit = static_cast<int>(f.integer("limit", 1, 100).value_or(20));
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  return q;
}

Result<std::string> idempotency_key(const http::Request& req) {
  const std::string_view key = req.header("idempotency-key");
  const bool printable = std::ranges::all_of(key, [](char c) { return c > 32 && c < 127; });
  if (key.size() > kMaxIdempotencyKey || !printable) {
    return fail(errors::invalid_field("Idempotency-Key", "format",
                                      "Idempotency-Key 应为不超过200个可见ASCII字符"));
  }
  return std::string(key);
}

class CasesModule : public Module {
 public:
  explicit CasesModule(App& app) : app_(app), service_(app) {
    service_.seed_calendar();
    service_.ensure_rollups();
    if (const int seconds = supervision_seconds(); seconds > 0) {
      scheduler_ = Periodic("督办扫描", std::chrono::seconds(seconds), [this] { supervise(); });
    }
  }
  // The scheduler member is destroyed first: it asks the loop to stop, wakes
  // it and joins before the service goes away.
  ~CasesModule() override = default;
  std::string_view name() const override { return "cases"; }
  void add_routes(http::Router& router) override;
  CaseService& service() { return service_; }

 private:
  api::Reply categories(http::Request& req, const auth::Actor& actor);
  api::Reply create_category(http::Request& req, const auth::Actor& actor);
  api::Reply update_category(http::Request& req, const auth::Actor& actor);
  api::Reply calendar(http::Request& req, const auth::Actor& actor);
  api::Reply photo(http::Request& req, const auth::Actor& actor);
  api::Reply put_hours(http::Request& req, const auth::Actor& actor);
  api::Reply put_day(http::Request& req, const auth::Actor& actor);
  api::Reply open_by_grid(http::Request& req, const auth::Actor& actor);
  api::Reply delete_day(http::Request& req, const auth::Actor& actor);
  api::Reply list(http::Request& req, const auth::Actor& actor);
  api::Reply create(http::Request& req, const auth::Actor& actor);
  api::Reply get(http::Request& req, const auth::Actor& actor);
  api::Reply act(http::Request& req, const auth::Actor& actor);
  api::Reply board(http::Request& req, const auth::Actor& actor);
  api::Reply stats(http::Request& req, const auth::Actor& actor);

  // One pass of the supervision scheduler (run every supervision_seconds(),
  // the first a period after start; Periodic logs a pass that throws).
  void supervise() {
    const SupervisionReport r = service_.run_supervision_once(service_.now());
    if (r.escalated || r.red || r.yellow) {
      spdlog::info("督办扫描：新增黄色预警 {} 件、红色预警 {} 件，自动上报 {} 件", r.yellow, r.red,
                   r.escalated);
    }
  }

  App& app_;
  CaseService service_;
  Periodic scheduler_;  // last: stops before the service is destroyed
};

void CasesModule::add_routes(http::Router& router) {
  using Self = CasesModule;
  const auto bind = [this](auto method) { return api::guard(app_, this, method); };
  router.get("/api/v1/case-categories", bind(&Self::categories));
  router.post("/api/v1/case-categories", bind(&Self::create_category));
  router.patch("/api/v1/case-categories/{id}", bind(&Self::update_category));
  router.get("/api/v1/calendar", bind(&Self::calendar));
  router.put("/api/v1/calendar/hours", bind(&Self::put_hours));
  router.put("/api/v1/calendar/{date}", bind(&Self::put_day));
  router.del("/api/v1/calendar/{date}", bind(&Self::delete_day));
  router.get("/api/v1/cases", bind(&Self::list));
  router.post("/api/v1/cases", bind(&Self::create));
  router.get("/api/v1/cases/supervision", bind(&Self::board));
  router.get("/api/v1/stats/cases", bind(&Self::stats));
  router.get("/api/v1/stats/cases/open-by-grid", bind(&Self::open_by_grid));
  router.get("/api/v1/cases/{id}", bind(&Self::get));
  router.post("/api/v1/cases/{id}/actions", bind(&Self::act));
  router.get("/api/v1/cases/{id}/photos/{file}", bind(&Self::photo));
}

api::Reply CasesModule::categories(http::Request&, const auth::Actor& actor) {
  auto tree = service_.category_tree(actor);
  if (!tree) return fail(tree.error());
  json::array items;
  for (const Category& c : *tree) items.push_back(category_json(c));
  return http::ok(json::object{{"items", std::move(items)}});
}

api::Reply CasesModule::create_category(http::Request& req, const auth::Actor& actor) {
  auto in =
      api::read_body<CategoryInput>(req, [](http::Fields& f) { return read_category(f, false); });
  if (!in) return fail(in.error());
  auto c = service_.create_category(actor, *in);
  if (!c) return fail(c.error());
  return http::created(category_json(*c));
}

api::Reply CasesModule::update_category(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto in =
      api::read_body<CategoryInput>(req, [](http::Fields& f) { return read_category(f, true); });
  if (!in) return fail(in.error());
  auto c = service_.update_category(actor, *id, *in);
  if (!c) return fail(c.error());
  return http::ok(category_json(*c));
}

api::Reply CasesModule::calendar(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  const auto this_year = static_cast<int>(
      std::chrono::year_month_day{service_.calendar()->local_date(service_.now())}.year());
  const int year = static_cast<int>(f.integer("year", 2000, 2100).value_or(this_year));
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  auto days = service_.calendar_year(actor, year);
  if (!days) return fail(days.error());
  json::array items;
  for (const CalendarDay& d : *days) {
    items.push_back({{"date", d.date}, {"kind", d.kind}, {"name", d.name}});
  }
  const auto& hours = service_.calendar()->hours();
  return http::ok(json::object{{"year", year},
                               {"working_hours", format_hours(hours)},
                               {"minutes_per_day", hours.minutes_per_day()},
                               {"items", std::move(items)}});
}

api::Reply CasesModule::put_day(http::Request& req, const auth::Actor& actor) {
  struct In {
    std::string kind, name;
  };
  auto in = api::read_body<In>(req, [](http::Fields& f) {
    return In{f.one_of("kind", Need::required, {"workday", "rest"}).value_or(""),
              f.text("name", Need::optional, 30, 0).value_or("")};
  });
  if (!in) return fail(in.error());
  const std::string date = req.params["date"];
  if (!parse_date(date))
    return fail(errors::invalid_field("date", "format", "日期格式应为 YYYY-MM-DD"));
  auto day = service_.put_calendar_day(actor, {date, in->kind, in->name});
  if (!day) return fail(day.error());
  return http::ok(json::object{{"date", day->date}, {"kind", day->kind}, {"name", day->name}});
}

api::Reply CasesModule::put_hours(http::Request& req, const auth::Actor& actor) {
  auto text = api::read_body<std::string>(req, [](http::Fields& f) {
    return f.text("working_hours", Need::required, 100, 5).value_or("");
  });
  if (!text) return fail(text.error());
  auto hours = service_.set_working_hours(actor, *text);
  if (!hours) return fail(hours.error());
  return http::ok(json::object{{"working_hours", format_hours(*hours)},
                               {"minutes_per_day", hours->minutes_per_day()}});
}

api::Reply CasesModule::delete_day(http::Request& req, const auth::Actor& actor) {
  const std::string date = req.params["date"];
  if (!parse_date(date)) return fail(errors::not_found("该日期没有特别安排"));
  if (auto ok = service_.delete_calendar_day(actor, date); !ok) return fail(ok.error());
  return http::no_content();
}

api::Reply CasesModule::list(http::Request& req, const auth::Actor& actor) {
  auto q = read_list(req);
  if (!q) return fail(q.error());
  auto page = service_.list(actor, *q);
  if (!page) return fail(page.error());
  return http::ok(case_page_json(page->items, page->next_cursor));
}

api::Reply CasesModule::create(http::Request& req, const auth::Actor& actor) {
  const bool resident = actor.who.kind == "resident";
  auto in =
      api::read_body<NewCase>(req, [&](http::Fields& f) { return read_new_case(f, resident); });
  if (!in) return fail(in.error());
  auto key = idempotency_key(req);
  if (!key) return fail(key.error());
  auto made = service_.create(actor, *in, *key, req.body);
  if (!made) return fail(made.error());
  return made->fresh ? http::created(detail_json(made->detail))
                     : http::ok(detail_json(made->detail));
}

api::Reply CasesModule::get(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto d = service_.get(actor, *id);
  if (!d) return fail(d.error());
  return http::ok(detail_json(*d));
}

api::Reply CasesModule::act(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto in = api::read_body<ActionInput>(req, read_action);
  if (!in) return fail(in.error());
  auto d = service_.act(actor, *id, *in);
  if (!d) return fail(d.error());
  return http::ok(detail_json(*d));
}

// Photos are named by content hash, so a browser may keep them forever.
api::Reply CasesModule::photo(http::Request& req, const auth::Actor& actor) {
  auto id = api::id_param(req);
  if (!id) return fail(id.error());
  auto photo = service_.photo(actor, *id, req.params["file"]);
  if (!photo) return fail(photo.error());
  http::Response res;
  res.content_type = photo->mime;
  res.body = std::move(photo->bytes);
  res.set_header("Cache-Control", "private, max-age=31536000, immutable");
  res.set_header("Content-Disposition", "inline");
  return res;
}

api::Reply CasesModule::board(http::Request&, const auth::Actor& actor) {
  auto b = service_.board(actor);
  if (!b) return fail(b.error());
  json::array red, yellow;
  for (const Case& c : b->red) red.push_back(case_json(c));
  for (const Case& c : b->yellow) yellow.push_back(case_json(c));
  return http::ok(json::object{{"red", std::move(red)}, {"yellow", std::move(yellow)}});
}

api::Reply CasesModule::stats(http::Request& req, const auth::Actor& actor) {
  auto q = read_stats(req);
  if (!q) return fail(q.error());
  auto s = service_.stats(actor, *q);
  if (!s) return fail(s.error());
  return http::ok(stats_json(*s));
}

api::Reply CasesModule::open_by_grid(http::Request& req, const auth::Actor& actor) {
  http::QueryFields f(req);
  auto area = f.integer("area", 1, INT64_MAX);
  if (auto ok = f.finish(); !ok) return fail(ok.error());
  auto open = service_.open_by_grid(actor, area);
  if (!open) return fail(open.error());
  json::array items;
  for (const GridOpenCount& g : open->grids) {
    items.push_back({{"grid", {{"id", g.grid.id}, {"name", g.grid.name}}},
                     {"open", g.open},
                     {"yellow", g.yellow},
                     {"red", g.red}});
  }
  return http::ok(json::object{{"area", area_ref_json(open->area)}, {"items", std::move(items)}});
}

}  // namespace

json::object case_page_json(const std::vector<Case>& cases,
                            const std::optional<std::string>& next_cursor) {
  json::array items;
  items.reserve(cases.size());
  for (const Case& c : cases) items.push_back(case_json(c));
  return json::object{{"items", std::move(items)}, {"next_cursor", optional(next_cursor)}};
}

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<CasesModule>(app);
}

CaseService& service_of(Module& cases_module) {
  return static_cast<CasesModule&>(cases_module).service();
}

}  // namespace cg::cases
