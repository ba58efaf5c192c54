// SQL of the org module. Functions run inside the caller's transaction and
// decide nothing: scope and validation are the service's.
//
// Ranges: `begin`/`end` are a subtree's path range (end = auth::subtree_end).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/geo.hpp"
#include "db/db.hpp"
#include "modules/org/model.hpp"

namespace cg::org::store {

// Counts the committed renames of areas (a Database extension): other modules'
// caches of text showing area names (the cases list's grid names) are valid
// only while it is unchanged. Bumped by update_area() after its COMMIT.
struct AreaNamesVersion {
  std::atomic<std::uint64_t> value{0};
};

// ---- Areas ----
std::optional<Area> area_by_id(db::Conn& conn, std::int64_t id);
std::optional<Area> area_by_code(db::Conn& conn, const std::string& code);
std::optional<Area> area_by_path(db::Conn& conn, const std::string& path);
// Every area whose path lies in [begin, end), ordered by path.
std::vector<Area> areas_in_range(db::Conn& conn, const std::string& begin, const std::string& end);
std::vector<std::string> child_codes(db::Conn& conn, std::int64_t parent_id);
// True when an area other than `except_id` with this parent (0: no parent) has `name`.
bool sibling_name_taken(db::Conn& conn, std::optional<std::int64_t> parent_id,
                        const std::string& name, std::int64_t except_id);
bool code_taken(db::Conn& conn, const std::string& code, std::int64_t except_id);
bool has_children(db::Conn& conn, std::int64_t area_id);
bool has_buildings(db::Conn& conn, std::int64_t grid_id);

// Inserts with a provisional path; the caller then sets the real one, which
// needs the new id.
std::int64_t insert_area(db::Conn& conn, const NewArea& area, const std::string& code,
                         const std::string& provisional_path, std::int64_t now);
void set_area_place(db::Conn& conn, std::int64_t id, const std::string& path,
                    std::optional<std::int64_t> street_id);
void update_area(db::Conn& conn, std::int64_t id, const std::string& name, const std::string& code,
                 std::int64_t now);
void delete_area(db::Conn& conn, std::int64_t id);

// ---- Boundaries and location ----
std::optional<std::string> boundary(db::Conn& conn, std::int64_t area_id);
void set_boundary(db::Conn& conn, std::int64_t area_id, const std::string& geojson,
                  const GeoBox& box, std::int64_t now);
void clear_boundary(db::Conn& conn, std::int64_t area_id, std::int64_t now);

struct GridShape {
  Area grid;
  std::string geojson;
};
// Grids in [begin, end) whose bounding box holds the point.
std::vector<GridShape> grids_around(db::Conn& conn, double lng, double lat,
                                    const std::string& begin, const std::string& end);

// ---- Counts for the tree: (grid_id, count) over [begin, end) ----
using GridCounts = std::vector<std::pair<std::int64_t, std::int64_t>>;
GridCounts buildings_per_grid(db::Conn& conn, const std::string& begin, const std::string& end);
GridCounts households_per_grid(db::Conn& conn, const std::string& begin, const std::string& end);
GridCounts residents_per_grid(db::Conn& conn, const std::string& begin, const std::string& end);

// ---- Buildings ----
std::optional<Building> building_by_id(db::Conn& conn, std::int64_t id);
std::optional<Building> building_by_name(db::Conn& conn, std::int64_t grid_id,
                                         const std::string& name);
// Buildings in [begin, end) with id > after, by id, at most `limit`.
std::vector<Building> buildings_in_range(db::Conn& conn, const std::string& begin,
                                         const std::string& end, std::int64_t after, int limit);
std::int64_t insert_building(db::Conn& conn, const Building& b, std::int64_t now);
void update_building(db::Conn& conn, const Building& b, std::int64_t now);
bool has_households(db::Conn& conn, std::int64_t building_id);
void delete_building(db::Conn& conn, std::int64_t id);

// ---- Households ----
std::optional<Household> household_by_id(db::Conn& conn, std::int64_t id);
std::optional<std::int64_t> household_at(db::Conn& conn, std::int64_t building_id,
                                         const std::string& unit, const std::string& room);
std::vector<Household> households_in_range(db::Conn& conn, const std::string& begin,
                                           const std::string& end, std::int64_t after, int limit);
std::vector<Household> households_of_building(db::Conn& conn, std::int64_t building_id,
                                              std::int64_t after, int limit);
std::int64_t insert_household(db::Conn& conn, const Building& building, const NewHousehold& h,
                              std::int64_t now);
void update_household(db::Conn& conn, const Household& h, std::int64_t now);
bool has_residents(db::Conn& conn, std::int64_t household_id);
void delete_household(db::Conn& conn, std::int64_t id);
std::vector<Member> members(db::Conn& conn, std::int64_t household_id);

}  // namespace cg::org::store
