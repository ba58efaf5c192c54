#include "modules/org/service.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/json/serialize.hpp>

#include "app/app.hpp"
#include "http/json.hpp"
#include "modules/audit/model.hpp"
#include "modules/org/store.hpp"

namespace cg::org {
namespace {

using auth::Actor;
using auth::Permission;

// ---- Scope -----------------------------------------------------------------

bool sees(const Actor& actor, std::string_view path) {
  return actor.who.can(Permission::org_read, path);
}

bool writes(const Actor& actor, std::string_view path) {
  return actor.who.can(Permission::org_write, path);
}

bool is_platform_admin(const Actor& actor) {
  return std::any_of(actor.who.grants.begin(), actor.who.grants.end(),
                     [](const auth::Grant& g) { return g.role == auth::Role::platform_admin; });
}

// An area is defined by its parent: renaming, recoding, deleting or re-drawing
// it needs org.write on the parent, so nobody edits their own root scope
// unless they also hold the scope above it. Cities have no parent and belong
// to platform administrators.
bool may_edit_area(const Actor& actor, const std::optional<Area>& parent) {
  return parent ? writes(actor, parent->path) : is_platform_admin(actor);
}

std::string edit_role(const Actor& actor, const std::optional<Area>& parent) {
  if (!parent) return std::string(auth::role_name(auth::Role::platform_admin));
  return actor.who.acting_role(Permission::org_write, parent->path);
}

Error area_not_found() {
  return errors::not_found("区域不存在或无权访问");
}
Error building_not_found() {
  return errors::not_found("楼栋不存在或无权访问");
}
Error household_not_found() {
  return errors::not_found("住户不存在或无权访问");
}
Error no_org_access() {
  return errors::forbidden("您没有查看组织架构的权限");
}

// ---- Input cleaning --------------------------------------------------------

// Leading and trailing spaces (ASCII and the full-width 　 that Chinese input
// methods type) are never part of a name.
// The length of the blank at the start (or end) of `s`: 0 when there is none.
std::size_t blank_prefix(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  if (s.starts_with(' ') || s.starts_with('\t')) return 1;
  return s.starts_with(kIdeographicSpace) ? kIdeographicSpace.size() : 0;
}

std::size_t blank_suffix(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  if (s.ends_with(' ') || s.ends_with('\t')) return 1;
  return s.ends_with(kIdeographicSpace) ? kIdeographicSpace.size() : 0;
}

std::string trim(std::string_view s) {
  while (std::size_t n = blank_prefix(s)) s.remove_prefix(n);
  while (std::size_t n = blank_suffix(s)) s.remove_suffix(n);
  return std::string(s);
}

Result<std::string> clean_required(std::string_view field, std::string_view value) {
  std::string out = trim(value);
  if (out.empty())
    return fail(errors::invalid_field(std::string(field), "required", "此项不能为空"));
  return out;
}

// A patch's new name: absent stays absent, present must not be blank.
Result<std::optional<std::string>> clean_patched(std::string_view field,
                                                 const std::optional<std::string>& value) {
  if (!value) return std::optional<std::string>{};
  auto out = clean_required(field, *value);
  if (!out) return fail(out.error());
  return std::optional<std::string>{std::move(*out)};
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- Codes (CJ/T 349 idea: GB/T 2260 division code + 3-digit sequences) ----

// How a child's code is built from its parent's. A city's GB/T 2260 code
// ("3206", or "320600" with the county digits zero) gives its districts 6-digit
// codes ("320602"); below a district every level appends 3 digits (street 9,
// community 12, grid 15).
struct CodeRule {
  std::string prefix;
  std::size_t width = 3;
};

constexpr std::size_t kDistrictDigits = 6;

CodeRule code_rule(const Area& parent) {
  if (parent.level != Level::city) return {parent.code, 3};
  std::string prefix = parent.code;
  if (prefix.size() == kDistrictDigits && prefix.ends_with("00")) prefix.resize(4);
  if (prefix.size() >= kDistrictDigits) return {prefix, 3};
  const std::size_t width = kDistrictDigits - prefix.size();
  return {std::move(prefix), width};
}

bool valid_city_code(const std::string& code) {
  return all_digits(code) && (code.size() == 4 || (code.size() == 6 && code.ends_with("00")));
}

Status check_code(const std::string& code, const std::optional<CodeRule>& rule) {
  if (!rule) {
    if (valid_city_code(code)) return {};
    return fail(
        errors::invalid_field("code", "format", "市级区域编码应为4位或以00结尾的6位行政区划代码"));
  }
  const bool ok = all_digits(code) && code.starts_with(rule->prefix) &&
                  code.size() == rule->prefix.size() + rule->width &&
                  code.substr(rule->prefix.size()) != std::string(rule->width, '0');
  if (ok) return {};
  return fail(errors::invalid_field(
      "code", "format",
      fmt::format("编码应为上级编码 {} 后接{}位数字（不能全为0）", rule->prefix, rule->width)));
}

// The next free sequence number after the largest among the siblings.
Result<std::string> next_code(const std::vector<std::string>& sibling_codes, const CodeRule& rule) {
  std::int64_t highest = 0;
  for (const std::string& code : sibling_codes) {
    if (code.size() != rule.prefix.size() + rule.width || !code.starts_with(rule.prefix)) continue;
    std::int64_t n = 0;
    const char* first = code.data() + rule.prefix.size();
    auto [end, ec] = std::from_chars(first, code.data() + code.size(), n);
    if (ec == std::errc() && end == code.data() + code.size()) highest = std::max(highest, n);
  }
  std::int64_t limit = 1;
  for (std::size_t i = 0; i < rule.width; ++i) limit *= 10;
  if (highest + 1 >= limit) {
    return fail(errors::conflict("code-exhausted", "编码已用完",
                                 "该上级区域下的顺序码已用完，请手工指定编码"));
  }
  return fmt::format("{}{:0{}}", rule.prefix, highest + 1, rule.width);
}

// The given code, checked, or the next free one under the parent.
Result<std::string> choose_code(db::Conn& conn, const std::optional<std::string>& given,
                                const std::optional<Area>& parent) {
  std::optional<CodeRule> rule;
  if (parent) rule = code_rule(*parent);
  std::string code;
  if (given) {
    if (auto ok = check_code(*given, rule); !ok) return fail(ok.error());
    code = *given;
  } else if (!rule) {
    return fail(errors::invalid_field("code", "required", "市级区域须提供行政区划代码"));
  } else {
    auto generated = next_code(store::child_codes(conn, parent->id), *rule);
    if (!generated) return fail(generated.error());
    code = *generated;
  }
  if (store::code_taken(conn, code, 0)) {
    return fail(errors::conflict("duplicate-code", "编码重复", "编码 " + code + " 已被使用"));
  }
  return code;
}

// ---- Cursors ---------------------------------------------------------------

// Opaque to clients: the last id of the page, in hex.
std::string encode_cursor(std::int64_t id) {
  return fmt::format("{:x}", id);
}

Result<std::int64_t> decode_cursor(const std::optional<std::string>& cursor) {
  if (!cursor) return 0;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), id, 16);
  if (ec != std::errc() || end != cursor->data() + cursor->size() || id <= 0) {
    return fail(errors::invalid_field("cursor", "invalid", "翻页游标无效"));
  }
  return id;
}

// Merges per-range pages (each already in id order, at most limit + 1 long).
template <class T>
Page<T> paginate(std::vector<T> items, int limit) {
  std::sort(items.begin(), items.end(), [](const T& a, const T& b) { return a.id < b.id; });
  Page<T> page;
  if (items.size() > static_cast<std::size_t>(limit)) {
    items.resize(limit);
    page.next_cursor = encode_cursor(items.back().id);
  }
  page.items = std::move(items);
  return page;
}

// ---- Writes ----------------------------------------------------------------

// Runs a write; a unique or foreign-key violation that the service's own
// checks did not foresee (a concurrent writer, a grant still pointing at an
// area) becomes a 409 instead of a 500.
template <class F>
auto write_tx(db::Database& db, F&& fn) -> std::invoke_result_t<F, db::Conn&> {
  try {
    return db.write(std::forward<F>(fn));
  } catch (const db::DbError& e) {
    if (e.unique_violation()) {
      return fail(errors::conflict("duplicate", "记录重复", "同名或同编码的记录已存在"));
    }
    if (e.kind() == db::DbError::Kind::foreign_key_violation) {
      return fail(errors::conflict("in-use", "记录仍被引用",
                                   "该记录仍被其他数据（如账号授权、居民）引用，无法删除"));
    }
    throw;
  }
}

void audit_write(const audit::AuditLog& log, db::Conn& conn, const Actor& actor, std::string action,
                 std::string type, std::int64_t id, std::string detail, std::string path,
                 std::string role) {
  log.record(conn, actor,
             {std::move(action), std::move(type), std::to_string(id), std::move(detail),
              std::move(path), std::move(role)});
}

// ---- Tree ------------------------------------------------------------------

// "/1/5/23/" → {1, 5, 23}
std::vector<std::int64_t> path_ids(std::string_view path) {
  std::vector<std::int64_t> ids;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::int64_t id = 0;
    if (next > pos && std::from_chars(path.data() + pos, path.data() + next, id).ec == std::errc())
      ids.push_back(id);
    pos = next + 1;
  }
  return ids;
}

