#include "core/geo.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace cg {
namespace {

namespace json = boost::json;

// A 10 x 10 (thousandths of a degree) square near Nantong with a 4 x 4 hole in
// the middle, written clockwise to check that rings are re-oriented.
constexpr const char* kSquareWithHole = R"({
  "type": "Polygon",
  "coordinates": [
    [[120.860, 32.010], [120.860, 32.020], [120.870, 32.020], [120.870, 32.010], [120.860, 32.010]],
    [[120.863, 32.013], [120.867, 32.013], [120.867, 32.017], [120.863, 32.017], [120.863, 32.013]]
  ]
})";

Result<GeoArea> parse(std::string_view text) {
  return parse_geojson_area(json::parse(text));
}

std::string error_message(std::string_view text) {
  auto area = parse(text);
  if (area) return "";
  EXPECT_EQ(area.error().errors.at(0).field, "boundary");
  return area.error().errors.at(0).message;
}

// Twice the signed area; positive for counter-clockwise rings.
double signed_area(const GeoRing& ring) {
  double sum = 0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i)
    sum += ring[i].lng * ring[i + 1].lat - ring[i + 1].lng * ring[i].lat;
  return sum;
}

TEST(GeoParse, PolygonWithHole) {
  auto area = parse(kSquareWithHole);
  ASSERT_TRUE(area.has_value()) << area.error().detail;
  ASSERT_EQ(area->polygons.size(), 1u);
  EXPECT_EQ(area->polygons[0].outer.size(), 5u);
  ASSERT_EQ(area->polygons[0].holes.size(), 1u);
  // RFC 7946: outer ring counter-clockwise, holes clockwise.
  EXPECT_GT(signed_area(area->polygons[0].outer), 0);
  EXPECT_LT(signed_area(area->polygons[0].holes[0]), 0);
}

TEST(GeoContains, InsideOutsideAndInTheHole) {
  auto area = parse(kSquareWithHole);
  ASSERT_TRUE(area.has_value());
  EXPECT_TRUE(contains(*area, 120.861, 32.011));   // inside, near a corner
  EXPECT_FALSE(contains(*area, 120.865, 32.015));  // in the hole
  EXPECT_FALSE(contains(*area, 120.880, 32.015));  // east of the square
  EXPECT_FALSE(contains(*area, 120.865, 32.030));  // north of it
  EXPECT_TRUE(contains(*area, 120.860, 32.015));   // on the outer edge
}

TEST(GeoParse, MultiPolygonAndFeature) {
  auto area = parse(R"({"type": "Feature", "properties": {"name": "一网格"}, "geometry": {
    "type": "MultiPolygon", "coordinates": [
      [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
      [[[2, 0], [3, 0], [3, 1], [2, 1], [2, 0]]]
    ]}})");
  ASSERT_TRUE(area.has_value()) << area.error().detail;
  ASSERT_EQ(area->polygons.size(), 2u);
  EXPECT_TRUE(contains(*area, 0.5, 0.5));
  EXPECT_TRUE(contains(*area, 2.5, 0.5));
  EXPECT_FALSE(contains(*area, 1.5, 0.5));  // between the two parts

  const GeoBox box = bounding_box(*area);
  EXPECT_DOUBLE_EQ(box.min_lng, 0);
  EXPECT_DOUBLE_EQ(box.min_lat, 0);
  EXPECT_DOUBLE_EQ(box.max_lng, 3);
  EXPECT_DOUBLE_EQ(box.max_lat, 1);
}

TEST(GeoSerialize, RoundTripsThroughGeoJson) {
  auto area = parse(kSquareWithHole);
  ASSERT_TRUE(area.has_value());
  const json::value out = to_geojson(*area);
  EXPECT_EQ(out.at("type").as_string(), "Polygon");
  EXPECT_EQ(out.at("coordinates").as_array().size(), 2u);
  auto again = parse_geojson_area(out);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->polygons[0].outer, area->polygons[0].outer);
  EXPECT_EQ(again->polygons[0].holes, area->polygons[0].holes);

  auto multi = parse(R"({"type": "MultiPolygon", "coordinates": [
      [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[2, 0], [3, 0], [3, 1], [2, 1], [2, 0]]]]})");
  ASSERT_TRUE(multi.has_value());
  EXPECT_EQ(to_geojson(*multi).at("type").as_string(), "MultiPolygon");
}

