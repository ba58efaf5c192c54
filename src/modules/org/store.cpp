#include "modules/org/store.hpp"

namespace cg::org::store {
namespace {

// ---- SQL -------------------------------------------------------------------

const std::string kAreaColumns =
    "SELECT id, parent_id, level, code, name, path, street_id, "
    "CASE WHEN boundary IS NULL THEN 0 ELSE 1 END, created_at, updated_at FROM areas ";
const std::string kAreaById = kAreaColumns + "WHERE id = $1";
const std::string kAreaByCode = kAreaColumns + "WHERE code = $1";
const std::string kAreaByPath = kAreaColumns + "WHERE path = $1";
const std::string kAreasInRange = kAreaColumns + "WHERE path >= $1 AND path < $2 ORDER BY path";
constexpr const char* kChildCodes = "SELECT code FROM areas WHERE parent_id = $1";
constexpr const char* kSiblingName =
    "SELECT 1 FROM areas WHERE COALESCE(parent_id, 0) = $1 AND name = $2 AND id <> $3 LIMIT 1";
constexpr const char* kCodeTaken = "SELECT 1 FROM areas WHERE code = $1 AND id <> $2 LIMIT 1";
constexpr const char* kHasChildren = "SELECT 1 FROM areas WHERE parent_id = $1 LIMIT 1";
constexpr const char* kHasBuildings = "SELECT 1 FROM buildings WHERE grid_id = $1 LIMIT 1";
constexpr const char* kInsertArea =
    "INSERT INTO areas (parent_id, level, code, name, path, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
constexpr const char* kSetAreaPlace = "UPDATE areas SET path = $2, street_id = $3 WHERE id = $1";
constexpr const char* kUpdateArea =
    "UPDATE areas SET name = $2, code = $3, updated_at = $4 WHERE id = $1";
constexpr const char* kDeleteArea = "DELETE FROM areas WHERE id = $1";

constexpr const char* kBoundary =
    "SELECT boundary FROM areas WHERE id = $1 AND boundary IS NOT NULL";
constexpr const char* kSetBoundary =
    "UPDATE areas SET boundary = $2, min_lng = $3, min_lat = $4, max_lng = $5, max_lat = $6, "
    "updated_at = $7 WHERE id = $1";
constexpr const char* kClearBoundary =
    "UPDATE areas SET boundary = NULL, min_lng = NULL, min_lat = NULL, max_lng = NULL, "
    "max_lat = NULL, updated_at = $2 WHERE id = $1";
// The bounding box narrows a street's grids to the one or two whose box holds
// the point; the exact polygon test happens in the service.
const std::string kGridsAround =
    "SELECT id, parent_id, level, code, name, path, street_id, 1, created_at, updated_at, "
    "boundary FROM areas WHERE level = 'grid' AND boundary IS NOT NULL "
    "AND min_lng <= $1 AND max_lng >= $1 AND min_lat <= $2 AND max_lat >= $2 "
    "AND path >= $3 AND path < $4 ORDER BY id";

constexpr const char* kBuildingsPerGrid =
    "SELECT grid_id, COUNT(*) FROM buildings WHERE path >= $1 AND path < $2 GROUP BY grid_id";
constexpr const char* kHouseholdsPerGrid =
    "SELECT grid_id, COUNT(*) FROM households WHERE path >= $1 AND path < $2 GROUP BY grid_id";
// `residents` belongs to the people module; counting its rows by the path
// range it shares with us keeps the tree one query per table instead of a
// call into people for every node.
constexpr const char* kResidentsPerGrid =
    "SELECT grid_id, COUNT(*) FROM residents WHERE path >= $1 AND path < $2 GROUP BY grid_id";

const std::string kBuildingColumns =
    "SELECT b.id, b.grid_id, b.street_id, b.path, b.name, b.address, b.lat, b.lng, "
    "(SELECT COUNT(*) FROM households h WHERE h.building_id = b.id), b.created_at, b.updated_at "
    "FROM buildings b ";
const std::string kBuildingById = kBuildingColumns + "WHERE b.id = $1";
const std::string kBuildingByName = kBuildingColumns + "WHERE b.grid_id = $1 AND b.name = $2";
const std::string kBuildingsInRange =
    kBuildingColumns + "WHERE b.path >= $1 AND b.path < $2 AND b.id > $3 ORDER BY b.id LIMIT $4";
constexpr const char* kInsertBuilding =
    "INSERT INTO buildings (grid_id, street_id, path, name, address, lat, lng, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
constexpr const char* kUpdateBuilding =
    "UPDATE buildings SET name = $2, address = $3, lat = $4, lng = $5, updated_at = $6 "
    "WHERE id = $1";
constexpr const char* kHasHouseholds = "SELECT 1 FROM households WHERE building_id = $1 LIMIT 1";
constexpr const char* kDeleteBuilding = "DELETE FROM buildings WHERE id = $1";

// The community's and building's names make the household's address.
const std::string kHouseholdColumns =
    "SELECT h.id, h.building_id, h.grid_id, h.street_id, h.path, h.unit, h.floor, h.room, "
    "h.created_at, h.updated_at, b.name, COALESCE(c.name, ''), "
    "(SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) "
    "FROM households h JOIN buildings b ON b.id = h.building_id "
    "JOIN areas g ON g.id = h.grid_id LEFT JOIN areas c ON c.id = g.parent_id ";
const std::string kHouseholdById = kHouseholdColumns + "WHERE h.id = $1";
const std::string kHouseholdsInRange =
    kHouseholdColumns + "WHERE h.path >= $1 AND h.path < $2 AND h.id > $3 ORDER BY h.id LIMIT $4";
const std::string kHouseholdsOfBuilding =
    kHouseholdColumns + "WHERE h.building_id = $1 AND h.id > $2 ORDER BY h.id LIMIT $3";
constexpr const char* kHouseholdAt =
    "SELECT id FROM households WHERE building_id = $1 AND unit = $2 AND room = $3";
constexpr const char* kInsertHousehold =
    "INSERT INTO households (building_id, grid_id, street_id, path, unit, floor, room, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
constexpr const char* kUpdateHousehold =
    "UPDATE households SET unit = $2, floor = $3, room = $4, updated_at = $5 WHERE id = $1";
constexpr const char* kHasResidents = "SELECT 1 FROM residents WHERE household_id = $1 LIMIT 1";
constexpr const char* kDeleteHousehold = "DELETE FROM households WHERE id = $1";
constexpr const char* kMembers =
    "SELECT id, name, relation, gender, birth_date FROM residents WHERE household_id = $1 "
    "ORDER BY id";

// ---- Rows ------------------------------------------------------------------

std::optional<double> opt_f64(const db::Row& r, std::size_t i) {
  if (r.is_null(i)) return std::nullopt;
  return r.f64(i);
}

Area to_area(const db::Row& r) {
  Area a;
  a.id = r.i64(0);
  a.parent_id = r.opt_i64(1);
  a.level = level_from_name(r.text(2)).value_or(Level::grid);
  a.code = r.text(3);
  a.name = r.text(4);
  a.path = r.text(5);
  a.street_id = r.opt_i64(6);
  a.has_boundary = r.i64(7) != 0;
  a.created_at = r.i64(8);
  a.updated_at = r.i64(9);
  return a;
}

Building to_building(const db::Row& r) {
  Building b;
  b.id = r.i64(0);
  b.grid_id = r.i64(1);
  b.street_id = r.opt_i64(2);
  b.path = r.text(3);
  b.name = r.text(4);
  b.address = r.text(5);
  b.lat = opt_f64(r, 6);
  b.lng = opt_f64(r, 7);
  b.household_count = r.i64(8);
  b.created_at = r.i64(9);
  b.updated_at = r.i64(10);
  return b;
}

Household to_household(const db::Row& r) {
  Household h;
  h.id = r.i64(0);
  h.building_id = r.i64(1);
  h.grid_id = r.i64(2);
  h.street_id = r.opt_i64(3);
  h.path = r.text(4);
  h.unit = r.text(5);
  h.floor = r.i64(6);
  h.room = r.text(7);
  h.created_at = r.i64(8);
  h.updated_at = r.i64(9);
  h.address = format_address(r.text(11), r.text(10), h.unit, h.room);
  h.member_count = r.i64(12);
  return h;
}

template <class T, class F>
std::vector<T> map_rows(const db::Rows& rows, F convert) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const db::Row& row : rows) out.push_back(convert(row));
  return out;
}