class TreeBuilder {
 public:
  TreeBuilder(db::Conn& conn, const std::string& root_path) {
    const std::string end = auth::subtree_end(root_path);
    areas_ = store::areas_in_range(conn, root_path, end);
    for (std::size_t i = 0; i < areas_.size(); ++i) {
      index_[areas_[i].id] = i;
      if (areas_[i].parent_id) children_[*areas_[i].parent_id].push_back(i);
    }
    for (const Area& a : areas_) {
      if (a.level == Level::grid)
        add(
            a.id, [](Counts& c, std::int64_t n) { c.grids += n; }, 1);
    }
    add_all(store::buildings_per_grid(conn, root_path, end),
            [](Counts& c, std::int64_t n) { c.buildings += n; });
    add_all(store::households_per_grid(conn, root_path, end),
            [](Counts& c, std::int64_t n) { c.households += n; });
    add_all(store::residents_per_grid(conn, root_path, end),
            [](Counts& c, std::int64_t n) { c.residents += n; });
  }

  std::optional<TreeNode> root(int depth) const {
    if (areas_.empty()) return std::nullopt;
    return node(0, depth);  // ordered by path, so the root comes first
  }

 private:
  template <class F>
  void add_all(const store::GridCounts& counts, F field) {
    for (const auto& [grid_id, n] : counts) add(grid_id, field, n);
  }

