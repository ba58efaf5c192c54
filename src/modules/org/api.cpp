// Routes of the org module: parse the request, call OrgService, write JSON.
// See docs/api-org.md for the contract.
#include <boost/json/serialize.hpp>

#include "app/api.hpp"
#include "app/app.hpp"
#include "core/geo.hpp"
#include "http/router.hpp"
#include "modules/org/module.hpp"
#include "modules/org/service.hpp"

namespace cg::org {
namespace {

namespace json = http::json;
using http::Need;

// ---- JSON out ----------------------------------------------------------------

json::value opt(const std::optional<std::int64_t>& v) {
  return v ? json::value(*v) : nullptr;
}
json::value opt(const std::optional<double>& v) {
  return v ? json::value(*v) : nullptr;
}
json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : nullptr;
}

json::object to_json(const Area& a) {
  return {{"id", a.id},
          {"code", a.code},
          {"name", a.name},
          {"level", level_name(a.level)},
          {"parent_id", opt(a.parent_id)},
          {"path", a.path},
          {"street_id", opt(a.street_id)},
          {"has_boundary", a.has_boundary},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

json::object to_json(const TreeNode& n) {
  json::array children;
  for (const TreeNode& child : n.children) children.push_back(to_json(child));
  return {{"id", n.area.id},
          {"code", n.area.code},
          {"name", n.area.name},
          {"level", level_name(n.area.level)},
          {"parent_id", opt(n.area.parent_id)},
          {"counts",
           {{"grids", n.counts.grids},
            {"buildings", n.counts.buildings},
            {"households", n.counts.households},
            {"residents", n.counts.residents}}},
          {"children", std::move(children)}};
}

json::object to_json(const Building& b) {
  return {{"id", b.id},
          {"grid_id", b.grid_id},
          {"name", b.name},
          {"address", b.address},
          {"lat", opt(b.lat)},
          {"lng", opt(b.lng)},
          {"household_count", b.household_count},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
}

json::object to_json(const Household& h) {
  return {{"id", h.id},
          {"building_id", h.building_id},
          {"grid_id", h.grid_id},
          {"unit", h.unit},
          {"floor", h.floor},
          {"room", h.room},
          {"address", h.address},
          {"member_count", h.member_count},
          {"created_at", h.created_at},
          {"updated_at", h.updated_at}};
}

json::object to_json(const Member& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"relation", m.relation},
          {"gender", m.gender},
          {"birth_date", opt(m.birth_date)}};
}

template <class T>
json::object page_json(const Page<T>& page) {
  json::array items;
  for (const T& item : page.items) items.push_back(to_json(item));
  return {{"items", std::move(items)}, {"next_cursor", opt(page.next_cursor)}};
}

// Turns a service result into a reply: 200/201 with its JSON, or the error.
template <class T>
api::Reply reply(const Result<T>& result, int status = 200) {
  if (!result) return fail(result.error());
  return http::json_response(status, to_json(*result));
}

api::Reply reply(const Status& status) {
  if (!status) return fail(status.error());
  return http::no_content();
}

// ---- Input ---------------------------------------------------------------------

constexpr std::size_t kNameChars = 50;
constexpr std::size_t kCodeChars = 24;
constexpr std::size_t kAddressChars = 200;
constexpr std::size_t kRoomChars = 20;

// Listing parameters shared by buildings and households.
Result<ListQuery> list_query(const http::Request& req, bool households) {
  http::QueryFields q(req);
  ListQuery query;
  query.area_id = q.integer("area", 1, INT64_MAX);
  if (households) query.building_id = q.integer("building", 1, INT64_MAX);
  query.cursor = q.text("cursor", 32);
  query.limit = static_cast<int>(q.integer("limit", 1, OrgService::kMaxPage).value_or(50));
  if (query.area_id && query.building_id) {
    q.add_error("building", "conflict", "building 与 area 只能指定其一");
  }
  if (auto done = q.finish(); !done) return fail(done.error());
  return query;
}

// ---- Handlers --------------------------------------------------------------------

class OrgApi {
 public:
  explicit OrgApi(App& app) : app_(app) {}

  using Handler = api::Reply (OrgApi::*)(const http::Request&, const auth::Actor&);

  void add(http::Router& router, std::string method, std::string pattern, Handler handler) {
    router.add(std::move(method), std::move(pattern), api::guard(app_, this, handler));
  }

  api::Reply tree(const http::Request& req, const auth::Actor& actor) {
    http::QueryFields q(req);
    auto root = q.integer("root", 1, INT64_MAX);
    auto depth = q.integer("depth", 0, OrgService::kMaxDepth);
    if (auto done = q.finish(); !done) return fail(done.error());
    auto roots =
        service().tree(actor, root, static_cast<int>(depth.value_or(OrgService::kMaxDepth)));
    if (!roots) return fail(roots.error());
    json::array items;
    for (const TreeNode& node : *roots) items.push_back(to_json(node));
    return http::ok(json::object{{"roots", std::move(items)}});
  }

  api::Reply get_area(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    return reply(service().area(actor, *id));
  }

  api::Reply create_area(const http::Request& req, const auth::Actor& actor) {
    auto input = api::read_body<NewArea>(req, [](http::Fields& f) {
      NewArea a;
      a.parent_id = f.integer("parent_id", Need::optional, 1);
      auto level =
          f.one_of("level", Need::required, {"city", "district", "street", "community", "grid"});
      if (level) a.level = *level_from_name(*level);
      a.name = f.text("name", Need::required, kNameChars).value_or("");
      a.code = f.text("code", Need::optional, kCodeChars);
      return a;
    });
    if (!input) return fail(input.error());
    return reply(service().create_area(actor, *input), 201);
  }

  api::Reply update_area(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    auto patch = api::read_body<AreaPatch>(req, [](http::Fields& f) {
      return AreaPatch{f.text("name", Need::optional, kNameChars),
                       f.text("code", Need::optional, kCodeChars)};
    });
    if (!patch) return fail(patch.error());
    return reply(service().update_area(actor, *id, *patch));
  }

  api::Reply delete_area(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    return reply(service().delete_area(actor, *id));
  }

  api::Reply get_boundary(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    auto geojson = service().boundary(actor, *id);
    if (!geojson) return fail(geojson.error());
    http::Response res;
    res.content_type = "application/geo+json; charset=utf-8";
    res.body = std::move(*geojson);
    return res;
  }

  api::Reply put_boundary(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    auto body = http::json_body(req);
    if (!body) return fail(body.error());
    auto shape = parse_geojson_area(json::value(std::move(*body)), "boundary");
    if (!shape) return fail(shape.error());
    return reply(service().set_boundary(actor, *id, *shape));
  }

  api::Reply delete_boundary(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    return reply(service().delete_boundary(actor, *id));
  }

  api::Reply locate(const http::Request& req, const auth::Actor& actor) {
    http::QueryFields q(req);
    auto lat = q.number("lat", -90, 90);
    auto lng = q.number("lng", -180, 180);
    if (!req.query_param("lat")) q.add_error("lat", "required", "此项为必填项");
    if (!req.query_param("lng")) q.add_error("lng", "required", "此项为必填项");
    if (auto done = q.finish(); !done) return fail(done.error());
    auto grid = service().locate(actor, *lat, *lng);
    if (!grid) return fail(grid.error());
    return http::ok(json::object{{"grid", to_json(*grid)}});
  }

  api::Reply list_buildings(const http::Request& req, const auth::Actor& actor) {
    auto query = list_query(req, false);
    if (!query) return fail(query.error());
    auto page = service().buildings(actor, *query);
    if (!page) return fail(page.error());
    return http::ok(page_json(*page));
  }

  api::Reply own_grid_buildings(const http::Request&, const auth::Actor& actor) {
    auto list = service().own_grid_buildings(actor);
    if (!list) return fail(list.error());
    json::array items;
    for (const Building& b : *list) items.push_back(to_json(b));
    return http::ok(json::object{{"items", std::move(items)}});
  }

  api::Reply get_building(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    return reply(service().building(actor, *id));
  }

  api::Reply create_building(const http::Request& req, const auth::Actor& actor) {
    auto input = api::read_body<NewBuilding>(req, [](http::Fields& f) {
      NewBuilding b;
      b.grid_id = f.integer("grid_id", Need::required, 1).value_or(0);
      b.name = f.text("name", Need::required, kNameChars).value_or("");
      b.address = f.text("address", Need::optional, kAddressChars, 0).value_or("");
      b.lat = f.number("lat", Need::optional, -90, 90);
      b.lng = f.number("lng", Need::optional, -180, 180);
      return b;
    });
    if (!input) return fail(input.error());
    return reply(service().create_building(actor, *input), 201);
  }

  api::Reply update_building(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    auto patch = api::read_body<BuildingPatch>(req, [](http::Fields& f) {
      return BuildingPatch{f.text("name", Need::optional, kNameChars),
                           f.text("address", Need::optional, kAddressChars, 0),
                           f.number("lat", Need::optional, -90, 90),
                           f.number("lng", Need::optional, -180, 180)};
    });
    if (!patch) return fail(patch.error());
    return reply(service().update_building(actor, *id, *patch));
  }

  api::Reply delete_building(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    return reply(service().delete_building(actor, *id));
  }

  api::Reply list_households(const http::Request& req, const auth::Actor& actor) {
    auto query = list_query(req, true);
    if (!query) return fail(query.error());
    auto page = service().households(actor, *query);
    if (!page) return fail(page.error());
    return http::ok(page_json(*page));
  }

  api::Reply get_household(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    auto detail = service().household(actor, *id);
    if (!detail) return fail(detail.error());
    json::object body = to_json(detail->household);
    json::array members;
    for (const Member& m : detail->members) members.push_back(to_json(m));
    body["members"] = std::move(members);
    return http::ok(body);
  }

  api::Reply create_household(const http::Request& req, const auth::Actor& actor) {
    auto input = api::read_body<NewHousehold>(req, [](http::Fields& f) {
      NewHousehold h;
      h.building_id = f.integer("building_id", Need::required, 1).value_or(0);
      h.unit = f.text("unit", Need::optional, kRoomChars, 0).value_or("");
      h.floor = f.integer("floor", Need::required, -10, 300).value_or(0);
      h.room = f.text("room", Need::required, kRoomChars).value_or("");
      return h;
    });
    if (!input) return fail(input.error());
    return reply(service().create_household(actor, *input), 201);
  }

  api::Reply update_household(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    auto patch = api::read_body<HouseholdPatch>(req, [](http::Fields& f) {
      HouseholdPatch p;
      p.unit = f.text("unit", Need::optional, kRoomChars, 0);
      p.floor = f.integer("floor", Need::optional, -10, 300);
      p.room = f.text("room", Need::optional, kRoomChars);
      return p;
    });
    if (!patch) return fail(patch.error());
    return reply(service().update_household(actor, *id, *patch));
  }

  api::Reply delete_household(const http::Request& req, const auth::Actor& actor) {
    auto id = api::id_param(req);
    if (!id) return fail(id.error());
    return reply(service().delete_household(actor, *id));
  }

 private:
  OrgService& service() { return *app_.org; }
  App& app_;
};

class OrgModule : public Module {
 public:
  explicit OrgModule(App& app) : api_(app) {}
  std::string_view name() const override { return "org"; }

  void add_routes(http::Router& router) override {
    const std::string areas = "/api/v1/areas";
    api_.add(router, "GET", areas + "/tree", &OrgApi::tree);
    api_.add(router, "GET", areas + "/locate", &OrgApi::locate);
    api_.add(router, "POST", areas, &OrgApi::create_area);
    api_.add(router, "GET", areas + "/{id}", &OrgApi::get_area);
    api_.add(router, "PATCH", areas + "/{id}", &OrgApi::update_area);
    api_.add(router, "DELETE", areas + "/{id}", &OrgApi::delete_area);
    api_.add(router, "GET", areas + "/{id}/boundary", &OrgApi::get_boundary);
    api_.add(router, "PUT", areas + "/{id}/boundary", &OrgApi::put_boundary);
    api_.add(router, "DELETE", areas + "/{id}/boundary", &OrgApi::delete_boundary);

    const std::string buildings = "/api/v1/buildings";
    api_.add(router, "GET", buildings, &OrgApi::list_buildings);
    api_.add(router, "GET", "/api/v1/me/buildings", &OrgApi::own_grid_buildings);
    api_.add(router, "POST", buildings, &OrgApi::create_building);
    api_.add(router, "GET", buildings + "/{id}", &OrgApi::get_building);
    api_.add(router, "PATCH", buildings + "/{id}", &OrgApi::update_building);
    api_.add(router, "DELETE", buildings + "/{id}", &OrgApi::delete_building);

    const std::string households = "/api/v1/households";
    api_.add(router, "GET", households, &OrgApi::list_households);
    api_.add(router, "POST", households, &OrgApi::create_household);
    api_.add(router, "GET", households + "/{id}", &OrgApi::get_household);
    api_.add(router, "PATCH", households + "/{id}", &OrgApi::update_household);
    api_.add(router, "DELETE", households + "/{id}", &OrgApi::delete_household);
  }

 private:
  OrgApi api_;
};

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<OrgModule>(app);
}

}  // namespace cg::org