std::optional<Area> one_area(db::Conn& conn, const std::string& sql, db::Param key) {
  auto row = conn.query_one(sql, {std::move(key)});
  if (!row) return std::nullopt;
  return to_area(*row);
}

bool exists(db::Conn& conn, const char* sql, std::int64_t id) {
  return conn.query_one(sql, {id}).has_value();
}

GridCounts per_grid(db::Conn& conn, const char* sql, const std::string& begin,
                    const std::string& end) {
  GridCounts out;
  for (const db::Row& row : conn.query(sql, {begin, end})) out.emplace_back(row.i64(0), row.i64(1));
  return out;
}

}  // namespace

// ---- Areas -----------------------------------------------------------------

std::optional<Area> area_by_id(db::Conn& conn, std::int64_t id) {
  return one_area(conn, kAreaById, id);
}

std::optional<Area> area_by_code(db::Conn& conn, const std::string& code) {
  return one_area(conn, kAreaByCode, code);
}

std::optional<Area> area_by_path(db::Conn& conn, const std::string& path) {
  return one_area(conn, kAreaByPath, path);
}

std::vector<Area> areas_in_range(db::Conn& conn, const std::string& begin, const std::string& end) {
  return map_rows<Area>(conn.query(kAreasInRange, {begin, end}), to_area);
}

