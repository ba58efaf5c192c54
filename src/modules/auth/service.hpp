// Accounts, sign-in and sessions.
//
// Staff sign in with a username and an argon2id password; residents with
// their phone and a one-time code sent through an SmsSender. A successful
// sign-in yields a random session token (only its hash is stored) and a CSRF
// token. Programs use bearer API tokens. Failed sign-ins are rate-limited per
// account and per address.
//
// Thread safety: all public functions may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/password.hpp"
#include "db/db.hpp"
#include "modules/auth/model.hpp"
#include "modules/auth/principal_cache.hpp"

namespace cg {
class PiiCipher;
}
namespace cg::audit {
class AuditLog;
}
namespace cg::org {
class OrgService;
struct Place;
}  // namespace cg::org

namespace cg::auth {

// Delivers one-time codes. The built-in LogSmsSender writes them to the log,
// which is what the demo uses; a deployment plugs in its SMS gateway here.
class SmsSender {
 public:
  virtual ~SmsSender() = default;
  virtual void send(const std::string& phone, const std::string& text) = 0;
};

class LogSmsSender : public SmsSender {
 public:
  void send(const std::string& phone, const std::string& text) override;
};

// Counts failures in a sliding window; in memory, so per server process.
class FailureLimiter {
 public:
  FailureLimiter(int max_failures, std::chrono::seconds window)
      : max_(max_failures), window_(window) {}
  bool blocked(const std::string& key);
  void failed(const std::string& key);
  void reset(const std::string& key);

 private:
  std::mutex mutex_;
  int max_;
  std::chrono::seconds window_;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> failures_;
};

struct SignIn {
  std::string token;
  std::string csrf_token;
  std::int64_t expires_at = 0;
  Principal principal;
};

struct RoleOnArea {
  Role role;
  std::int64_t area_id = 0;
};

struct NewUser {
  std::string username;
  std::string display_name;
  std::string password;
  std::vector<RoleOnArea> roles;
};

// A change to a staff account; absent fields stay as they are.
struct UserPatch {
  std::optional<std::string> display_name;
  std::optional<bool> disabled;
};

struct UserView {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string kind;
  bool disabled = false;
  std::vector<Grant> grants;
};

struct ApiToken {
  std::int64_t id = 0;
  std::string name;
  std::string token;  // shown once
  std::int64_t expires_at = 0;
};

class AuthService {
 public:
  AuthService(db::Database& db, const PiiCipher& pii, const audit::AuditLog& audit,
              const org::OrgService& org);
  ~AuthService();

  void set_sms_sender(std::unique_ptr<SmsSender> sender);
  // Tests use libsodium's minimal cost; production keeps the default.
  void set_password_cost(PasswordHashCost cost) { password_cost_ = cost; }
  PasswordHashCost password_cost() const { return password_cost_; }

  // The caller behind a session or API token; 401 when unknown, expired or revoked.
  Result<Principal> principal_for_token(std::string_view token, bool via_cookie);

  Result<SignIn> sign_in(const std::string& username, const std::string& password,
                         const std::string& address);
  Status send_sms_code(const std::string& phone, const std::string& address);
  Result<SignIn> sign_in_with_code(const std::string& phone, const std::string& code,
                                   const std::string& address);
  void sign_out(const Principal& principal);
  // Where a resident account's registry record lives, for "我的" pages.
  std::optional<org::Place> home_of(const Principal& principal);

  Result<ApiToken> create_api_token(const Actor& actor, const std::string& name, int days);
  Result<UserView> create_user(const Actor& actor, const NewUser& user);
  Result<std::vector<UserView>> list_users(const Actor& actor, std::optional<std::int64_t> area);
  // Managing an existing account needs users.manage over one of its roles
  // (else 404, as for any record outside the caller's scope) and the right to
  // grant every role it holds (else 403): nobody manages an account that
  // holds more than they could have given it. Nobody disables themselves or
  // changes their own roles. Disabling ends the account's sessions and tokens.
  Result<UserView> update_user(const Actor& actor, std::int64_t user_id, const UserPatch& patch);
  Result<UserView> grant_role(const Actor& actor, std::int64_t user_id, const RoleOnArea& grant);
  // The last role cannot be revoked (409): an account without roles would be
  // out of everyone's sight; disable it instead.
  Result<UserView> revoke_role(const Actor& actor, std::int64_t user_id, std::int64_t grant_id);

  // The account behind a normalized mobile phone: the existing one, or the
  // one a resident gets on first sign-in (linked to the registry record with
  // that phone). Sign-in by SMS code uses it; demo data makes accounts ahead.
  std::int64_t phone_account_unchecked(db::Conn& conn, const std::string& phone,
                                       std::int64_t now) const;
  // For the CLI and demo data: creates a staff user with no permission check.
  // Throws DbError on a duplicate username.
  std::int64_t create_user_unchecked(db::Conn& conn, const NewUser& user,
                                     const std::string& password_hash);
  static constexpr std::chrono::hours kSessionLifetime{12};

 private:
  Result<SignIn> open_session(std::int64_t user_id);
  std::optional<Principal> load_principal(const std::string& token_hash);
  Result<UserView> managed_user(db::Conn& conn, const Actor& actor, std::int64_t user_id) const;
  db::Database& db_;
  const PiiCipher& pii_;
  const audit::AuditLog& audit_;
  const org::OrgService& org_;
  std::unique_ptr<SmsSender> sms_;
  PasswordHashCost password_cost_ = PasswordHashCost::interactive();
  FailureLimiter account_failures_{5, std::chrono::minutes(15)};
  FailureLimiter address_failures_{30, std::chrono::minutes(15)};
  // Forgotten after every change below to sessions, accounts or grants.
  PrincipalCache principals_;
};

}  // namespace cg::auth
