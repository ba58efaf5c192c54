#include <fmt/format.h>

#include "app/api.hpp"
#include "app/app.hpp"
#include "http/router.hpp"
#include "modules/auth/module.hpp"
#include "modules/auth/service.hpp"
#include "modules/org/model.hpp"

namespace cg::auth {
namespace {

namespace json = http::json;

json::object grant_json(const Grant& g) {
  json::object out{
      {"role", role_name(g.role)},
      {"role_title", role_title(g.role)},
      {"area",
       {{"id", g.area_id}, {"name", g.area_name}, {"level", g.area_level}, {"path", g.area_path}}}};
  if (g.id != 0) out["id"] = g.id;
  return out;
}

json::object me_json(const Principal& p) {
  json::array roles, permissions;
  for (const Grant& g : p.grants) roles.push_back(grant_json(g));
  for (Permission perm : all_permissions()) {
    if (p.can_somewhere(perm)) permissions.push_back(json::string(permission_name(perm)));
  }
  json::object me{{"id", p.user_id},
                  {"username", p.username},
                  {"display_name", p.display_name},
                  {"kind", p.kind},
                  {"roles", std::move(roles)},
                  {"permissions", std::move(permissions)},
                  {"csrf_token", p.csrf_token}};
  me["resident_id"] = p.resident_id ? json::value(*p.resident_id) : nullptr;
  return me;
}

http::Response signed_in(const SignIn& s, bool secure) {
  http::Response res =
      http::ok(json::object{{"user", me_json(s.principal)}, {"csrf_token", s.csrf_token}});
  res.set_header(
      "Set-Cookie",
      fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}", api::kSessionCookie,
                  s.token, std::chrono::seconds(AuthService::kSessionLifetime).count(),
                  secure ? "; Secure" : ""));
  res.set_header("Cache-Control", "no-store");
  return res;
}

json::object user_json(const UserView& u) {
  json::array roles;
  for (const Grant& g : u.grants) roles.push_back(grant_json(g));
  return {{"id", u.id},     {"username", u.username}, {"display_name", u.display_name},
          {"kind", u.kind}, {"disabled", u.disabled}, {"roles", std::move(roles)}};
}

class AuthModule : public Module {
 public:
  explicit AuthModule(App& app) : app_(app) {}
  std::string_view name() const override { return "auth"; }

