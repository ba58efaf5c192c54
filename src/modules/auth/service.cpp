#include "modules/auth/service.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "app/app.hpp"
#include "core/password.hpp"
#include "core/pii.hpp"
#include "modules/audit/model.hpp"
#include "modules/auth/store.hpp"
#include "modules/org/service.hpp"

namespace cg::auth {
namespace {

constexpr std::int64_t kCodeLifetimeMs = 5 * 60 * 1000;
constexpr std::int64_t kCodeResendMs = 60 * 1000;
constexpr int kCodeMaxAttempts = 5;

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

// Tokens are 256 random bits, so a fast unkeyed hash is enough to make a
// stolen sessions table useless.
std::string token_hash(std::string_view token) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string six_digit_code() {
  return fmt::format("{:06d}", randombytes_uniform(1000000));
}

Error bad_credentials() {
  return {401, "bad-credentials", "用户名或密码错误", "用户名或密码错误，请重新输入", {}};
}

// Why `who` may not hand out `role` on the area at `path` (nullopt: they may).
// Granting needs users.manage there, and every permission the role carries:
// nobody hands out more than they hold. `field` names the input for the error.
std::optional<Error> grant_refusal(const Principal& who, Role role,
                                   const std::optional<std::string>& path,
                                   const std::string& field_prefix) {
  if (!path || !who.can(Permission::users_manage, *path)) {
    return errors::invalid_field(field_prefix + "area_id", "scope", "无权在该区域授予角色");
  }
  for (Permission p : all_permissions()) {
    if (role_has(role, p) && !who.can(p, *path)) {
      return errors::invalid_field(field_prefix + "role", "scope", "不能授予超出自身权限的角色");
    }
  }
  return std::nullopt;
}

std::string detail_of(const UserView& user, const Grant& grant) {
  return fmt::format("{} {}@{}", user.username, role_name(grant.role), grant.area_name);
}

}  // namespace

void LogSmsSender::send(const std::string& phone, const std::string& text) {
  spdlog::warn("[短信-演示发送器] 发往 {}：{}（未接入短信网关，验证码仅写入日志）", phone, text);
}

bool FailureLimiter::blocked(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  auto cutoff = std::chrono::steady_clock::now() - window_;
  std::erase_if(it->second, [&](auto t) { return t < cutoff; });
  return static_cast<int>(it->second.size()) >= max_;
}

void FailureLimiter::failed(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_[key].push_back(std::chrono::steady_clock::now());
}

void FailureLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

AuthService::AuthService(db::Database& db, const PiiCipher& pii, const audit::AuditLog& audit,
                         const org::OrgService& org)
    : db_(db), pii_(pii), audit_(audit), org_(org), sms_(std::make_unique<LogSmsSender>()) {}

AuthService::~AuthService() = default;

void AuthService::set_sms_sender(std::unique_ptr<SmsSender> sender) {
  sms_ = std::move(sender);
}

Result<Principal> AuthService::principal_for_token(std::string_view token, bool via_cookie) {
  if (token.empty() || token.size() > 128) return fail(errors::unauthenticated());
  const std::string hash = token_hash(token);
  std::optional<Principal> principal = principals_.find(hash, now_ms());
  if (!principal) principal = load_principal(hash);
  if (!principal) return fail(errors::unauthenticated("登录已过期或令牌无效，请重新登录"));
  principal->via_cookie = via_cookie;
  return std::move(*principal);
}

// The live session's account and grants, read from the database and cached.
std::optional<Principal> AuthService::load_principal(const std::string& hash) {
  const std::uint64_t generation = principals_.generation();
  std::int64_t expires_at = 0;
  auto principal = db_.read([&](db::Conn& conn) -> std::optional<Principal> {
    auto session = store::live_session(conn, hash, now_ms());
    if (!session) return std::nullopt;
    auto p = store::principal(conn, session->user_id);
    if (!p) return std::nullopt;
    p->session_id = session->session_id;
    p->csrf_token = session->csrf_token;
    expires_at = session->expires_at;
    return p;
  });
  if (principal) principals_.put(hash, *principal, expires_at, generation);
  return principal;
}

Result<SignIn> AuthService::open_session(std::int64_t user_id) {
  SignIn out;
  out.token = random_hex(32);
  out.csrf_token = random_hex(16);
  std::int64_t now = now_ms();
  out.expires_at =
      now + std::chrono::duration_cast<std::chrono::milliseconds>(kSessionLifetime).count();
  auto principal = db_.write([&](db::Conn& conn) -> std::optional<Principal> {
    std::int64_t id = store::insert_session(conn, token_hash(out.token), user_id, "session", "",
                                            out.csrf_token, now, out.expires_at);
    auto p = store::principal(conn, user_id);
    if (p) p->session_id = id;
    return p;
  });
  if (!principal) return fail(errors::unauthenticated("账号已停用"));
  principal->csrf_token = out.csrf_token;
  out.principal = std::move(*principal);
  return out;
}

Result<SignIn> AuthService::sign_in(const std::string& username, const std::string& password,
                                    const std::string& address) {
  std::string account_key = "user:" + username, address_key = "addr:" + address;
  if (account_failures_.blocked(account_key) || address_failures_.blocked(address_key)) {
    return fail(errors::rate_limited("登录失败次数过多，请 15 分钟后再试"));
  }
  auto login = db_.read([&](db::Conn& conn) { return store::login_by_username(conn, username); });
  // Verify even for unknown users, so response time does not reveal which exist.
  static const std::string dummy_hash = *hash_password("not-a-real-password-123!");
  bool good = verify_password(login ? login->password_hash : dummy_hash, password);
  if (!login || !good || login->disabled) {
    account_failures_.failed(account_key);
    address_failures_.failed(address_key);
    return fail(bad_credentials());
  }
  account_failures_.reset(account_key);
  if (needs_rehash(login->password_hash, password_cost_)) {
    if (auto fresh = hash_password(password, password_cost_)) {
      db_.write(
          [&](db::Conn& conn) { store::update_password_hash(conn, login->id, *fresh, now_ms()); });
    }
  }
  return open_session(login->id);
}

Status AuthService::send_sms_code(const std::string& phone, const std::string& address) {
  auto normalized = normalize_mobile_phone(phone);
  if (!normalized) return fail(normalized.error());
  if (address_failures_.blocked("addr:" + address)) {
    return fail(errors::rate_limited("请求过于频繁，请稍后再试"));
  }
  std::string idx = pii_.blind_index("phone", *normalized);
  std::string code = six_digit_code();
  std::int64_t now = now_ms();
  bool too_soon = db_.write([&](db::Conn& conn) {
    auto last = store::last_code_time(conn, idx);
    if (last && now - *last < kCodeResendMs) return true;
    store::insert_code(conn, idx, token_hash(code + idx), now, now + kCodeLifetimeMs);
    return false;
  });
  if (too_soon) return fail(errors::rate_limited("验证码已发送，请 60 秒后再试"));
  sms_->send(*normalized, fmt::format("【社区网格】您的登录验证码是 {}，5 分钟内有效。", code));
  return {};
}

Result<SignIn> AuthService::sign_in_with_code(const std::string& phone, const std::string& code,
                                              const std::string& address) {
  auto normalized = normalize_mobile_phone(phone);
  if (!normalized) return fail(normalized.error());
  if (address_failures_.blocked("addr:" + address)) {
    return fail(errors::rate_limited("失败次数过多，请稍后再试"));
  }
  std::string idx = pii_.blind_index("phone", *normalized);
  std::int64_t now = now_ms();
  auto user_id = db_.write([&](db::Conn& conn) -> Result<std::int64_t> {
    auto live = store::live_code(conn, idx, now);
    if (!live || live->attempts >= kCodeMaxAttempts) {
      return fail(Error{401, "bad-code", "验证码错误或已过期", "请重新获取验证码", {}});
    }
    if (live->code_hash != token_hash(code + idx)) {
      return fail(Error{401, "bad-code", "验证码错误或已过期", "验证码不正确", {}});
    }
    store::use_code(conn, live->id);
    return phone_account_unchecked(conn, *normalized, now);
  });
  if (!user_id) {
    // Writes above are rolled back on error; count the attempt separately.
    if (user_id.error().type == "bad-code") {
      address_failures_.failed("addr:" + address);
      db_.write([&](db::Conn& conn) {
        if (auto live = store::live_code(conn, idx, now)) store::count_attempt(conn, live->id);
      });
    }
    return fail(user_id.error());
  }
  return open_session(*user_id);
}

std::int64_t AuthService::phone_account_unchecked(db::Conn& conn, const std::string& phone,
                                                  std::int64_t now) const {
  const std::string idx = pii_.blind_index("phone", phone);
  if (auto existing = store::user_by_phone(conn, idx)) return *existing;
  // First sign-in: an account for the phone, linked to the registry record
  // when the community has registered this phone.
  auto resident = store::resident_by_phone(conn, idx);
  std::string name = resident ? resident->name : "居民" + phone.substr(7);
  std::optional<std::int64_t> resident_id;
  if (resident) resident_id = resident->resident_id;
  std::int64_t id =
      store::insert_user(conn, std::nullopt, name, "resident", std::nullopt, idx,
                         db::Blob{pii_.encrypt(phone)}, mask_phone(phone), resident_id, now);
  if (resident) store::insert_grant(conn, id, Role::resident, resident->grid_id, now);
  return id;
}

std::optional<org::Place> AuthService::home_of(const Principal& principal) {
  if (!principal.resident_id) return std::nullopt;
  return db_.read([&](db::Conn& conn) -> std::optional<org::Place> {
    auto household = store::household_of_resident(conn, *principal.resident_id);
    if (!household) return std::nullopt;
    return org_.place_of_household(conn, *household);
  });
}

void AuthService::sign_out(const Principal& principal) {
  db_.write([&](db::Conn& conn) { store::revoke_session(conn, principal.session_id); });
  principals_.forget_all();
}

Result<ApiToken> AuthService::create_api_token(const Actor& actor, const std::string& name,
                                               int days) {
  if (actor.who.kind != "staff") return fail(errors::forbidden("只有工作人员可以创建 API 令牌"));
  ApiToken token{0, name, random_hex(32), now_ms() + std::int64_t{days} * 86400000};
  token.id = db_.write([&](db::Conn& conn) {
    std::int64_t id = store::insert_session(conn, token_hash(token.token), actor.who.user_id, "api",
                                            name, "", now_ms(), token.expires_at);
    audit_.record(
        conn, actor,
        {"api_token.create", "user", std::to_string(actor.who.user_id), name,
         actor.who.grants.empty() ? "" : actor.who.grants.front().area_path,
         actor.who.grants.empty() ? actor.who.kind
                                  : std::string(role_name(actor.who.grants.front().role))});
    return id;
  });
  return token;
}

std::int64_t AuthService::create_user_unchecked(db::Conn& conn, const NewUser& user,
                                                const std::string& password_hash) {
  std::int64_t now = now_ms();
  std::int64_t id = store::insert_user(conn, user.username, user.display_name, "staff",
                                       password_hash, std::nullopt, nullptr, "", std::nullopt, now);
  for (const RoleOnArea& r : user.roles) store::insert_grant(conn, id, r.role, r.area_id, now);
  return id;
}

Result<UserView> AuthService::create_user(const Actor& actor, const NewUser& user) {
  if (auto quality = check_password_quality(user.password, user.username); !quality) {
    return fail(quality.error());
  }
  auto hash = hash_password(user.password, password_cost_);
  if (!hash) return fail(hash.error());
  auto created = db_.write([&](db::Conn& conn) -> Result<UserView> {
    UserView view{0, user.username, user.display_name, "staff", false, {}};
    std::string first_path;
    for (std::size_t i = 0; i < user.roles.size(); ++i) {
      const RoleOnArea& r = user.roles[i];
      auto path = store::area_path(conn, r.area_id);
      if (auto refused = grant_refusal(actor.who, r.role, path, fmt::format("roles[{}].", i))) {
        return fail(*refused);
      }
      if (first_path.empty()) first_path = *path;
      view.grants.push_back({r.role, r.area_id, *path, "", ""});
    }
    try {
      view.id = create_user_unchecked(conn, user, *hash);
    } catch (const db::DbError& e) {
      if (e.unique_violation()) {
        return fail(errors::conflict("duplicate-username", "用户名已存在", "该用户名已被使用"));
      }
      throw;
    }
    audit_.record(conn, actor,
                  {"user.create", "user", std::to_string(view.id), user.username, first_path,
                   actor.who.acting_role(Permission::users_manage, first_path)});
    return view;
  });
  return created;
}

Result<std::vector<UserView>> AuthService::list_users(const Actor& actor,
                                                      std::optional<std::int64_t> area) {
  std::vector<std::string> scopes = actor.who.scopes(Permission::users_manage);
  if (scopes.empty()) return fail(errors::forbidden("无权查看账号"));
  return db_.read([&](db::Conn& conn) -> Result<std::vector<UserView>> {
    if (area) {
      auto path = store::area_path(conn, *area);
      if (!path || !actor.who.can(Permission::users_manage, *path)) {
        return fail(errors::not_found());
      }
      scopes = {*path};
    }
    std::vector<UserView> users;
    for (const std::string& scope : scopes) {
      for (UserView& u : store::users_in(conn, scope)) users.push_back(std::move(u));
    }
    return users;
  });
}

Result<UserView> AuthService::managed_user(db::Conn& conn, const Actor& actor,
                                           std::int64_t user_id) const {
  auto user = store::staff_user(conn, user_id);
  if (!user) return fail(errors::not_found());
  bool in_scope = std::any_of(user->grants.begin(), user->grants.end(), [&](const Grant& g) {
    return actor.who.can(Permission::users_manage, g.area_path);
  });
  if (!in_scope) return fail(errors::not_found());
  for (const Grant& g : user->grants) {
    if (grant_refusal(actor.who, g.role, g.area_path, "")) {
      return fail(errors::forbidden("该账号拥有超出您权限的角色，无权管理"));
    }
  }
  return std::move(*user);
}

Result<UserView> AuthService::update_user(const Actor& actor, std::int64_t user_id,
                                          const UserPatch& patch) {
  if (!actor.who.can_somewhere(Permission::users_manage)) {
    return fail(errors::forbidden("无权管理账号"));
  }
  auto changed = db_.write([&](db::Conn& conn) -> Result<UserView> {
    auto user = managed_user(conn, actor, user_id);
    if (!user) return user;
    if (patch.disabled.value_or(false) && user_id == actor.who.user_id) {
      return fail(errors::invalid_field("disabled", "self", "不能停用自己的账号"));
    }
    const bool disabling = patch.disabled == true && !user->disabled;
    const bool enabling = patch.disabled == false && user->disabled;
    user->display_name = patch.display_name.value_or(user->display_name);
    user->disabled = patch.disabled.value_or(user->disabled);
    store::update_user(conn, user_id, user->display_name, user->disabled, now_ms());
    if (disabling) store::revoke_sessions_of(conn, user_id);
    const std::string& path = user->grants.front().area_path;
    const char* action = disabling ? "user.disable" : enabling ? "user.enable" : "user.update";
    audit_.record(conn, actor,
                  {action, "user", std::to_string(user_id), user->username, path,
                   actor.who.acting_role(Permission::users_manage, path)});
    return user;
  });
  principals_.forget_all();
  return changed;
}

Result<UserView> AuthService::grant_role(const Actor& actor, std::int64_t user_id,
                                         const RoleOnArea& grant) {
  if (!actor.who.can_somewhere(Permission::users_manage)) {
    return fail(errors::forbidden("无权管理账号"));
  }
  auto changed = db_.write([&](db::Conn& conn) -> Result<UserView> {
    auto user = managed_user(conn, actor, user_id);
    if (!user) return user;
    if (user_id == actor.who.user_id) return fail(errors::forbidden("不能修改自己的角色"));
    if (grant.role == Role::resident) {
      return fail(errors::invalid_field("role", "enum", "工作人员账号不能授予居民角色"));
    }
    auto path = store::area_path(conn, grant.area_id);
    if (auto refused = grant_refusal(actor.who, grant.role, path, "")) return fail(*refused);
    bool held = std::any_of(user->grants.begin(), user->grants.end(), [&](const Grant& g) {
      return g.role == grant.role && g.area_id == grant.area_id;
    });
    if (held) return fail(errors::conflict("duplicate-grant", "角色已存在", "该账号已拥有此角色"));
    std::int64_t id = store::insert_grant(conn, user_id, grant.role, grant.area_id, now_ms());
    auto fresh = store::staff_user(conn, user_id);
    auto added = std::find_if(fresh->grants.begin(), fresh->grants.end(),
                              [&](const Grant& g) { return g.id == id; });
    audit_.record(conn, actor,
                  {"user.grant", "user", std::to_string(user_id), detail_of(*fresh, *added), *path,
                   actor.who.acting_role(Permission::users_manage, *path)});
    return std::move(*fresh);
  });
  principals_.forget_all();
  return changed;
}

Result<UserView> AuthService::revoke_role(const Actor& actor, std::int64_t user_id,
                                          std::int64_t grant_id) {
  if (!actor.who.can_somewhere(Permission::users_manage)) {
    return fail(errors::forbidden("无权管理账号"));
  }
  auto changed = db_.write([&](db::Conn& conn) -> Result<UserView> {
    auto user = managed_user(conn, actor, user_id);
    if (!user) return user;
    auto grant = std::find_if(user->grants.begin(), user->grants.end(),
                              [&](const Grant& g) { return g.id == grant_id; });
    if (grant == user->grants.end()) return fail(errors::not_found());
    if (user_id == actor.who.user_id) return fail(errors::forbidden("不能修改自己的角色"));
    if (user->grants.size() == 1) {
      return fail(errors::conflict("last-role", "不能移除最后一个角色",
                                   "账号至少保留一个角色；不再使用的账号请停用"));
    }
    store::delete_grant(conn, user_id, grant_id);
    audit_.record(
        conn, actor,
        {"user.revoke", "user", std::to_string(user_id), detail_of(*user, *grant), grant->area_path,
         actor.who.acting_role(Permission::users_manage, grant->area_path)});
    user->grants.erase(grant);
    return std::move(*user);
  });
  principals_.forget_all();
  return changed;
}

}  // namespace cg::auth
