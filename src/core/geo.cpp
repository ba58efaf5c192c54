#include "core/geo.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

// GCC 12 reports false -Wmaybe-uninitialized inside Boost.Geometry's envelope
// code at -O2; for middle-end warnings only a file-wide pragma is reliable.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <fmt/format.h>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/json.hpp>

namespace cg {
namespace {

namespace bg = boost::geometry;
namespace json = boost::json;

using BPoint = bg::model::d2::point_xy<double>;  // x = lng, y = lat
// Counter-clockwise outer rings and closed rings, as RFC 7946 writes them.
using BPolygon = bg::model::polygon<BPoint, false, true>;
using BMultiPolygon = bg::model::multi_polygon<BPolygon>;

class Parser {
 public:
  explicit Parser(std::string_view field) : field_(field) {}

  Result<GeoArea> area(const json::value& value) {
    const json::object* obj = value.if_object();
    if (!obj) return error("type", "区域边界应为 GeoJSON 对象");
    const std::string_view type = type_of(*obj);
    if (type == "Feature") {
      const json::value* geometry = obj->if_contains("geometry");
      if (!geometry || !geometry->is_object() || type_of(geometry->get_object()) == "Feature")
        return error("type", "GeoJSON Feature 应包含 Polygon 或 MultiPolygon 几何");
      return area(*geometry);
    }
    const json::value* coords = obj->if_contains("coordinates");
    if (type != "Polygon" && type != "MultiPolygon")
      return error("type", "区域边界应为 Polygon 或 MultiPolygon");
    if (!coords || !coords->is_array()) return error("coordinates", "缺少坐标数组 coordinates");

    GeoArea result;
    if (type == "Polygon") {
      auto polygon = parse_polygon(*coords, "");
      if (!polygon) return fail(std::move(polygon.error()));
      result.polygons.push_back(std::move(*polygon));
      return result;
    }
    const json::array& list = coords->get_array();
    if (list.empty()) return error("coordinates", "MultiPolygon 至少需要一个多边形");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto polygon = parse_polygon(list[i], fmt::format("第{}个多边形", i + 1));
      if (!polygon) return fail(std::move(polygon.error()));
      result.polygons.push_back(std::move(*polygon));
    }
    return result;
  }

 private:
  static std::string_view type_of(const json::object& obj) {
    const json::value* type = obj.if_contains("type");
    return type && type->is_string() ? std::string_view(type->get_string()) : std::string_view();
  }

  std::unexpected<Error> error(const char* code, std::string message) const {
    return fail(errors::invalid_field(std::string(field_), code, std::move(message)));
  }

  Result<GeoPolygon> parse_polygon(const json::value& value, const std::string& where) {
    const json::array* rings = value.if_array();
    if (!rings || rings->empty()) return error("coordinates", where + "应为至少包含一个环的数组");
    GeoPolygon polygon;
    for (std::size_t i = 0; i < rings->size(); ++i) {
      auto ring = parse_ring((*rings)[i], fmt::format("{}第{}个环", where, i + 1));
      if (!ring) return fail(std::move(ring.error()));
      if (i == 0)
        polygon.outer = std::move(*ring);
      else
        polygon.holes.push_back(std::move(*ring));
    }
    return polygon;
  }

  Result<GeoRing> parse_ring(const json::value& value, const std::string& where) {
    const json::array* points = value.if_array();
    if (!points || points->size() < 4)
      return error("ring", where + "至少需要4个坐标点（首尾相同）");
    GeoRing ring;
    for (const json::value& position : *points) {
      auto point = parse_position(position, where);
      if (!point) return fail(std::move(point.error()));
      ring.push_back(*point);
    }
    if (ring.front() != ring.back()) return error("ring", where + "未闭合：首尾坐标应相同");
    return ring;
  }

  Result<GeoPoint> parse_position(const json::value& value, const std::string& where) {
    const json::array* pair = value.if_array();
    if (!pair || pair->size() < 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number())
      return error("position", where + "中的坐标应为 [经度, 纬度]");
    const GeoPoint point{(*pair)[0].to_number<double>(), (*pair)[1].to_number<double>()};
    if (!std::isfinite(point.lng) || point.lng < -180 || point.lng > 180)
      return error("longitude", where + "中的经度应在 -180 到 180 之间");
    if (!std::isfinite(point.lat) || point.lat < -90 || point.lat > 90)
      return error("latitude", where + "中的纬度应在 -90 到 90 之间");
    return point;
  }