  void add_routes(http::Router& r) override {
    r.post("/api/v1/auth/login", [this](http::Request& req) { return login(req); });
    r.post("/api/v1/auth/sms-code", [this](http::Request& req) { return sms_code(req); });
    r.post("/api/v1/auth/sms-login", [this](http::Request& req) { return sms_login(req); });
    r.post("/api/v1/auth/logout", [this](http::Request& req) {
      return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
        app_.auth->sign_out(a.who);
        http::Response res = http::no_content();
        res.set_header("Set-Cookie", fmt::format("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
                                                 api::kSessionCookie));
        return res;
      });
    });
    r.get("/api/v1/me", [this](http::Request& req) { return me(req); });
    r.post("/api/v1/auth/tokens", [this](http::Request& req) { return create_token(req); });
    r.get("/api/v1/users", [this](http::Request& req) { return list_users(req); });
    r.post("/api/v1/users", [this](http::Request& req) { return create_user(req); });
    r.patch("/api/v1/users/{id}", [this](http::Request& req) { return update_user(req); });
    r.post("/api/v1/users/{id}/roles", [this](http::Request& req) { return grant_role(req); });
    r.del("/api/v1/users/{id}/roles/{grant_id}",
          [this](http::Request& req) { return revoke_role(req); });
  }

 private:
  http::Response login(http::Request& req) {
    return api::open(req, [&]() -> api::Reply {
      struct In {
        std::string username, password;
      };
      auto in = api::read_body<In>(req, [](http::Fields& f) {
        return In{f.text("username", Need::required, 64).value_or(""),
                  f.text("password", Need::required, 128).value_or("")};
      });
      if (!in) return fail(in.error());
      auto s = app_.auth->sign_in(in->username, in->password, req.remote_address);
      if (!s) return fail(s.error());
      return signed_in(*s, app_.config.secure_cookies);
    });
  }

  http::Response sms_code(http::Request& req) {
    return api::open(req, [&]() -> api::Reply {
      auto phone = api::read_body<std::string>(
          req, [](http::Fields& f) { return f.text("phone", Need::required, 20).value_or(""); });
      if (!phone) return fail(phone.error());
      if (auto sent = app_.auth->send_sms_code(*phone, req.remote_address); !sent) {
        return fail(sent.error());
      }
      return http::json_response(202, json::object{{"sent", true}, {"expires_in", 300}});
    });
  }

  http::Response sms_login(http::Request& req) {
    return api::open(req, [&]() -> api::Reply {
      struct In {
        std::string phone, code;
      };
      auto in = api::read_body<In>(req, [](http::Fields& f) {
        return In{f.text("phone", Need::required, 20).value_or(""),
                  f.text("code", Need::required, 6, 6).value_or("")};
      });
      if (!in) return fail(in.error());
      auto s = app_.auth->sign_in_with_code(in->phone, in->code, req.remote_address);
      if (!s) return fail(s.error());
      return signed_in(*s, app_.config.secure_cookies);
    });
  }

  http::Response me(http::Request& req) {
    return api::guarded(app_, req, [this](const Actor& a) -> api::Reply {
      json::object body = me_json(a.who);
      if (auto home = app_.auth->home_of(a.who)) {
        body["household"] = {{"id", home->household_id},
                             {"address", home->address},
                             {"building_id", home->building_id}};
        body["grid"] = {{"id", home->grid_id}, {"name", home->grid_name}};
      }
      return http::ok(body);
    });
  }

  http::Response create_token(http::Request& req) {
    return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
      struct In {
        std::string name;
        int days;
      };
      auto in = api::read_body<In>(req, [](http::Fields& f) {
        return In{f.text("name", Need::required, 64).value_or(""),
                  static_cast<int>(f.integer("days", Need::optional, 1, 730).value_or(365))};
      });
      if (!in) return fail(in.error());
      auto token = app_.auth->create_api_token(a, in->name, in->days);
      if (!token) return fail(token.error());
      return http::created(json::object{{"id", token->id},
                                        {"name", token->name},
                                        {"token", token->token},
                                        {"expires_at", token->expires_at}});
    });
  }

  http::Response list_users(http::Request& req) {
    return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
      http::QueryFields q(req);
      auto area = q.integer("area", 1, INT64_MAX);
      if (auto done = q.finish(); !done) return fail(done.error());
      auto users = app_.auth->list_users(a, area);
      if (!users) return fail(users.error());
      json::array items;
      for (const UserView& u : *users) items.push_back(user_json(u));
      return http::ok(json::object{{"items", std::move(items)}});
    });
  }

  http::Response create_user(http::Request& req) {
    return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
      auto in = api::read_body<NewUser>(req, [](http::Fields& f) {
        NewUser u;
        u.username = f.text("username", Need::required, 32, 3).value_or("");
        u.display_name = f.text("display_name", Need::required, 32).value_or("");
        u.password = f.text("password", Need::required, 128).value_or("");
        const json::value* roles = f.raw("roles", Need::required);
        if (roles && (!roles->is_array() || roles->as_array().empty())) {
          f.add_error("roles", "type", "应为至少一项的数组");
        } else if (roles) {
          std::size_t i = 0;
          for (const json::value& item : roles->as_array()) {
            std::string field = fmt::format("roles[{}]", i++);
            const json::object* o = item.if_object();
            const json::value* role = o ? o->if_contains("role") : nullptr;
            const json::value* area = o ? o->if_contains("area_id") : nullptr;
            auto parsed = role && role->is_string()
                              ? role_from_name(std::string_view(role->as_string()))
                              : std::nullopt;
            if (!parsed) {
              f.add_error(field + ".role", "enum", "角色无效");
            } else if (!area || !area->is_int64() || area->as_int64() <= 0) {
              f.add_error(field + ".area_id", "type", "应为区域编号");
            } else {
              u.roles.push_back({*parsed, area->as_int64()});
            }
          }
        }
        return u;
      });
      if (!in) return fail(in.error());
      auto user = app_.auth->create_user(a, *in);
      if (!user) return fail(user.error());
      return http::created(user_json(*user));
    });
  }

  http::Response update_user(http::Request& req) {
    return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
      auto id = api::id_param(req);
      if (!id) return fail(id.error());
      auto patch = api::read_body<UserPatch>(req, [](http::Fields& f) {
        return UserPatch{f.text("display_name", Need::optional, 32),
                         f.boolean("disabled", Need::optional)};
      });
      if (!patch) return fail(patch.error());
      if (!patch->display_name && !patch->disabled) {
        return fail(
            errors::invalid_field("display_name", "required", "请至少修改一项（姓名或启用状态）"));
      }
      auto user = app_.auth->update_user(a, *id, *patch);
      if (!user) return fail(user.error());
      return http::ok(user_json(*user));
    });
  }

  http::Response grant_role(http::Request& req) {
    return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
      auto id = api::id_param(req);
      if (!id) return fail(id.error());
      auto grant = api::read_body<RoleOnArea>(req, [](http::Fields& f) {
        RoleOnArea g{Role::resident, 0};
        auto role = f.text("role", Need::required, 32);
        auto parsed = role ? role_from_name(*role) : std::nullopt;
        if (role && !parsed) f.add_error("role", "enum", "角色无效");
        if (parsed) g.role = *parsed;
        g.area_id = f.integer("area_id", Need::required, 1).value_or(0);
        return g;
      });
      if (!grant) return fail(grant.error());
      auto user = app_.auth->grant_role(a, *id, *grant);
      if (!user) return fail(user.error());
      return http::created(user_json(*user));
    });
  }

  http::Response revoke_role(http::Request& req) {
    return api::guarded(app_, req, [&](const Actor& a) -> api::Reply {
      auto id = api::id_param(req);
      if (!id) return fail(id.error());
      auto grant_id = api::id_param(req, "grant_id");
      if (!grant_id) return fail(grant_id.error());
      auto user = app_.auth->revoke_role(a, *id, *grant_id);
      if (!user) return fail(user.error());
      return http::ok(user_json(*user));
    });
  }

  using Need = http::Need;
  App& app_;
};

}  // namespace

std::unique_ptr<Module> make_module(App& app) {
  return std::make_unique<AuthModule>(app);
}

}  // namespace cg::auth