  // Adds n to the grid and to each of its ancestors inside this subtree.
  template <class F>
  void add(std::int64_t grid_id, F field, std::int64_t n) {
    auto it = index_.find(grid_id);
    if (it == index_.end()) return;
    for (std::int64_t id : path_ids(areas_[it->second].path)) {
      if (index_.contains(id)) field(counts_[id], n);
    }
  }

  TreeNode node(std::size_t i, int depth) const {
    TreeNode out{areas_[i], {}, {}};
    if (auto c = counts_.find(out.area.id); c != counts_.end()) out.counts = c->second;
    auto kids = children_.find(out.area.id);
    if (depth <= 0 || kids == children_.end()) return out;
    std::vector<std::size_t> order = kids->second;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(areas_[a].code, areas_[a].id) < std::tie(areas_[b].code, areas_[b].id);
    });
    for (std::size_t k : order) out.children.push_back(node(k, depth - 1));
    return out;
  }

  std::vector<Area> areas_;
  std::map<std::int64_t, std::size_t> index_;
  std::map<std::int64_t, std::vector<std::size_t>> children_;
  std::map<std::int64_t, Counts> counts_;
};

// The path ranges a listing covers: the given area's subtree, or all of the
// caller's org.read scopes.
Result<std::vector<std::string>> list_ranges(db::Conn& conn, const Actor& actor,
                                             std::optional<std::int64_t> area_id) {
  if (!area_id) {
    auto scopes = actor.who.scopes(Permission::org_read);
    if (scopes.empty()) return fail(no_org_access());
    return scopes;
  }
  auto area = store::area_by_id(conn, *area_id);
  if (!area || !sees(actor, area->path)) return fail(area_not_found());
  return std::vector<std::string>{area->path};
}

}  // namespace

// ---- Tree and areas ----------------------------------------------------------

Result<std::vector<TreeNode>> OrgService::tree(const Actor& actor, std::optional<std::int64_t> root,
                                               int depth) const {
  if (!actor.who.can_somewhere(Permission::org_read)) return fail(no_org_access());
  return db_.read([&](db::Conn& conn) -> Result<std::vector<TreeNode>> {
    std::vector<std::string> roots;
    if (root) {
      auto area = store::area_by_id(conn, *root);
      if (!area || !sees(actor, area->path)) return fail(area_not_found());
      roots.push_back(area->path);
    } else {
      roots = actor.who.scopes(Permission::org_read);
    }
    std::vector<TreeNode> out;
    for (const std::string& path : roots) {
      if (auto node = TreeBuilder(conn, path).root(std::clamp(depth, 0, kMaxDepth))) {
        out.push_back(std::move(*node));
      }
    }
    return out;
  });
}