TEST(GeoBoundingBox, EmptyAreaIsAllZero) {
  const GeoBox box = bounding_box(GeoArea{});
  EXPECT_EQ(box.min_lng, 0);
  EXPECT_EQ(box.max_lat, 0);
  EXPECT_FALSE(contains(GeoArea{}, 0, 0));
}

TEST(GeoParse, WrongTypesAreRejected) {
  EXPECT_EQ(error_message(R"([1, 2])"), "区域边界应为 GeoJSON 对象");
  EXPECT_EQ(error_message(R"({"type": "Point", "coordinates": [1, 2]})"),
            "区域边界应为 Polygon 或 MultiPolygon");
  EXPECT_EQ(error_message(R"({"type": "Feature", "geometry": null})"),
            "GeoJSON Feature 应包含 Polygon 或 MultiPolygon 几何");
  EXPECT_EQ(error_message(R"({"type": "Polygon"})"), "缺少坐标数组 coordinates");
  EXPECT_EQ(error_message(R"({"type": "MultiPolygon", "coordinates": []})"),
            "MultiPolygon 至少需要一个多边形");
}

TEST(GeoParse, RingsMustBeClosedAndLongEnough) {
  EXPECT_EQ(error_message(R"({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]})"),
            "第1个环至少需要4个坐标点（首尾相同）");
  EXPECT_EQ(
      error_message(R"({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]})"),
      "第1个环未闭合：首尾坐标应相同");
  EXPECT_EQ(error_message(R"({"type": "Polygon", "coordinates": []})"), "应为至少包含一个环的数组");
}

TEST(GeoParse, CoordinatesMustBeNumbersInRange) {
  EXPECT_EQ(
      error_message(R"({"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]})"),
      "第1个环中的经度应在 -180 到 180 之间");
  EXPECT_EQ(
      error_message(R"({"type": "Polygon", "coordinates": [[[0, 0], [1, -91], [1, 1], [0, 0]]]})"),
      "第1个环中的纬度应在 -90 到 90 之间");
  EXPECT_EQ(
      error_message(R"({"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1, 1], [0, 0]]]})"),
      "第1个环中的坐标应为 [经度, 纬度]");
  EXPECT_EQ(error_message(R"({"type": "MultiPolygon", "coordinates": [
      [[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[0, 0], [1]]]]})"),
            "第2个多边形第1个环至少需要4个坐标点（首尾相同）");
}

TEST(GeoParse, InvalidShapesAreRejected) {
  // A bow tie crosses itself.
  EXPECT_EQ(
      error_message(
          R"({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})"),
      "边界自相交");
  // A hole outside its polygon.
  EXPECT_EQ(error_message(R"({"type": "Polygon", "coordinates": [
      [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], [[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]})"),
            "内环（挖空区域）位于外环之外");
  // A loop with unequal lobes keeps a non-zero area and fails differently in Boost.
  EXPECT_EQ(
      error_message(
          R"({"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 1], [0, 0]]]})"),
      "边界自相交");
  // Two overlapping parts of one grid, crossing or one inside the other.
  EXPECT_EQ(error_message(R"({"type": "MultiPolygon", "coordinates": [
      [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]], [[[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]]})"),
            "边界自相交或多个多边形相互重叠");
  EXPECT_FALSE(error_message(R"({"type": "MultiPolygon", "coordinates": [
      [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]], [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]]})")
                   .empty());
  // All points on one line.
  EXPECT_FALSE(
      error_message(R"({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]})")
          .empty());
}

TEST(GeoParse, FieldNameIsConfigurable) {
  auto area = parse_geojson_area(json::parse("{}"), "grid.boundary");
  ASSERT_FALSE(area.has_value());
  EXPECT_EQ(area.error().errors.at(0).field, "grid.boundary");
}

}  // namespace
}  // namespace cg
