#include "modules/auth/model.hpp"

#include <algorithm>

namespace cg::auth {
namespace {

struct RoleInfo {
  Role role;
  std::string_view name;
  std::string_view title;
  std::vector<Permission> permissions;
};

const std::vector<RoleInfo>& role_table() {
  using P = Permission;
  static const std::vector<RoleInfo> table = {
      {Role::platform_admin,
       "platform_admin",
       "平台管理员",
       {P::org_read, P::org_write, P::people_read, P::people_write, P::people_reveal,
        P::people_import, P::people_export, P::users_manage, P::audit_read, P::volunteers_manage}},
      {Role::street_admin,
       "street_admin",
       "街道管理员",
       {P::org_read, P::org_write, P::people_read, P::people_write, P::people_reveal,
        P::people_import, P::people_export, P::users_manage, P::audit_read, P::volunteers_manage}},
      {Role::community_worker,
       "community_worker",
       "社区工作者",
       {P::org_read, P::org_write, P::people_read, P::people_write, P::people_reveal,
        P::people_import, P::people_export, P::users_manage, P::volunteers_manage}},
      // Grid workers visit households and keep their grid's records current,
      // so they may read, correct and (with a reason, audited) reveal.
      {Role::grid_worker,
       "grid_worker",
       "网格员",
       {P::org_read, P::people_read, P::people_write, P::people_reveal}},
      {Role::handler, "handler", "处置人员", {P::org_read}},
      {Role::volunteer_manager,
       "volunteer_manager",
       "志愿者管理员",
       {P::org_read, P::volunteers_manage}},
      {Role::party_secretary, "party_secretary", "党组织书记", {P::org_read, P::people_read}},
      {Role::resident, "resident", "居民", {}},
  };
  return table;
}

const RoleInfo* info(Role role) {
  for (const RoleInfo& r : role_table()) {
    if (r.role == role) return &r;
  }
  return nullptr;
}

}  // namespace

std::string_view role_name(Role role) {
  return info(role)->name;
}
std::string_view role_title(Role role) {
  return info(role)->title;
}

std::optional<Role> role_from_name(std::string_view name) {
  for (const RoleInfo& r : role_table()) {
    if (r.name == name) return r.role;
  }
  return std::nullopt;
}

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = [] {
    std::vector<Role> out;
    for (const RoleInfo& r : role_table()) out.push_back(r.role);
    return out;
  }();
  return roles;
}

const std::vector<Permission>& all_permissions() {
  using P = Permission;
  static const std::vector<Permission> all = {
      P::org_read,      P::org_write,     P::people_read,  P::people_write, P::people_reveal,
      P::people_import, P::people_export, P::users_manage, P::audit_read,   P::volunteers_manage};
  return all;
}

std::string_view permission_name(Permission p) {
  switch (p) {
    case Permission::org_read:
      return "org.read";
    case Permission::org_write:
      return "org.write";
    case Permission::people_read:
      return "people.read";
    case Permission::people_write:
      return "people.write";
    case Permission::people_reveal:
      return "people.reveal";
    case Permission::people_import:
      return "people.import";
    case Permission::people_export:
      return "people.export";
    case Permission::users_manage:
      return "users.manage";
    case Permission::audit_read:
      return "audit.read";
    case Permission::volunteers_manage:
      return "volunteers.manage";
  }
  return "";
}

bool role_has(Role role, Permission p) {
  const auto& perms = info(role)->permissions;
  return std::find(perms.begin(), perms.end(), p) != perms.end();
}

bool path_within(std::string_view path, std::string_view scope) {
  return !scope.empty() && path.substr(0, scope.size()) == scope;
}

std::string subtree_end(std::string_view path) {
  std::string end(path);
  if (!end.empty() && end.back() == '/') end.back() = '0';
  return end;
}

bool Principal::can(Permission p, std::string_view path) const {
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) {
    return role_has(g.role, p) && path_within(path, g.area_path);
  });
}

bool Principal::can_somewhere(Permission p) const {
  return std::any_of(grants.begin(), grants.end(),
                     [&](const Grant& g) { return role_has(g.role, p); });
}

std::vector<std::string> Principal::scopes(Permission p) const {
  std::vector<std::string> paths;
  for (const Grant& g : grants) {
    if (role_has(g.role, p)) paths.push_back(g.area_path);
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> outer;
  for (const std::string& path : paths) {
    if (outer.empty() || !path_within(path, outer.back())) outer.push_back(path);
  }
  return outer;
}

std::string Principal::acting_role(Permission p, std::string_view path) const {
  for (const Grant& g : grants) {
    if (role_has(g.role, p) && path_within(path, g.area_path)) {
      return std::string(role_name(g.role));
    }
  }
  return grants.empty() ? kind : std::string(role_name(grants.front().role));
}

Actor system_actor() {
  Principal p;
  p.username = "system";
  p.display_name = "系统";
  p.kind = "staff";
  // "/" is a prefix of every area path, so this grant reaches the whole tree.
  p.grants.push_back({Role::platform_admin, 0, "/", "全部", "root"});
  return Actor{std::move(p), "local", "cli"};
}

}  // namespace cg::auth