Result<Area> OrgService::area(const Actor& actor, std::int64_t id) const {
  return db_.read([&](db::Conn& conn) -> Result<Area> {
    auto area = store::area_by_id(conn, id);
    if (!area || !sees(actor, area->path)) return fail(area_not_found());
    return *area;
  });
}

Result<Area> OrgService::create_area(const Actor& actor, const NewArea& input) const {
  auto name = clean_required("name", input.name);
  if (!name) return fail(name.error());
  return write_tx(db_, [&](db::Conn& conn) -> Result<Area> {
    std::optional<Area> parent;
    if (input.parent_id) {
      parent = store::area_by_id(conn, *input.parent_id);
      if (!parent || !sees(actor, parent->path))
        return fail(errors::not_found("上级区域不存在或无权访问"));
      if (child_level(parent->level) != input.level) {
        auto expected = child_level(parent->level);
        return fail(errors::invalid_field(
            "level", "level-mismatch",
            expected
                ? fmt::format("{}的下级应为{}", level_title(parent->level), level_title(*expected))
                : std::string("网格下不能再设下级区域")));
      }
    } else if (input.level != Level::city) {
      return fail(errors::invalid_field("parent_id", "required", "除市级外，区域须指定上级"));
    }
    if (!may_edit_area(actor, parent)) return fail(errors::forbidden("您无权在此区域下新建区域"));
    if (store::sibling_name_taken(conn, input.parent_id, *name, 0)) {
      return fail(errors::conflict("duplicate-name", "名称重复", "同一上级下已有同名区域"));
    }

    auto code = choose_code(conn, input.code, parent);
    if (!code) return fail(code.error());

    const std::int64_t now = now_ms();
    NewArea row = input;
    row.name = *name;
    // The path needs the new id; "~code" is unique (codes are) and sorts
    // after every "/…" path, so it never falls inside a subtree range.
    const std::int64_t id = store::insert_area(conn, row, *code, "~" + *code, now);
    const std::string path = (parent ? parent->path : std::string("/")) + std::to_string(id) + "/";
    std::optional<std::int64_t> street_id;
    if (input.level == Level::street)
      street_id = id;
    else if (parent)
      street_id = parent->street_id;
    store::set_area_place(conn, id, path, street_id);
    audit_write(audit_, conn, actor, "area.create", "area", id,
                fmt::format("新建{} {}（编码 {}）", level_title(input.level), *name, *code), path,
                edit_role(actor, parent));
    return *store::area_by_id(conn, id);
  });
}

Result<Area> OrgService::update_area(const Actor& actor, std::int64_t id,
                                     const AreaPatch& patch) const {
  auto patched_name = clean_patched("name", patch.name);
  if (!patched_name) return fail(patched_name.error());
  const std::optional<std::string>& new_name = *patched_name;
  return write_tx(db_, [&](db::Conn& conn) -> Result<Area> {
    auto area = store::area_by_id(conn, id);
    if (!area || !sees(actor, area->path)) return fail(area_not_found());
    std::optional<Area> parent;
    if (area->parent_id) parent = store::area_by_id(conn, *area->parent_id);
    if (!may_edit_area(actor, parent))
      return fail(errors::forbidden("修改区域需要上级区域的管理权限"));

    const std::string name = new_name.value_or(area->name);
    const std::string code = patch.code.value_or(area->code);
    if (name != area->name && store::sibling_name_taken(conn, area->parent_id, name, id)) {
      return fail(errors::conflict("duplicate-name", "名称重复", "同一上级下已有同名区域"));
    }
    if (code != area->code) {
      std::optional<CodeRule> rule;
      if (parent) rule = code_rule(*parent);
      if (auto ok = check_code(code, rule); !ok) return fail(ok.error());
      // Children's codes start with this one; changing it would orphan them.
      if (store::has_children(conn, id)) {
        return fail(errors::conflict("area-has-children", "存在下级区域",
                                     "下级区域的编码以本编码为前缀，请先删除或调整下级区域"));
      }
      if (store::code_taken(conn, code, id)) {
        return fail(errors::conflict("duplicate-code", "编码重复", "编码 " + code + " 已被使用"));
      }
    }
    store::update_area(conn, id, name, code, now_ms());
    audit_write(audit_, conn, actor, "area.update", "area", id,
                fmt::format("{}（{}）→ {}（{}）", area->name, area->code, name, code), area->path,
                edit_role(actor, parent));
    return *store::area_by_id(conn, id);
  });
}

