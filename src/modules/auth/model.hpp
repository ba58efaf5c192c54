// Who is calling and what they may do: roles granted on nodes of the org tree,
// the permissions each role carries, and the scope check every service uses.
//
// A role granted on an area reaches that area's whole subtree and nothing
// else. Areas are identified for scope purposes by their materialised path
// ("/1/5/23/"): area B is inside area A exactly when B's path starts with A's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::auth {

enum class Role {
  platform_admin,
  street_admin,
  community_worker,
  grid_worker,
  handler,
  volunteer_manager,
  party_secretary,
  resident,
};

enum class Permission {
  org_read,
  org_write,
  people_read,
  people_write,
  people_reveal,
  people_import,
  people_export,
  users_manage,
  audit_read,
  volunteers_manage,  // approve volunteers, run activities, verify hours, the points bank
};

std::string_view role_name(Role role);   // "grid_worker"
std::string_view role_title(Role role);  // "网格员"
std::optional<Role> role_from_name(std::string_view name);
std::string_view permission_name(Permission p);  // "people.read"
bool role_has(Role role, Permission p);
const std::vector<Role>& all_roles();
const std::vector<Permission>& all_permissions();

struct Grant {
  Role role;
  std::int64_t area_id = 0;
  std::string area_path;
  std::string area_name;
  std::string area_level;
  std::int64_t id = 0;  // the grant's own id (role_grants.id), for revoking it
};

struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  std::string display_name;
  std::string kind;                         // "staff" | "resident"
  std::optional<std::int64_t> resident_id;  // the resident record of a resident account
  std::vector<Grant> grants;
  std::int64_t session_id = 0;
  bool via_cookie = false;
  std::string csrf_token;

  // True when some grant carries `p` on an area whose subtree holds `path`.
  bool can(Permission p, std::string_view path) const;
  // True when some grant carries `p` anywhere.
  bool can_somewhere(Permission p) const;
  // The outermost area paths on which the caller holds `p` (nested ones dropped),
  // for filtering lists. Empty means: nowhere.
  std::vector<std::string> scopes(Permission p) const;
  // The role name to record in the audit log for an action needing `p` on `path`.
  std::string acting_role(Permission p, std::string_view path) const;
};

// A request's caller, with what the audit log needs to know about the request.
struct Actor {
  Principal who;
  std::string address;
  std::string request_id;
};

// The actor of command-line work and demo data: every permission everywhere,
// recorded in the audit log as "系统".
Actor system_actor();

// Path arithmetic for subtree queries: every path inside `path` sorts in
// [path, subtree_end(path)) in byte order ("/1/5/" → "/1/50").
std::string subtree_end(std::string_view path);
bool path_within(std::string_view path, std::string_view scope);

}  // namespace cg::auth
