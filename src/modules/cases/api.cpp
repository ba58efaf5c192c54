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
#include "db/db.hpp"
#include "http/json.hpp"
#include "http/router.hpp"
#include "modules/cases/module.hpp"
#include "modules/cases/page_cache.hpp"
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

// A pending extension request, or null.
void write_extension_request(JsonWriter& w, const Case& c) {
  w.key("extension_request");
  if (!c.extension_minutes) {
    w.null();
    return;
  }
  w.begin_object().member("minutes", *c.extension_minutes);
  w.member("reason", c.extension_reason).end_object();
}

std::optional<double> rate(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

json::object area_ref_json(const AreaRef& a) {
  return {{"id", a.id}, {"name", a.name}, {"level", a.level}};
}

void write_area_ref(JsonWriter& w, const AreaRef& a) {
  w.begin_object().member("id", a.id).member("name", a.name).member("level", a.level);
  w.end_object();
}

void write_indicators(JsonWriter& w, const Counts& c) {
  w.member("received", c.received)
      .member("accepted", c.accepted)
      .member("closed", c.closed)
      .member("on_time_closed", c.on_time_closed)
      .member("on_time_rate", rate(c.on_time_closed, c.closed))
      .member("rated", c.rated)
      .member("satisfaction_rate", rate(c.satisfied, c.rated))
      .member("rework_rate", rate(c.reworked, c.handled))
      .member("closed_in_grid_share", rate(c.closed_in_grid, c.closed))
      .member("closed_in_community_share", rate(c.closed_in_community, c.closed))
      .member("avg_handling_working_hours",
              c.handling_cases == 0
                  ? std::nullopt
                  : std::optional<double>(static_cast<double>(c.handling_minutes) /
                                          static_cast<double>(c.handling_cases) / 60.0));
}

// Written straight into the body: a district's 500 children are ~200 KB of JSON.
JsonWriter stats_json(const CaseStats& s) {
  JsonWriter w(512 + 448 * s.by_child.size() + 160 * s.by_category.size());
  w.begin_object().key("area");
  write_area_ref(w, s.area);
  w.member("from", s.from).member("to", s.to);
  write_indicators(w, s.total);
  w.key("by_child").begin_array();
  for (const AreaCounts& a : s.by_child) {
    w.begin_object();
    write_indicators(w, a.counts);
    w.key("area");
    write_area_ref(w, a.area);
    w.end_object();
  }
  w.end_array().key("by_category").begin_array();
  for (const CategoryCounts& c : s.by_category) {
    w.begin_object().key("category").begin_object().member("id", c.id).member("name", c.name);
    w.end_object()
        .member("received", c.counts.received)
        .member("closed", c.counts.closed)
        .member("on_time_rate", rate(c.counts.on_time_closed, c.counts.closed))
        .member("satisfaction_rate", rate(c.counts.satisfied, c.counts.rated))
        .end_object();
  }
  w.end_array().end_object();
  return w;
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

// An event's data is stored as JSON object text; anything else shows as {}.
void write_event_data(JsonWriter& w, const std::string& stored) {
  auto parsed = http::parse_json(stored);
  if (parsed && parsed->is_object()) {
    w.tree(*parsed);
  } else {
    w.begin_object().end_object();
  }
}

void write_event(JsonWriter& w, const Event& e) {
  w.begin_object().member("id", e.id).member("at", e.at);
  w.key("actor").begin_object();
  w.member("user_id", e.actor_id).member("name", e.actor_name).member("role", e.role);
  w.end_object();
  w.member("action", e.action)
      .member("from_status", e.from_status)
      .member("to_status", e.to_status)
      .member("note", e.note);
  w.key("data");
  write_event_data(w, e.data);
  w.end_object();
}

void write_deadline(JsonWriter& w, const DeadlineInfo& d) {
  w.begin_object()
      .member("kind", d.kind)
      .member("at", d.deadline)
      .member("remaining_working_minutes", d.remaining_working_minutes)
      .member("fraction_used", d.fraction_used)
      .member("warning", d.warning)
      .end_object();
}

void write_photo(JsonWriter& w, std::int64_t case_id, const Photo& p) {
  w.begin_object()
      .member("id", p.file_id)
      .member("stage", p.stage)
      .member("mime", p.mime)
      .member("width", p.width)
      .member("height", p.height)
      .member("at", p.at)
      .member("url", fmt::format("/api/v1/cases/{}/photos/{}", case_id, p.file_id))
      .end_object();
}

// A case with its timeline, running deadline, photos and the caller's actions.
JsonWriter detail_json(const CaseDetail& d) {
  JsonWriter w(2048 + 512 * d.timeline.size());
  w.begin_object();
  write_case_members(w, d.item);
  w.key("timeline").begin_array();
  for (const Event& e : d.timeline) write_event(w, e);
  w.end_array();
  w.key("deadline");
  write_deadline(w, d.deadline);
  w.key("photos").begin_array();
  for (const Photo& p : d.photos) write_photo(w, d.item.id, p);
  w.end_array();
  w.key("allowed_actions").begin_array();
  for (const std::string& a : d.allowed_actions) w.value(a);
  w.end_array();
  w.end_object();
  return w;
}

// A list of cases under `name`, as the supervision board shows them.
void write_cases(JsonWriter& w, std::string_view name, const std::vector<Case>& cases) {
  w.key(name).begin_array();
  for (const Case& c : cases) write_case(w, c);
  w.end_array();
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
    PageCache& pages = app.db->extension<PageCache>();
    app.metrics.add_source([&pages] { return pages.metrics(); });
    if (const int seconds = supervision_seconds(); seconds > 0 && app.config.background_jobs) {
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
    const auto start = std::chrono::steady_clock::now();
    const SupervisionReport r = service_.run_supervision_once(service_.now());
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    // A pass reads only the cases due; a long one (the first after migration
    // 0063 or a calendar change, which look at every running case) is worth a line.
    if (r.escalated || r.red || r.yellow || ms >= 1000) {
      spdlog::info(
          "督办扫描：查看 {} 件，新增黄色预警 {} 件、红色预警 {} 件，自动上报 {} 件，用时 {} ms",
          r.read, r.yellow, r.red, r.escalated, ms);
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

// A list page carries its ETag; a client that sends it back in If-None-Match
// gets 304 without the body. "no-cache": a browser keeps the page and asks
// again each time (with If-None-Match), so polling costs a 304.
api::Reply CasesModule::list(http::Request& req, const auth::Actor& actor) {
  auto q = read_list(req);
  if (!q) return fail(q.error());
  auto body = service_.list_body(actor, *q, [](const Page& page) {
    return case_page_json(page.items, page.next_cursor).take();
  });
  if (!body) return fail(body.error());
  http::Response res;
  if (http::none_match(req.header("if-none-match"), body->etag)) {
    res.body = *body->bytes;
  } else {
    res.status = 304;
    res.content_type.clear();
  }
  res.set_header("ETag", std::move(body->etag));
  res.set_header("Cache-Control", "private, no-cache");
  return res;
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
  JsonWriter w(kCaseJsonBytes * (b->red.size() + b->yellow.size()) + 32);
  w.begin_object();
  write_cases(w, "red", b->red);
  write_cases(w, "yellow", b->yellow);
  w.end_object();
  return http::ok(std::move(w));
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

void write_case_members(JsonWriter& w, const Case& c) {
  w.member("id", c.id)
      .member("number", c.number)
      .member("title", c.title)
      .member("description", c.description);
  w.key("category").begin_object().member("id", c.category_id);
  w.member("name", c.category_name).end_object();
  w.member("source", c.source);
  w.key("reporter").begin_object().member("user_id", c.reporter_user_id);
  w.member("name", c.reporter_name).member("phone_masked", c.reporter_phone_masked).end_object();
  w.key("grid").begin_object().member("id", c.grid_id).member("name", c.grid_name).end_object();
  w.member("building_id", c.building_id)
      .member("address", c.address)
      .member("lat", c.lat)
      .member("lng", c.lng)
      .member("priority", c.priority)
      .member("status", c.status)
      .member("level", c.level);
  w.key("handler").begin_object().member("unit", c.handler_unit);
  w.member("user_id", c.handler_user_id).end_object();
  w.member("accept_deadline", c.accept_deadline).member("handle_deadline", c.handle_deadline);
  write_extension_request(w, c);
  w.member("rework_count", c.rework_count)
      .member("reopen_count", c.reopen_count)
      .member("rating", c.rating)
      .member("rating_comment", c.rating_comment)
      .member("merged_into", c.merged_into)
      .member("version", c.version)
      .member("created_at", c.created_at)
      .member("updated_at", c.updated_at)
      .member("closed_at", c.closed_at)
      .member("warning", c.warning)
      .member("escalated_at", c.escalated_at);
}

void write_case(JsonWriter& w, const Case& c) {
  w.begin_object();
  write_case_members(w, c);
  w.end_object();
}

JsonWriter case_page_json(const std::vector<Case>& cases,
                          const std::optional<std::string>& next_cursor) {
  JsonWriter w(kCaseJsonBytes * cases.size() + 64);
  w.begin_object().key("items").begin_array();
  for (const Case& c : cases) write_case(w, c);
  w.end_array().member("next_cursor", next_cursor).end_object();
  return w;
}

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<CasesModule>(app);
}

CaseService& service_of(Module& cases_module) {
  return static_cast<CasesModule&>(cases_module).service();
}

}  // namespace cg::cases