Status OrgService::delete_area(const Actor& actor, std::int64_t id) const {
  return write_tx(db_, [&](db::Conn& conn) -> Status {
    auto area = store::area_by_id(conn, id);
    if (!area || !sees(actor, area->path)) return fail(area_not_found());
    std::optional<Area> parent;
    if (area->parent_id) parent = store::area_by_id(conn, *area->parent_id);
    if (!may_edit_area(actor, parent))
      return fail(errors::forbidden("删除区域需要上级区域的管理权限"));
    if (store::has_children(conn, id) || store::has_buildings(conn, id)) {
      return fail(errors::conflict("area-not-empty", "区域不为空",
                                   "该区域下还有下级区域或楼栋，请先删除它们"));
    }
    store::delete_area(conn, id);
    audit_write(
        audit_, conn, actor, "area.delete", "area", id,
        fmt::format("删除{} {}（编码 {}）", level_title(area->level), area->name, area->code),
        area->path, edit_role(actor, parent));
    return {};
  });
}

// ---- Boundaries and locate ---------------------------------------------------

Result<std::string> OrgService::boundary(const Actor& actor, std::int64_t id) const {
  return db_.read([&](db::Conn& conn) -> Result<std::string> {
    auto area = store::area_by_id(conn, id);
    if (!area || !sees(actor, area->path)) return fail(area_not_found());
    auto geojson = store::boundary(conn, id);
    if (!geojson) return fail(errors::not_found("该区域尚未设置边界"));
    return *geojson;
  });
}

Result<Area> OrgService::set_boundary(const Actor& actor, std::int64_t id,
                                      const GeoArea& shape) const {
  const std::string geojson = boost::json::serialize(to_geojson(shape));
  const GeoBox box = bounding_box(shape);
  return write_tx(db_, [&](db::Conn& conn) -> Result<Area> {
    auto area = store::area_by_id(conn, id);
    if (!area || !sees(actor, area->path)) return fail(area_not_found());
    if (area->level != Level::grid) {
      return fail(errors::invalid_field("boundary", "not-grid", "只有网格可以设置边界"));
    }
    std::optional<Area> parent;
    if (area->parent_id) parent = store::area_by_id(conn, *area->parent_id);
    if (!may_edit_area(actor, parent))
      return fail(errors::forbidden("设置网格边界需要社区的管理权限"));
    store::set_boundary(conn, id, geojson, box, now_ms());
    audit_write(audit_, conn, actor, "area.boundary.set", "area", id,
                fmt::format("设置 {} 的边界", area->name), area->path, edit_role(actor, parent));
    return *store::area_by_id(conn, id);
  });
}

Status OrgService::delete_boundary(const Actor& actor, std::int64_t id) const {
  return write_tx(db_, [&](db::Conn& conn) -> Status {
    auto area = store::area_by_id(conn, id);
    if (!area || !sees(actor, area->path)) return fail(area_not_found());
    std::optional<Area> parent;
    if (area->parent_id) parent = store::area_by_id(conn, *area->parent_id);
    if (!may_edit_area(actor, parent))
      return fail(errors::forbidden("删除网格边界需要社区的管理权限"));
    if (!area->has_boundary) return fail(errors::not_found("该区域尚未设置边界"));
    store::clear_boundary(conn, id, now_ms());
    audit_write(audit_, conn, actor, "area.boundary.delete", "area", id,
                fmt::format("删除 {} 的边界", area->name), area->path, edit_role(actor, parent));
    return {};
  });
}

Result<Area> OrgService::locate(const Actor& actor, double lat, double lng) const {
  const auto scopes = actor.who.scopes(Permission::org_read);
  if (scopes.empty()) return fail(no_org_access());
  return db_.read([&](db::Conn& conn) -> Result<Area> {
    for (const std::string& scope : scopes) {
      for (const store::GridShape& shape :
           store::grids_around(conn, lng, lat, scope, auth::subtree_end(scope))) {
        auto json = http::parse_json(shape.geojson);
        if (!json) continue;
        auto geo = parse_geojson_area(*json);
        // Neighbouring grids share their border; the lowest id wins, so the
        // answer is stable.
        if (geo && contains(*geo, lng, lat)) return shape.grid;
      }
    }
    return fail(errors::not_found("该位置不在您可查看的任何网格内"));
  });
}

// ---- Buildings -----------------------------------------------------------------

