// SQL of accounts, grants, sessions and one-time codes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "modules/auth/model.hpp"
#include "modules/auth/service.hpp"

namespace cg::auth::store {

struct LoginRow {
  std::int64_t id = 0;
  std::string password_hash;
  bool disabled = false;
};

struct SessionRow {
  std::int64_t session_id = 0;
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::string kind;
  std::int64_t expires_at = 0;
};

std::optional<LoginRow> login_by_username(db::Conn& conn, const std::string& username);
std::optional<SessionRow> live_session(db::Conn& conn, const std::string& token_hash,
                                       std::int64_t now);
std::optional<Principal> principal(db::Conn& conn, std::int64_t user_id);
std::int64_t insert_session(db::Conn& conn, const std::string& token_hash, std::int64_t user_id,
                            const std::string& kind, const std::string& name,
                            const std::string& csrf, std::int64_t now, std::int64_t expires);
void revoke_session(db::Conn& conn, std::int64_t session_id);
void update_password_hash(db::Conn& conn, std::int64_t user_id, const std::string& hash,
                          std::int64_t now);

// One-time codes.
std::optional<std::int64_t> last_code_time(db::Conn& conn, const std::string& phone_idx);
void insert_code(db::Conn& conn, const std::string& phone_idx, const std::string& code_hash,
                 std::int64_t now, std::int64_t expires);
struct CodeRow {
  std::int64_t id = 0;
  std::string code_hash;
  int attempts = 0;
};
std::optional<CodeRow> live_code(db::Conn& conn, const std::string& phone_idx, std::int64_t now);
void count_attempt(db::Conn& conn, std::int64_t code_id);
void use_code(db::Conn& conn, std::int64_t code_id);

// Accounts.
std::optional<std::int64_t> user_by_phone(db::Conn& conn, const std::string& phone_idx);
struct ResidentMatch {
  std::int64_t resident_id = 0;
  std::string name;
  std::int64_t grid_id = 0;
};
std::optional<ResidentMatch> resident_by_phone(db::Conn& conn, const std::string& phone_idx);
std::int64_t insert_user(db::Conn& conn, const std::optional<std::string>& username,
                         const std::string& display_name, const std::string& kind,
                         const std::optional<std::string>& password_hash,
                         const std::optional<std::string>& phone_idx, const db::Param& phone_enc,
                         const std::string& phone_masked,
                         const std::optional<std::int64_t>& resident_id, std::int64_t now);
std::int64_t insert_grant(db::Conn& conn, std::int64_t user_id, Role role, std::int64_t area_id,
                          std::int64_t now);
std::optional<std::int64_t> household_of_resident(db::Conn& conn, std::int64_t resident_id);
std::optional<std::string> area_path(db::Conn& conn, std::int64_t area_id);
std::vector<UserView> users_in(db::Conn& conn, const std::string& scope_path);
// A staff account with all its grants (residents' accounts are not managed here).
std::optional<UserView> staff_user(db::Conn& conn, std::int64_t user_id);
void update_user(db::Conn& conn, std::int64_t user_id, const std::string& display_name,
                 bool disabled, std::int64_t now);
// Ends every session and API token of the account.
void revoke_sessions_of(db::Conn& conn, std::int64_t user_id);
void delete_grant(db::Conn& conn, std::int64_t user_id, std::int64_t grant_id);

}  // namespace cg::auth::store