  std::string_view field_;
};

BPolygon to_boost(const GeoPolygon& polygon) {
  BPolygon out;
  for (const GeoPoint& p : polygon.outer) out.outer().emplace_back(p.lng, p.lat);
  for (const GeoRing& hole : polygon.holes) {
    auto& ring = out.inners().emplace_back();
    for (const GeoPoint& p : hole) ring.emplace_back(p.lng, p.lat);
  }
  return out;
}

template <class Ring>
GeoRing from_boost_ring(const Ring& ring) {
  GeoRing out;
  out.reserve(ring.size());
  for (const BPoint& p : ring) out.push_back({p.x(), p.y()});
  return out;
}

GeoArea from_boost(const BMultiPolygon& multi) {
  GeoArea area;
  for (const BPolygon& polygon : multi) {
    GeoPolygon& out = area.polygons.emplace_back();
    out.outer = from_boost_ring(polygon.outer());
    for (const auto& inner : polygon.inners()) out.holes.push_back(from_boost_ring(inner));
  }
  return area;
}

std::string validity_message(bg::validity_failure_type failure, std::size_t polygon_count) {
  switch (failure) {
    // After correct(), a ring can keep a wrong orientation only when its
    // signed area is zero, as in a bow tie whose two loops cancel out.
    case bg::failure_wrong_orientation:
      return "边界自相交";
    // Boost reports two crossing parts of a MultiPolygon as self-intersection too.
    case bg::failure_self_intersections:
      return polygon_count > 1 ? "边界自相交或多个多边形相互重叠" : "边界自相交";
    case bg::failure_few_points:
      return "边界的点数太少";
    case bg::failure_wrong_topological_dimension:
      return "边界退化成了线或点（面积为零）";
    case bg::failure_spikes:
      return "边界存在来回折返的尖刺";
    case bg::failure_interior_rings_outside:
      return "内环（挖空区域）位于外环之外";
    case bg::failure_nested_interior_rings:
      return "内环（挖空区域）相互嵌套";
    case bg::failure_disconnected_interior:
      return "内环把区域分割成了不连通的部分";
    case bg::failure_intersecting_interiors:
      return "多个多边形相互重叠";
    case bg::failure_invalid_coordinate:
      return "坐标无效";
    default:
      return "边界几何无效";
  }
}

json::array ring_json(const GeoRing& ring) {
  json::array out;
  out.reserve(ring.size());
  for (const GeoPoint& p : ring) out.push_back(json::array{p.lng, p.lat});
  return out;
}

json::array polygon_json(const GeoPolygon& polygon) {
  json::array out;
  out.push_back(ring_json(polygon.outer));
  for (const GeoRing& hole : polygon.holes) out.push_back(ring_json(hole));
  return out;
}

void extend(GeoBox& box, const GeoRing& ring) {
  for (const GeoPoint& p : ring) {
    box.min_lng = std::min(box.min_lng, p.lng);
    box.max_lng = std::max(box.max_lng, p.lng);
    box.min_lat = std::min(box.min_lat, p.lat);
    box.max_lat = std::max(box.max_lat, p.lat);
  }
}

GeoBox ring_box(const GeoRing& ring) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  GeoBox box{inf, inf, -inf, -inf};
  extend(box, ring);
  return box;
}

}  // namespace

Result<GeoArea> parse_geojson_area(const json::value& value, std::string_view field) {
  auto parsed = Parser(field).area(value);
  if (!parsed) return parsed;

  BMultiPolygon multi;
  for (const GeoPolygon& polygon : parsed->polygons) multi.push_back(to_boost(polygon));
  bg::correct(multi);  // orientation and closure; validity is checked after
  bg::validity_failure_type failure = bg::no_failure;
  if (!bg::is_valid(multi, failure))
    return fail(errors::invalid_field(std::string(field), "geometry",
                                      validity_message(failure, multi.size())));
  return from_boost(multi);
}

json::value to_geojson(const GeoArea& area) {
  if (area.polygons.size() == 1)
    return json::object{{"type", "Polygon"}, {"coordinates", polygon_json(area.polygons[0])}};
  json::array polygons;
  for (const GeoPolygon& polygon : area.polygons) polygons.push_back(polygon_json(polygon));
  return json::object{{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}};
}

bool contains(const GeoArea& area, double lng, double lat) {
  const BPoint point(lng, lat);
  for (const GeoPolygon& polygon : area.polygons) {
    // The box test rejects most grids of a street cheaply before the exact test.
    const GeoBox box = ring_box(polygon.outer);
    if (lng < box.min_lng || lng > box.max_lng || lat < box.min_lat || lat > box.max_lat) continue;
    if (bg::covered_by(point, to_boost(polygon))) return true;
  }
  return false;
}

GeoBox bounding_box(const GeoArea& area) {
  if (area.polygons.empty()) return {};
  GeoBox box = ring_box(area.polygons.front().outer);
  for (const GeoPolygon& polygon : area.polygons) extend(box, polygon.outer);
  return box;
}

}  // namespace cg