Result<Page<Building>> OrgService::buildings(const Actor& actor, const ListQuery& query) const {
  auto after = decode_cursor(query.cursor);
  if (!after) return fail(after.error());
  return db_.read([&](db::Conn& conn) -> Result<Page<Building>> {
    auto ranges = list_ranges(conn, actor, query.area_id);
    if (!ranges) return fail(ranges.error());
    std::vector<Building> items;
    for (const std::string& begin : *ranges) {
      auto part =
          store::buildings_in_range(conn, begin, auth::subtree_end(begin), *after, query.limit + 1);
      items.insert(items.end(), part.begin(), part.end());
    }
    return paginate(std::move(items), query.limit);
  });
}

Result<std::vector<Building>> OrgService::own_grid_buildings(const Actor& actor) const {
  return db_.read([&](db::Conn& conn) -> Result<std::vector<Building>> {
    std::vector<Building> items;
    std::set<std::int64_t> seen;
    for (const auth::Grant& g : actor.who.grants) {
      if (g.area_level != "grid" || !seen.insert(g.area_id).second) continue;
      auto part = store::buildings_in_range(conn, g.area_path, auth::subtree_end(g.area_path), 0,
                                            kMaxOwnBuildings);
      items.insert(items.end(), part.begin(), part.end());
    }
    return items;
  });
}

Result<Building> OrgService::building(const Actor& actor, std::int64_t id) const {
  return db_.read([&](db::Conn& conn) -> Result<Building> {
    auto b = store::building_by_id(conn, id);
    if (!b || !sees(actor, b->path)) return fail(building_not_found());
    return *b;
  });
}

Result<Building> OrgService::create_building(const Actor& actor, const NewBuilding& input) const {
  auto name = clean_required("name", input.name);
  if (!name) return fail(name.error());
  return write_tx(db_, [&](db::Conn& conn) -> Result<Building> {
    auto grid = store::area_by_id(conn, input.grid_id);
    if (!grid || !sees(actor, grid->path)) return fail(errors::not_found("网格不存在或无权访问"));
    if (grid->level != Level::grid) {
      return fail(errors::invalid_field("grid_id", "not-grid", "楼栋只能登记在网格下"));
    }
    if (!writes(actor, grid->path)) return fail(errors::forbidden("您无权在此网格登记楼栋"));
    if (store::building_by_name(conn, grid->id, *name)) {
      return fail(errors::conflict("duplicate-name", "名称重复", "该网格已有同名楼栋"));
    }
    Building b;
    b.grid_id = grid->id;
    b.street_id = grid->street_id;
    b.path = grid->path;
    b.name = *name;
    b.address = trim(input.address);
    b.lat = input.lat;
    b.lng = input.lng;
    const std::int64_t id = store::insert_building(conn, b, now_ms());
    audit_write(audit_, conn, actor, "building.create", "building", id,
                fmt::format("在 {} 新建楼栋 {}", grid->name, b.name), b.path,
                actor.who.acting_role(Permission::org_write, b.path));
    return *store::building_by_id(conn, id);
  });
}

Result<Building> OrgService::update_building(const Actor& actor, std::int64_t id,
                                             const BuildingPatch& patch) const {
  auto patched_name = clean_patched("name", patch.name);
  if (!patched_name) return fail(patched_name.error());
  const std::optional<std::string>& new_name = *patched_name;
  return write_tx(db_, [&](db::Conn& conn) -> Result<Building> {
    auto b = store::building_by_id(conn, id);
    if (!b || !sees(actor, b->path)) return fail(building_not_found());
    if (!writes(actor, b->path)) return fail(errors::forbidden("您无权修改此楼栋"));
    const std::string old_name = b->name;
    if (new_name && *new_name != b->name) {
      if (store::building_by_name(conn, b->grid_id, *new_name)) {
        return fail(errors::conflict("duplicate-name", "名称重复", "该网格已有同名楼栋"));
      }
      b->name = *new_name;
    }
    if (patch.address) b->address = trim(*patch.address);
    if (patch.lat) b->lat = patch.lat;
    if (patch.lng) b->lng = patch.lng;
    store::update_building(conn, *b, now_ms());
    audit_write(
        audit_, conn, actor, "building.update", "building", id,
        fmt::format("修改楼栋 {}", old_name == b->name ? b->name : old_name + " → " + b->name),
        b->path, actor.who.acting_role(Permission::org_write, b->path));
    return *store::building_by_id(conn, id);
  });
}