std::vector<std::string> child_codes(db::Conn& conn, std::int64_t parent_id) {
  return map_rows<std::string>(conn.query(kChildCodes, {parent_id}),
                               [](const db::Row& r) { return r.text(0); });
}

bool sibling_name_taken(db::Conn& conn, std::optional<std::int64_t> parent_id,
                        const std::string& name, std::int64_t except_id) {
  return conn.query_one(kSiblingName, {parent_id.value_or(0), name, except_id}).has_value();
}

bool code_taken(db::Conn& conn, const std::string& code, std::int64_t except_id) {
  return conn.query_one(kCodeTaken, {code, except_id}).has_value();
}

bool has_children(db::Conn& conn, std::int64_t area_id) {
  return exists(conn, kHasChildren, area_id);
}

bool has_buildings(db::Conn& conn, std::int64_t grid_id) {
  return exists(conn, kHasBuildings, grid_id);
}

std::int64_t insert_area(db::Conn& conn, const NewArea& area, const std::string& code,
                         const std::string& provisional_path, std::int64_t now) {
  return conn
      .query(kInsertArea,
             {area.parent_id, level_name(area.level), code, area.name, provisional_path, now})
      .at(0)
      .i64(0);
}

void set_area_place(db::Conn& conn, std::int64_t id, const std::string& path,
                    std::optional<std::int64_t> street_id) {
  conn.exec(kSetAreaPlace, {id, path, street_id});
}

void update_area(db::Conn& conn, std::int64_t id, const std::string& name, const std::string& code,
                 std::int64_t now) {
  conn.exec(kUpdateArea, {id, name, code, now});
  if (db::Database* database = conn.database()) {
    AreaNamesVersion& names = database->extension<AreaNamesVersion>();
    conn.after_commit([&names] { names.value.fetch_add(1, std::memory_order_acq_rel); });
  }
}

void delete_area(db::Conn& conn, std::int64_t id) {
  conn.exec(kDeleteArea, {id});
}

// ---- Boundaries and location -----------------------------------------------

std::optional<std::string> boundary(db::Conn& conn, std::int64_t area_id) {
  auto row = conn.query_one(kBoundary, {area_id});
  if (!row) return std::nullopt;
  return row->text(0);
}

void set_boundary(db::Conn& conn, std::int64_t area_id, const std::string& geojson,
                  const GeoBox& box, std::int64_t now) {
  conn.exec(kSetBoundary,
            {area_id, geojson, box.min_lng, box.min_lat, box.max_lng, box.max_lat, now});
}

void clear_boundary(db::Conn& conn, std::int64_t area_id, std::int64_t now) {
  conn.exec(kClearBoundary, {area_id, now});
}

std::vector<GridShape> grids_around(db::Conn& conn, double lng, double lat,
                                    const std::string& begin, const std::string& end) {
  return map_rows<GridShape>(conn.query(kGridsAround, {lng, lat, begin, end}),
                             [](const db::Row& r) {
                               return GridShape{to_area(r), r.text(10)};
                             });
}

