// Records of the org tree: areas (city → district → street → community →
// grid), buildings in grids, households in buildings, and the shapes the API
// reads and writes them in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::org {

enum class Level { city, district, street, community, grid };
std::string_view level_name(Level level);   // "grid"
std::string_view level_title(Level level);  // "网格"
std::optional<Level> level_from_name(std::string_view name);
// The level directly below `level`; none below a grid.
std::optional<Level> child_level(Level level);

struct Area {
  std::int64_t id = 0;
  std::optional<std::int64_t> parent_id;
  Level level = Level::grid;
  std::string code;
  std::string name;
  std::string path;                       // "/1/5/23/": ids from the root down to this area
  std::optional<std::int64_t> street_id;  // tenant key; none above street level
  bool has_boundary = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// Where a household is, for the records other modules attach to it.
struct Place {
  std::int64_t household_id = 0;
  std::int64_t building_id = 0;
  std::int64_t grid_id = 0;
  std::optional<std::int64_t> street_id;
  std::string path;  // the grid's path
  std::string grid_name;
  std::string address;  // "八厂社区 3幢 2单元 501室"
};

// "八厂社区 3幢 2单元 501室". Bare numbers get their unit word ("3" → "3幢");
// names that already carry one ("3幢", "东楼") are kept as written.
std::string format_address(std::string_view community, std::string_view building,
                           std::string_view unit, std::string_view room);

// ---- Tree ----

// Records in an area's subtree (the area itself included).
struct Counts {
  std::int64_t grids = 0;
  std::int64_t buildings = 0;
  std::int64_t households = 0;
  std::int64_t residents = 0;
};

struct TreeNode {
  Area area;
  Counts counts;
  std::vector<TreeNode> children;
};

// ---- Buildings and households ----

struct Building {
  std::int64_t id = 0;
  std::int64_t grid_id = 0;
  std::optional<std::int64_t> street_id;
  std::string path;  // the grid's path
  std::string name;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
  std::int64_t household_count = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct Household {
  std::int64_t id = 0;
  std::int64_t building_id = 0;
  std::int64_t grid_id = 0;
  std::optional<std::int64_t> street_id;
  std::string path;  // the grid's path
  std::string unit;
  std::int64_t floor = 0;
  std::string room;
  std::string address;  // derived: community, building, unit, room
  std::int64_t member_count = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// A resident as a household's page shows it: no personal numbers, not even masked.
struct Member {
  std::int64_t id = 0;
  std::string name;
  std::string relation;
  std::string gender;
  std::optional<std::string> birth_date;
};

struct HouseholdDetail {
  Household household;
  std::vector<Member> members;
};

// One page of a keyset listing; next_cursor is absent on the last page.
template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

// ---- Inputs ----

struct NewArea {
  std::optional<std::int64_t> parent_id;  // none for a city
  Level level = Level::grid;
  std::string name;
  std::optional<std::string> code;  // generated when absent
};

struct AreaPatch {
  std::optional<std::string> name;
  std::optional<std::string> code;
};

struct NewBuilding {
  std::int64_t grid_id = 0;
  std::string name;
  std::string address;
  std::optional<double> lat;
  std::optional<double> lng;
};

struct BuildingPatch {
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<double> lat;
  std::optional<double> lng;
};

struct NewHousehold {
  std::int64_t building_id = 0;
  std::string unit;
  std::int64_t floor = 0;
  std::string room;
};

struct HouseholdPatch {
  std::optional<std::string> unit;
  std::optional<std::int64_t> floor;
  std::optional<std::string> room;
};

// A listing request: one of the filters (or none: everything in scope), an
// opaque cursor from the previous page, and a page size.
struct ListQuery {
  std::optional<std::int64_t> area_id;
  std::optional<std::int64_t> building_id;  // households only
  std::optional<std::string> cursor;
  int limit = 50;
};

}  // namespace cg::org