Status OrgService::delete_building(const Actor& actor, std::int64_t id) const {
  return write_tx(db_, [&](db::Conn& conn) -> Status {
    auto b = store::building_by_id(conn, id);
    if (!b || !sees(actor, b->path)) return fail(building_not_found());
    if (!writes(actor, b->path)) return fail(errors::forbidden("您无权删除此楼栋"));
    if (store::has_households(conn, id)) {
      return fail(
          errors::conflict("building-not-empty", "楼栋不为空", "该楼栋下还有住户，请先删除住户"));
    }
    store::delete_building(conn, id);
    audit_write(audit_, conn, actor, "building.delete", "building", id,
                fmt::format("删除楼栋 {}", b->name), b->path,
                actor.who.acting_role(Permission::org_write, b->path));
    return {};
  });
}

// ---- Households ----------------------------------------------------------------

Result<Page<Household>> OrgService::households(const Actor& actor, const ListQuery& query) const {
  auto after = decode_cursor(query.cursor);
  if (!after) return fail(after.error());
  return db_.read([&](db::Conn& conn) -> Result<Page<Household>> {
    if (query.building_id) {
      auto b = store::building_by_id(conn, *query.building_id);
      if (!b || !sees(actor, b->path)) return fail(building_not_found());
      return paginate(store::households_of_building(conn, b->id, *after, query.limit + 1),
                      query.limit);
    }
    auto ranges = list_ranges(conn, actor, query.area_id);
    if (!ranges) return fail(ranges.error());
    std::vector<Household> items;
    for (const std::string& begin : *ranges) {
      auto part = store::households_in_range(conn, begin, auth::subtree_end(begin), *after,
                                             query.limit + 1);
      items.insert(items.end(), part.begin(), part.end());
    }
    return paginate(std::move(items), query.limit);
  });
}

Result<HouseholdDetail> OrgService::household(const Actor& actor, std::int64_t id) const {
  return db_.read([&](db::Conn& conn) -> Result<HouseholdDetail> {
    auto h = store::household_by_id(conn, id);
    if (!h || !sees(actor, h->path)) return fail(household_not_found());
    return HouseholdDetail{*h, store::members(conn, id)};
  });
}

Result<Household> OrgService::create_household(const Actor& actor,
                                               const NewHousehold& input) const {
  auto room = clean_required("room", input.room);
  if (!room) return fail(room.error());
  const std::string unit = trim(input.unit);
  return write_tx(db_, [&](db::Conn& conn) -> Result<Household> {
    auto b = store::building_by_id(conn, input.building_id);
    if (!b || !sees(actor, b->path)) return fail(building_not_found());
    if (!writes(actor, b->path)) return fail(errors::forbidden("您无权在此楼栋登记住户"));
    if (store::household_at(conn, b->id, unit, *room)) {
      return fail(
          errors::conflict("duplicate-household", "住户重复", "该楼栋已有相同单元和室号的住户"));
    }
    NewHousehold row = input;
    row.unit = unit;
    row.room = *room;
    const std::int64_t id = store::insert_household(conn, *b, row, now_ms());
    auto created = store::household_by_id(conn, id);
    audit_write(audit_, conn, actor, "household.create", "household", id,
                "新建住户 " + created->address, b->path,
                actor.who.acting_role(Permission::org_write, b->path));
    return *created;
  });
}

Result<Household> OrgService::update_household(const Actor& actor, std::int64_t id,
                                               const HouseholdPatch& patch) const {
  std::optional<std::string> new_room;
  if (patch.room) {
    auto room = clean_required("room", *patch.room);
    if (!room) return fail(room.error());
    new_room = *room;
  }
  return write_tx(db_, [&](db::Conn& conn) -> Result<Household> {
    auto h = store::household_by_id(conn, id);
    if (!h || !sees(actor, h->path)) return fail(household_not_found());
    if (!writes(actor, h->path)) return fail(errors::forbidden("您无权修改此住户"));
    const std::string before = h->address;
    if (patch.unit) h->unit = trim(*patch.unit);
    if (new_room) h->room = *new_room;
    if (patch.floor) h->floor = *patch.floor;
    if (auto other = store::household_at(conn, h->building_id, h->unit, h->room);
        other && *other != id) {
      return fail(
          errors::conflict("duplicate-household", "住户重复", "该楼栋已有相同单元和室号的住户"));
    }
    store::update_household(conn, *h, now_ms());
    auto updated = store::household_by_id(conn, id);
    audit_write(audit_, conn, actor, "household.update", "household", id,
                before == updated->address ? "修改住户 " + before
                                           : "修改住户 " + before + " → " + updated->address,
                h->path, actor.who.acting_role(Permission::org_write, h->path));
    return *updated;
  });
}