GridCounts buildings_per_grid(db::Conn& conn, const std::string& begin, const std::string& end) {
  return per_grid(conn, kBuildingsPerGrid, begin, end);
}

GridCounts households_per_grid(db::Conn& conn, const std::string& begin, const std::string& end) {
  return per_grid(conn, kHouseholdsPerGrid, begin, end);
}

GridCounts residents_per_grid(db::Conn& conn, const std::string& begin, const std::string& end) {
  return per_grid(conn, kResidentsPerGrid, begin, end);
}

// ---- Buildings -------------------------------------------------------------

std::optional<Building> building_by_id(db::Conn& conn, std::int64_t id) {
  auto row = conn.query_one(kBuildingById, {id});
  if (!row) return std::nullopt;
  return to_building(*row);
}

std::optional<Building> building_by_name(db::Conn& conn, std::int64_t grid_id,
                                         const std::string& name) {
  auto row = conn.query_one(kBuildingByName, {grid_id, name});
  if (!row) return std::nullopt;
  return to_building(*row);
}

std::vector<Building> buildings_in_range(db::Conn& conn, const std::string& begin,
                                         const std::string& end, std::int64_t after, int limit) {
  return map_rows<Building>(conn.query(kBuildingsInRange, {begin, end, after, limit}), to_building);
}

std::int64_t insert_building(db::Conn& conn, const Building& b, std::int64_t now) {
  return conn
      .query(kInsertBuilding,
             {b.grid_id, b.street_id, b.path, b.name, b.address, b.lat, b.lng, now})
      .at(0)
      .i64(0);
}

void update_building(db::Conn& conn, const Building& b, std::int64_t now) {
  conn.exec(kUpdateBuilding, {b.id, b.name, b.address, b.lat, b.lng, now});
}

bool has_households(db::Conn& conn, std::int64_t building_id) {
  return exists(conn, kHasHouseholds, building_id);
}

void delete_building(db::Conn& conn, std::int64_t id) {
  conn.exec(kDeleteBuilding, {id});
}

// ---- Households ------------------------------------------------------------

std::optional<Household> household_by_id(db::Conn& conn, std::int64_t id) {
  auto row = conn.query_one(kHouseholdById, {id});
  if (!row) return std::nullopt;
  return to_household(*row);
}

std::optional<std::int64_t> household_at(db::Conn& conn, std::int64_t building_id,
                                         const std::string& unit, const std::string& room) {
  auto row = conn.query_one(kHouseholdAt, {building_id, unit, room});
  if (!row) return std::nullopt;
  return row->i64(0);
}

std::vector<Household> households_in_range(db::Conn& conn, const std::string& begin,
                                           const std::string& end, std::int64_t after, int limit) {
  return map_rows<Household>(conn.query(kHouseholdsInRange, {begin, end, after, limit}),
                             to_household);
}

std::vector<Household> households_of_building(db::Conn& conn, std::int64_t building_id,
                                              std::int64_t after, int limit) {
  return map_rows<Household>(conn.query(kHouseholdsOfBuilding, {building_id, after, limit}),
                             to_household);
}

std::int64_t insert_household(db::Conn& conn, const Building& building, const NewHousehold& h,
                              std::int64_t now) {
  return conn
      .query(kInsertHousehold, {building.id, building.grid_id, building.street_id, building.path,
                                h.unit, h.floor, h.room, now})
      .at(0)
      .i64(0);
}

void update_household(db::Conn& conn, const Household& h, std::int64_t now) {
  conn.exec(kUpdateHousehold, {h.id, h.unit, h.floor, h.room, now});
}

bool has_residents(db::Conn& conn, std::int64_t household_id) {
  return exists(conn, kHasResidents, household_id);
}

void delete_household(db::Conn& conn, std::int64_t id) {
  conn.exec(kDeleteHousehold, {id});
}

std::vector<Member> members(db::Conn& conn, std::int64_t household_id) {
  return map_rows<Member>(conn.query(kMembers, {household_id}), [](const db::Row& r) {
    return Member{r.i64(0), r.text(1), r.text(2), r.text(3), r.opt_text(4)};
  });
}

}  // namespace cg::org::store
