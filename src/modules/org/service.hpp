// The org tree service: areas (city → district → street → community → grid),
// buildings in grids, households in buildings, grid boundaries and point
// location. Every call from the API is checked against the caller's scope.
//
// Visibility before permission: a record outside the caller's org.read scope
// is "not found" (404) whether or not it exists; 403 means "you can see it but
// may not do this". Every write records an audit entry in its transaction.
//
// The "for other modules" functions at the end run inside the caller's
// transaction and check nothing: the calling service has already decided.
//
// Thread safety: stateless apart from references; safe from any thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"
#include "db/db.hpp"
#include "modules/auth/model.hpp"
#include "modules/org/model.hpp"

namespace cg::audit {
class AuditLog;
}

namespace cg::org {

class OrgService {
 public:
  OrgService(db::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  static constexpr int kMaxDepth = 5;
  static constexpr int kMaxPage = 200;

  // ---- API operations (scoped, audited) ----

  // The caller's org.read scopes (or `root`, when inside them) with `depth`
  // levels of children below each, and per-node counts over the subtree.
  Result<std::vector<TreeNode>> tree(const auth::Actor& actor, std::optional<std::int64_t> root,
                                     int depth) const;
  Result<Area> area(const auth::Actor& actor, std::int64_t id) const;
  Result<Area> create_area(const auth::Actor& actor, const NewArea& input) const;
  Result<Area> update_area(const auth::Actor& actor, std::int64_t id, const AreaPatch& patch) const;
  Status delete_area(const auth::Actor& actor, std::int64_t id) const;

  // The stored GeoJSON geometry of a grid.
  Result<std::string> boundary(const auth::Actor& actor, std::int64_t id) const;
  Result<Area> set_boundary(const auth::Actor& actor, std::int64_t id, const GeoArea& shape) const;
  Status delete_boundary(const auth::Actor& actor, std::int64_t id) const;
  // The grid in the caller's scope whose boundary holds the point.
  Result<Area> locate(const auth::Actor& actor, double lat, double lng) const;

  Result<Page<Building>> buildings(const auth::Actor& actor, const ListQuery& query) const;
  Result<Building> building(const auth::Actor& actor, std::int64_t id) const;
  // The buildings of the grids the caller belongs to (their grants on grid
  // nodes: a resident's registered grid, a grid worker's grid), which anyone
  // may name when reporting a problem there, even without org.read.
  Result<std::vector<Building>> own_grid_buildings(const auth::Actor& actor) const;
  static constexpr int kMaxOwnBuildings = 500;
  Result<Building> create_building(const auth::Actor& actor, const NewBuilding& input) const;
  Result<Building> update_building(const auth::Actor& actor, std::int64_t id,
                                   const BuildingPatch& patch) const;
  Status delete_building(const auth::Actor& actor, std::int64_t id) const;

  Result<Page<Household>> households(const auth::Actor& actor, const ListQuery& query) const;
  Result<HouseholdDetail> household(const auth::Actor& actor, std::int64_t id) const;
  Result<Household> create_household(const auth::Actor& actor, const NewHousehold& input) const;
  Result<Household> update_household(const auth::Actor& actor, std::int64_t id,
                                     const HouseholdPatch& patch) const;
  Status delete_household(const auth::Actor& actor, std::int64_t id) const;

  // ---- For other modules (no permission checks; inside the caller's transaction) ----
  std::optional<Area> area_by_id(db::Conn& conn, std::int64_t id) const;
  std::optional<Area> area_by_code(db::Conn& conn, const std::string& code) const;
  std::optional<Place> place_of_household(db::Conn& conn, std::int64_t household_id) const;
  // The household at building `building_name` of grid `grid_id`, unit/floor/room,
  // created (with its building) when missing. Used by the demo generator;
  // the residents import uses HouseholdFinder below and records its own audit
  // entry. Throws std::invalid_argument when
  // `grid_id` is not a grid.
  Place find_or_create_household(db::Conn& conn, std::int64_t grid_id,
                                 const std::string& building_name, const std::string& unit,
                                 int floor, const std::string& room) const;

 private:
  db::Database& db_;
  const audit::AuditLog& audit_;
};

// find_or_create_household() for the many addresses of one import, inside its
// transaction: each grid and building is looked up once, and a household it
// creates is not read back. Its places carry ids, street and path (what a
// resident row needs), not grid name and address.
class HouseholdFinder {
 public:
  explicit HouseholdFinder(db::Conn& conn) : conn_(conn) {}
  Place find_or_create(std::int64_t grid_id, const std::string& building_name,
                       const std::string& unit, int floor, const std::string& room);

 private:
  const Building& building(std::int64_t grid_id, const std::string& name);

  db::Conn& conn_;
  std::map<std::pair<std::int64_t, std::string>, Building> buildings_;
};

}  // namespace cg::org
