// Grid boundaries: GeoJSON (Multi)Polygons, validated, and point lookup.
//
// Coordinates are WGS84 lng/lat treated as planar: edges are straight lines
// in degrees, which for community-sized areas (a few km) differs from the
// geodesic by centimetres. Boost.Geometry stays inside geo.cpp (it is heavy
// to compile); this header exposes plain structs. Rings follow RFC 7946:
// outer rings counter-clockwise, holes clockwise, first point repeated last.
// Thread-safety: pure functions over values.
#pragma once

#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace boost::json {
class value;
}

namespace cg {

struct GeoPoint {
  double lng = 0;
  double lat = 0;
  bool operator==(const GeoPoint&) const = default;
};

using GeoRing = std::vector<GeoPoint>;

struct GeoPolygon {
  GeoRing outer;
  std::vector<GeoRing> holes;
};

struct GeoArea {
  std::vector<GeoPolygon> polygons;
};

struct GeoBox {
  double min_lng = 0, min_lat = 0, max_lng = 0, max_lat = 0;
};

// Accepts a Polygon or MultiPolygon geometry, or a Feature holding one.
// Rings are re-oriented as RFC 7946 asks; an area that is still invalid
// (self-intersecting, hole outside its polygon, ...) is an error naming `field`.
Result<GeoArea> parse_geojson_area(const boost::json::value& json,
                                   std::string_view field = "boundary");

// A Polygon geometry for one polygon, a MultiPolygon otherwise.
boost::json::value to_geojson(const GeoArea& area);

// True inside or on the boundary (a point on the border of two neighbouring
// grids matches both; the caller picks one). False inside a hole.
bool contains(const GeoArea& area, double lng, double lat);

// The smallest lng/lat box around the area (all zero for an empty area).
GeoBox bounding_box(const GeoArea& area);

}  // namespace cg
