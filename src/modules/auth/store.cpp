#include "modules/auth/store.hpp"

#include <map>

namespace cg::auth::store {
namespace {

constexpr const char* kLoginByUsername =
    "SELECT id, password_hash, disabled FROM users WHERE username = $1 AND kind = 'staff'";
constexpr const char* kLiveSession =
    "SELECT id, user_id, csrf_token, kind, expires_at FROM sessions "
    "WHERE token_hash = $1 AND revoked = 0 AND expires_at > $2";
constexpr const char* kUser =
    "SELECT id, COALESCE(username, ''), display_name, kind, resident_id, disabled FROM users "
    "WHERE id = $1";
constexpr const char* kGrants =
    "SELECT g.role, a.id, a.path, a.name, a.level, g.id FROM role_grants g "
    "JOIN areas a ON a.id = g.area_id WHERE g.user_id = $1 ORDER BY a.path, g.id";
constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, kind, name, csrf_token, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr const char* kRevokeSession = "UPDATE sessions SET revoked = 1 WHERE id = $1";
constexpr const char* kUpdatePassword =
    "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1";
constexpr const char* kLastCodeTime = "SELECT MAX(created_at) FROM sms_codes WHERE phone_idx = $1";
constexpr const char* kInsertCode =
    "INSERT INTO sms_codes (phone_idx, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)";
constexpr const char* kLiveCode =
    "SELECT id, code_hash, attempts FROM sms_codes WHERE phone_idx = $1 AND used = 0 "
    "AND expires_at > $2 ORDER BY id DESC LIMIT 1";
constexpr const char* kCountAttempt = "UPDATE sms_codes SET attempts = attempts + 1 WHERE id = $1";
constexpr const char* kUseCode = "UPDATE sms_codes SET used = 1 WHERE id = $1";
constexpr const char* kUserByPhone = "SELECT id FROM users WHERE phone_idx = $1";
// The residents table belongs to the people module; a resident's account is
// linked to their registry record by the phone's blind index.
constexpr const char* kResidentByPhone =
    "SELECT id, name, grid_id FROM residents WHERE phone_idx = $1 ORDER BY id LIMIT 1";
constexpr const char* kInsertUser =
    "INSERT INTO users (username, display_name, kind, password_hash, phone_idx, phone_enc, "
    "phone_masked, resident_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id";
constexpr const char* kInsertGrant =
    "INSERT INTO role_grants (user_id, role, area_id, created_at) VALUES ($1, $2, $3, $4) "
    "RETURNING id";
constexpr const char* kHouseholdOfResident = "SELECT household_id FROM residents WHERE id = $1";
constexpr const char* kAreaPath = "SELECT path FROM areas WHERE id = $1";
constexpr const char* kUsersIn =
    "SELECT u.id, COALESCE(u.username, ''), u.display_name, u.kind, u.disabled, g.role, a.id, "
    "a.path, a.name, a.level, g.id FROM users u JOIN role_grants g ON g.user_id = u.id "
    "JOIN areas a ON a.id = g.area_id WHERE a.path >= $1 AND a.path < $2 AND u.kind = 'staff' "
    "ORDER BY u.id, a.path, g.id";
constexpr const char* kStaffUser =
    "SELECT id, COALESCE(username, ''), display_name, kind, disabled FROM users "
    "WHERE id = $1 AND kind = 'staff'";
constexpr const char* kUpdateUser =
    "UPDATE users SET display_name = $2, disabled = $3, updated_at = $4 WHERE id = $1";
// Sessions and API tokens alike: a disabled account's tokens never work again,
// even after it is enabled (its holder signs in anew).
constexpr const char* kRevokeSessionsOf =
    "UPDATE sessions SET revoked = 1 WHERE user_id = $1 AND revoked = 0";
constexpr const char* kDeleteGrant = "DELETE FROM role_grants WHERE id = $1 AND user_id = $2";

}  // namespace

std::optional<LoginRow> login_by_username(db::Conn& conn, const std::string& username) {
  auto row = conn.query_one(kLoginByUsername, {username});
  if (!row) return std::nullopt;
  return LoginRow{row->i64(0), row->text(1), row->i64(2) != 0};
}

std::optional<SessionRow> live_session(db::Conn& conn, const std::string& token_hash,
                                       std::int64_t now) {
  auto row = conn.query_one(kLiveSession, {token_hash, now});
  if (!row) return std::nullopt;
  return SessionRow{row->i64(0), row->i64(1), row->text(2), row->text(3), row->i64(4)};
}

std::optional<Principal> principal(db::Conn& conn, std::int64_t user_id) {
  auto user = conn.query_one(kUser, {user_id});
  if (!user || user->i64(5) != 0) return std::nullopt;
  Principal p;
  p.user_id = user->i64(0);
  p.username = user->text(1);
  p.display_name = user->text(2);
  p.kind = user->text(3);
  p.resident_id = user->opt_i64(4);
  for (const db::Row& g : conn.query(kGrants, {user_id})) {
    auto role = role_from_name(g.text(0));
    if (!role) continue;
    p.grants.push_back({*role, g.i64(1), g.text(2), g.text(3), g.text(4), g.i64(5)});
  }
  return p;
}

std::int64_t insert_session(db::Conn& conn, const std::string& token_hash, std::int64_t user_id,
                            const std::string& kind, const std::string& name,
                            const std::string& csrf, std::int64_t now, std::int64_t expires) {
  return conn.query(kInsertSession, {token_hash, user_id, kind, name, csrf, now, expires})
      .front()
      .i64(0);
}

void revoke_session(db::Conn& conn, std::int64_t session_id) {
  conn.exec(kRevokeSession, {session_id});
}

void update_password_hash(db::Conn& conn, std::int64_t user_id, const std::string& hash,
                          std::int64_t now) {
  conn.exec(kUpdatePassword, {user_id, hash, now});
}

std::optional<std::int64_t> last_code_time(db::Conn& conn, const std::string& phone_idx) {
  auto row = conn.query_one(kLastCodeTime, {phone_idx});
  if (!row || row->is_null(0)) return std::nullopt;
  return row->i64(0);
}

void insert_code(db::Conn& conn, const std::string& phone_idx, const std::string& code_hash,
                 std::int64_t now, std::int64_t expires) {
  conn.exec(kInsertCode, {phone_idx, code_hash, now, expires});
}

std::optional<CodeRow> live_code(db::Conn& conn, const std::string& phone_idx, std::int64_t now) {
  auto row = conn.query_one(kLiveCode, {phone_idx, now});
  if (!row) return std::nullopt;
  return CodeRow{row->i64(0), row->text(1), static_cast<int>(row->i64(2))};
}

void count_attempt(db::Conn& conn, std::int64_t code_id) {
  conn.exec(kCountAttempt, {code_id});
}
void use_code(db::Conn& conn, std::int64_t code_id) {
  conn.exec(kUseCode, {code_id});
}

std::optional<std::int64_t> user_by_phone(db::Conn& conn, const std::string& phone_idx) {
  auto row = conn.query_one(kUserByPhone, {phone_idx});
  if (!row) return std::nullopt;
  return row->i64(0);
}

std::optional<ResidentMatch> resident_by_phone(db::Conn& conn, const std::string& phone_idx) {
  auto row = conn.query_one(kResidentByPhone, {phone_idx});
  if (!row) return std::nullopt;
  return ResidentMatch{row->i64(0), row->text(1), row->i64(2)};
}

std::int64_t insert_user(db::Conn& conn, const std::optional<std::string>& username,
                         const std::string& display_name, const std::string& kind,
                         const std::optional<std::string>& password_hash,
                         const std::optional<std::string>& phone_idx, const db::Param& phone_enc,
                         const std::string& phone_masked,
                         const std::optional<std::int64_t>& resident_id, std::int64_t now) {
  return conn
      .query(kInsertUser, {username, display_name, kind, password_hash, phone_idx, phone_enc,
                           phone_masked, resident_id, now})
      .front()
      .i64(0);
}

std::int64_t insert_grant(db::Conn& conn, std::int64_t user_id, Role role, std::int64_t area_id,
                          std::int64_t now) {
  return conn.query(kInsertGrant, {user_id, role_name(role), area_id, now}).front().i64(0);
}

std::optional<std::int64_t> household_of_resident(db::Conn& conn, std::int64_t resident_id) {
  auto row = conn.query_one(kHouseholdOfResident, {resident_id});
  if (!row) return std::nullopt;
  return row->i64(0);
}

std::optional<std::string> area_path(db::Conn& conn, std::int64_t area_id) {
  auto row = conn.query_one(kAreaPath, {area_id});
  if (!row) return std::nullopt;
  return row->text(0);
}

std::vector<UserView> users_in(db::Conn& conn, const std::string& scope_path) {
  std::vector<UserView> users;
  for (const db::Row& r : conn.query(kUsersIn, {scope_path, subtree_end(scope_path)})) {
    if (users.empty() || users.back().id != r.i64(0)) {
      users.push_back({r.i64(0), r.text(1), r.text(2), r.text(3), r.i64(4) != 0, {}});
    }
    if (auto role = role_from_name(r.text(5))) {
      users.back().grants.push_back({*role, r.i64(6), r.text(7), r.text(8), r.text(9), r.i64(10)});
    }
  }
  return users;
}

std::optional<UserView> staff_user(db::Conn& conn, std::int64_t user_id) {
  auto row = conn.query_one(kStaffUser, {user_id});
  if (!row) return std::nullopt;
  UserView u{row->i64(0), row->text(1), row->text(2), row->text(3), row->i64(4) != 0, {}};
  for (const db::Row& g : conn.query(kGrants, {user_id})) {
    if (auto role = role_from_name(g.text(0))) {
      u.grants.push_back({*role, g.i64(1), g.text(2), g.text(3), g.text(4), g.i64(5)});
    }
  }
  return u;
}

void update_user(db::Conn& conn, std::int64_t user_id, const std::string& display_name,
                 bool disabled, std::int64_t now) {
  conn.exec(kUpdateUser, {user_id, display_name, disabled ? 1 : 0, now});
}

void revoke_sessions_of(db::Conn& conn, std::int64_t user_id) {
  conn.exec(kRevokeSessionsOf, {user_id});
}

void delete_grant(db::Conn& conn, std::int64_t user_id, std::int64_t grant_id) {
  conn.exec(kDeleteGrant, {grant_id, user_id});
}

}  // namespace cg::auth::store