Status OrgService::delete_household(const Actor& actor, std::int64_t id) const {
  return write_tx(db_, [&](db::Conn& conn) -> Status {
    auto h = store::household_by_id(conn, id);
    if (!h || !sees(actor, h->path)) return fail(household_not_found());
    if (!writes(actor, h->path)) return fail(errors::forbidden("您无权删除此住户"));
    if (store::has_residents(conn, id)) {
      return fail(errors::conflict("household-not-empty", "住户下有居民",
                                   "该住户下还登记有居民，请先迁出或删除居民"));
    }
    store::delete_household(conn, id);
    audit_write(audit_, conn, actor, "household.delete", "household", id, "删除住户 " + h->address,
                h->path, actor.who.acting_role(Permission::org_write, h->path));
    return {};
  });
}

// ---- For other modules -----------------------------------------------------------

std::optional<Area> OrgService::area_by_id(db::Conn& conn, std::int64_t id) const {
  return store::area_by_id(conn, id);
}

std::optional<Area> OrgService::area_by_code(db::Conn& conn, const std::string& code) const {
  return store::area_by_code(conn, code);
}

std::optional<Place> OrgService::place_of_household(db::Conn& conn,
                                                    std::int64_t household_id) const {
  auto h = store::household_by_id(conn, household_id);
  if (!h) return std::nullopt;
  auto grid = store::area_by_id(conn, h->grid_id);
  return Place{h->id,   h->building_id,         h->grid_id, h->street_id,
               h->path, grid ? grid->name : "", h->address};
}

Place OrgService::find_or_create_household(db::Conn& conn, std::int64_t grid_id,
                                           const std::string& building_name,
                                           const std::string& unit, int floor,
                                           const std::string& room) const {
  auto grid = store::area_by_id(conn, grid_id);
  if (!grid || grid->level != Level::grid) {
    throw std::invalid_argument("find_or_create_household: area " + std::to_string(grid_id) +
                                " is not a grid");
  }
  const std::int64_t now = now_ms();
  const std::string name = trim(building_name);
  auto building = store::building_by_name(conn, grid_id, name);
  if (!building) {
    Building b;
    b.grid_id = grid_id;
    b.street_id = grid->street_id;
    b.path = grid->path;
    b.name = name;
    b.id = store::insert_building(conn, b, now);
    building = b;
  }
  const NewHousehold wanted{building->id, trim(unit), floor, trim(room)};
  auto id = store::household_at(conn, building->id, wanted.unit, wanted.room);
  if (!id) id = store::insert_household(conn, *building, wanted, now);
  return *place_of_household(conn, *id);
}

const Building& HouseholdFinder::building(std::int64_t grid_id, const std::string& name) {
  auto key = std::make_pair(grid_id, name);
  if (auto it = buildings_.find(key); it != buildings_.end()) return it->second;
  if (buildings_.size() >= 65536) buildings_.clear();  // bounded; a miss only costs a query
  auto found = store::building_by_name(conn_, grid_id, name);
  if (!found) {
    auto grid = store::area_by_id(conn_, grid_id);
    if (!grid || grid->level != Level::grid) {
      throw std::invalid_argument("HouseholdFinder: area " + std::to_string(grid_id) +
                                  " is not a grid");
    }
    Building b;
    b.grid_id = grid_id;
    b.street_id = grid->street_id;
    b.path = grid->path;
    b.name = name;
    b.id = store::insert_building(conn_, b, now_ms());
    found = std::move(b);
  }
  return buildings_.emplace(std::move(key), std::move(*found)).first->second;
}

Place HouseholdFinder::find_or_create(std::int64_t grid_id, const std::string& building_name,
                                      const std::string& unit, int floor, const std::string& room) {
  const Building& b = building(grid_id, std::string(trim(building_name)));
  const NewHousehold wanted{b.id, trim(unit), floor, trim(room)};
  Place place;
  place.building_id = b.id;
  place.grid_id = b.grid_id;
  if (auto id = store::household_at(conn_, b.id, wanted.unit, wanted.room)) {
    auto h = store::household_by_id(conn_, *id);
    place.household_id = h->id;
    place.grid_id = h->grid_id;
    place.street_id = h->street_id;
    place.path = h->path;
  } else {
    // As insert_household() stores it: the building's grid, street and path.
    place.household_id = store::insert_household(conn_, b, wanted, now_ms());
    place.street_id = b.street_id;
    place.path = b.path;
  }
  return place;
}

}  // namespace cg::org
