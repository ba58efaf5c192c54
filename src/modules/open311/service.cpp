#include "modules/open311/service.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <set>

#include "app/app.hpp"
#include "core/text.hpp"
#include "db/db.hpp"
#include "modules/audit/model.hpp"
#include "modules/cases/service.hpp"
#include "modules/cases/store.hpp"
#include "modules/open311/store.hpp"
#include "modules/org/service.hpp"

namespace cg::open311 {
namespace {

namespace json = boost::json;
using auth::Role;

constexpr std::string_view kKeyPrefix = "o311_";
constexpr std::size_t kShownKeyChars = 13;  // "o311_" and 8 hex digits

// ---- keys and tokens ------------------------------------------------------------

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

// Keys are 256 random bits, so an unkeyed fast hash suffices: nobody can
// enumerate the key space to invert it.
std::string key_hash(std::string_view key) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), nullptr, 0);
  std::string hex;
  for (unsigned char c : out) hex += fmt::format("{:02x}", c);
  return hex;
}

// ---- who manages keys -------------------------------------------------------------

bool is_key_admin(Role r) {
  return r == Role::platform_admin || r == Role::street_admin;
}

const auth::Grant* admin_grant_over(const auth::Principal& p, std::string_view path) {
  for (const auth::Grant& g : p.grants) {
    if (is_key_admin(g.role) && auth::path_within(path, g.area_path)) return &g;
  }
  return nullptr;
}

// The client program as the actor of the cases it files.
auth::Actor program_actor(const Client& c, const std::string& address,
                          const std::string& request_id) {
  auth::Principal p;
  p.username = fmt::format("open311:{}", c.id);
  p.display_name = fmt::format("Open311 客户端：{}", c.name);
  p.kind = "open311_client";
  return {std::move(p), address, request_id};
}

Error key_refused(std::string detail) {
  return {403, "open311-key", "api_key 无效", std::move(detail), {}};
}

// ---- public view of a case -----------------------------------------------------------

bool is_closed(std::string_view status) {
  return status == "rejected" || status == "merged" || status == "closed";
}

std::string_view action_name(std::string_view action) {
  static const std::map<std::string_view, std::string_view> names = {
      {"create", "上报"},     {"accept", "受理"},
      {"reject", "不予受理"}, {"merge", "合并"},
      {"dispatch", "派遣"},   {"start", "开始处置"},
      {"handle", "处置反馈"}, {"verify", "核查"},
      {"close", "结案"},      {"rate", "评价"},
      {"return", "退回"},     {"escalate", "上报上级"},
      {"extend", "申请延期"}, {"extend_decision", "延期审批"},
      {"supervise", "督办"},  {"comment", "备注"}};
  auto it = names.find(action);
  return it == names.end() ? action : it->second;
}

// The text of an event that is meant for the public: a rejection's reason,
// the handler's feedback, the closing note. Comments, 督办 notes, extension
// reasons and ratings stay inside.
std::string public_note(const cases::Event& e) {
  if (e.action == "reject") {
    auto data = json::parse(e.data);
    if (data.is_object() && data.as_object().contains("reason") && data.at("reason").is_string())
      return mask_numbers_in_text(data.at("reason").as_string());
    return "";
  }
  if (e.action == "handle" || e.action == "close") return mask_numbers_in_text(e.note);
  return "";
}

const cases::Event* last_of(const std::vector<cases::Event>& events, std::string_view action) {
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->action == action) return &*it;
  }
  return nullptr;
}

std::string status_notes(const cases::Case& c, const std::vector<cases::Event>& events) {
  const std::string unit = c.handler_unit.empty() ? "处置单位" : c.handler_unit;
  if (c.status == "reported") return "已收到，待受理";
  if (c.status == "accepted") return "已受理，待派遣";
  if (c.status == "dispatched") return fmt::format("已派遣至{}处置", unit);
  if (c.status == "in_progress") return fmt::format("{}正在处置", unit);
  if (c.status == "handled") return "已处置，待核查";
  if (c.status == "verified") return "已核查，待结案";
  if (c.status == "reopened") return "报告人对结果不满意，已重新打开待复核";
  if (c.status == "merged")
    return fmt::format("重复反映，已合并至服务请求 {}", c.merged_into.value_or(0));
  if (c.status == "rejected") {
    const cases::Event* e = last_of(events, "reject");
    const std::string reason = e ? public_note(*e) : "";
    return reason.empty() ? "不予受理" : "不予受理：" + reason;
  }
  const cases::Event* handled = last_of(events, "handle");
  const std::string feedback = handled ? public_note(*handled) : "";
  return feedback.empty() ? "已结案" : "已结案：" + feedback;
}

// Categories about a person's own affairs (民生求助, 政策咨询, 邻里纠纷 and
// their children): a public feed listing "低保申请 at 3幢2单元" would expose a
// household, so such requests are published without text or location.
constexpr std::string_view kPersonalGroups[] = {"MS", "ZC", "LL"};

bool is_personal(const cases::Category& c, const std::map<std::int64_t, cases::Category>& cats) {
  const auto personal = [](const std::string& code) {
    return std::ranges::find(kPersonalGroups, code) != std::end(kPersonalGroups);
  };
  if (personal(c.code)) return true;
  auto parent = c.parent_id ? cats.find(*c.parent_id) : cats.end();
  return parent != cats.end() && personal(parent->second.code);
}

std::string notice_of(const cases::Category& c) {
  return fmt::format("受理时限{}个工作小时，办理时限{}个{}", c.accept_hours, c.handle_limit,
                     c.handle_unit == "days" ? "工作日" : "工作小时");
}

// `personal`: see kPersonalGroups; only the status and the times are shown.
ServiceRequest public_view(const cases::Case& c, const cases::Category& cat, bool personal,
                           const std::vector<cases::Event>& events, bool extensions) {
  ServiceRequest r;
  r.id = c.id;
  r.number = c.number;
  r.case_status = c.status;
  r.status = is_closed(c.status) ? "closed" : "open";
  r.status_notes =
      personal ? std::string(is_closed(c.status) ? "已办结" : "办理中") : status_notes(c, events);
  r.service_code = cat.code;
  r.service_name = cat.name;
  r.description = mask_numbers_in_text(c.description.empty() ? c.title : c.description);
  r.agency_responsible = c.handler_unit;
  r.service_notice = notice_of(cat);
  r.requested_at = c.created_at;
  r.updated_at = is_closed(c.status) && c.closed_at ? *c.closed_at : c.updated_at;
  if (!is_closed(c.status)) r.expected_at = c.handle_deadline;
  r.address = mask_numbers_in_text(c.address);
  r.address_id = c.building_id;
  r.lat = c.lat;
  r.lng = c.lng;
  r.grid_name = c.grid_name;
  if (personal) {
    r.description = "涉及个人事务，内容不公开";
    r.address.clear();
    r.address_id = r.lat = r.lng = std::nullopt;
  }
  if (extensions) {
    for (const cases::Event& e : events) {
      r.timeline.push_back({e.at, e.action, std::string(action_name(e.action)), e.to_status, e.role,
                            personal ? "" : public_note(e)});
    }
  }
  return r;
}

std::map<std::int64_t, cases::Category> categories_by_id(db::Conn& conn) {
  std::map<std::int64_t, cases::Category> out;
  for (cases::Category& c : cases::store::categories(conn)) out.emplace(c.id, std::move(c));
  return out;
}

// Reads one case as a service request; nullopt when there is none.
std::optional<ServiceRequest> read_request(db::Conn& conn,
                                           const std::map<std::int64_t, cases::Category>& cats,
                                           std::int64_t id, bool extensions) {
  auto c = cases::store::find_case(conn, id);
  if (!c) return std::nullopt;
  auto cat = cats.find(c->category_id);
  if (cat == cats.end()) return std::nullopt;
  // Events are read only when something shown depends on them.
  const bool need_events = extensions || c->status == "rejected" || c->status == "closed";
  const auto events = need_events ? cases::store::events_of(conn, id) : std::vector<cases::Event>{};
  return public_view(*c, cat->second, is_personal(cat->second, cats), events, extensions);
}

// ---- masking -----------------------------------------------------------------------

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// How many leading and trailing characters of a digit sequence stay visible
// when it is a mobile number (possibly with the 86 country code) or an ID
// number — the same as mask_phone and mask_id_number show; nullopt otherwise.
std::optional<std::pair<std::size_t, std::size_t>> visible_ends(const std::string& digits) {
  if (digits.size() == 11 && digits[0] == '1') return std::pair{3, 4};
  if (digits.size() == 13 && digits.starts_with("861")) return std::pair{5, 4};
  if (digits.size() == 18 || digits.size() == 15) return std::pair{6, 4};
  return std::nullopt;
}

// `text` with its digits (and an ID's X) between the visible ends starred;
// spaces and dashes between the groups stay where they were.
std::string star_middle(std::string_view text, std::size_t count,
                        std::pair<std::size_t, std::size_t> ends) {
  std::string out;
  std::size_t k = 0;
  for (char c : text) {
    const bool separator = c == ' ' || c == '-';
    out += !separator && k >= ends.first && k + ends.second < count ? '*' : c;
    if (!separator) ++k;
  }
  return out;
}

}  // namespace

std::string mask_numbers_in_text(std::string_view t) {
  std::string out;
  std::size_t i = 0;
  while (i < t.size()) {
    if (!digit(t[i])) {
      out += t[i++];
      continue;
    }
    // A run of digit groups joined by single spaces or dashes ("138 1234 5678").
    std::vector<std::pair<std::size_t, std::size_t>> groups;  // [begin, end) of each group
    std::size_t j = i;
    while (true) {
      const std::size_t begin = j;
      while (j < t.size() && digit(t[j])) ++j;
      std::size_t end = j;
      // The checksum of an 18-character ID may be X.
      if (j < t.size() && (t[j] == 'X' || t[j] == 'x') && end - begin == 17) end = ++j;
      groups.emplace_back(begin, end);
      if (j + 1 < t.size() && (t[j] == ' ' || t[j] == '-') && digit(t[j + 1])) {
        ++j;
        continue;
      }
      break;
    }
    std::string joined;
    for (auto [b, e] : groups) joined += t.substr(b, e - b);
    if (auto ends = visible_ends(joined)) {
      out += star_middle(t.substr(i, j - i), joined.size(), *ends);
    } else {
      // Not one number as a whole: mask each group that is one on its own.
      std::size_t at = i;
      for (auto [b, e] : groups) {
        out += t.substr(at, b - at);
        const std::string part(t.substr(b, e - b));
        const auto part_ends = visible_ends(part);
        out += part_ends ? star_middle(part, part.size(), *part_ends) : part;
        at = e;
      }
    }
    i = j;
  }
  return out;
}

std::int64_t Open311Service::now() const {
  return cases_.now();
}

std::chrono::minutes Open311Service::utc_offset() const {
  return cases_.calendar()->utc_offset();
}

// ---- services ------------------------------------------------------------------------

std::vector<Service> Open311Service::services() const {
  return app_.db->read([&](db::Conn& conn) {
    const auto cats = categories_by_id(conn);
    std::set<std::int64_t> parents;
    for (const auto& [id, c] : cats) {
      if (c.parent_id) parents.insert(*c.parent_id);
    }
    // Leaves are what people report; a top category with no children is one too.
    std::vector<Service> out;
    for (const auto& [id, c] : cats) {
      if (parents.count(c.id)) continue;
      Service s;
      s.category_id = c.id;
      s.code = c.code;
      s.name = c.name;
      auto parent = c.parent_id ? cats.find(*c.parent_id) : cats.end();
      s.group = parent != cats.end() ? parent->second.name : c.name;
      s.description =
          fmt::format("{}：{}（处置单位：{}）{}", s.group, c.name,
                      c.handler_unit.empty() ? "社区" : c.handler_unit,
                      is_personal(c, cats) ? "。涉及个人事务，查询结果不公开内容和位置" : "");
      s.keywords = s.group == c.name ? c.name : fmt::format("{},{}", s.group, c.name);
      s.notice = notice_of(c);
      out.push_back(std::move(s));
    }
    return out;
  });
}

Result<Service> Open311Service::service(const std::string& code) const {
  for (Service& s : services()) {
    if (s.code == code) return std::move(s);
  }
  return fail(errors::not_found(fmt::format("服务代码“{}”不存在", code.substr(0, 20))));
}

// ---- service requests ----------------------------------------------------------------

Result<std::vector<ServiceRequest>> Open311Service::requests(const RequestQuery& q) const {
  store::CaseFilter f;
  if (q.ids.empty()) {
    if (q.start && q.end && *q.start >= *q.end)
      return fail(errors::invalid_field("start_date", "range", "start_date 应早于 end_date"));
    f.to = q.end ? *q.end : q.start ? *q.start + kWindowMs : now() + 1;
    f.from = q.start ? *q.start : f.to - kWindowMs;
    if (f.to - f.from > kWindowMs)
      return fail(errors::invalid_field("end_date", "range", "查询时间范围不能超过90天"));
    if (q.status) f.closed = *q.status == "closed";
    f.limit = kMaxResults;
  }
  std::optional<Service> service;
  if (q.service_code && q.ids.empty()) {
    auto found = this->service(*q.service_code);
    if (!found) return fail(found.error());
    f.category_id = found->category_id;
  }
  return app_.db->read([&](db::Conn& conn) -> Result<std::vector<ServiceRequest>> {
    const auto cats = categories_by_id(conn);
    const std::vector<std::int64_t> ids = q.ids.empty() ? store::case_ids(conn, f) : q.ids;
    std::vector<ServiceRequest> out;
    for (std::int64_t id : ids) {
      if (auto r = read_request(conn, cats, id, q.extensions)) out.push_back(std::move(*r));
    }
    return out;
  });
}

Result<ServiceRequest> Open311Service::request(std::int64_t id, bool extensions) const {
  return app_.db->read([&](db::Conn& conn) -> Result<ServiceRequest> {
    auto r = read_request(conn, categories_by_id(conn), id, extensions);
    if (!r) return fail(errors::not_found(fmt::format("服务请求 {} 不存在", id)));
    return std::move(*r);
  });
}

Result<std::int64_t> Open311Service::token(const std::string& token) const {
  auto id = app_.db->read([&](db::Conn& conn) { return store::case_of_token(conn, token); });
  if (!id) return fail(errors::not_found("令牌不存在"));
  return *id;
}

// ---- filing -----------------------------------------------------------------------------

Result<std::int64_t> Open311Service::grid_for(const Client& client, const Submission& in) const {
  const auto outside = [&] {
    return key_refused(fmt::format("此 api_key 只能上报“{}”范围内的问题", client.area_name));
  };
  return app_.db->read([&](db::Conn& conn) -> Result<std::int64_t> {
    if (in.building_id) {
      auto grid_id = cases::store::grid_of_building(conn, *in.building_id);
      auto grid = grid_id ? app_.org->area_by_id(conn, *grid_id) : std::nullopt;
      if (!grid)
        return fail(
            errors::invalid_field("address_id", "not-found", "address_id 对应的楼幢不存在"));
      if (!auth::path_within(grid->path, client.area_path)) return fail(outside());
      return grid->id;
    }
    if (in.lat && in.lng) {
      auto grid = app_.org->locate(auth::system_actor(), *in.lat, *in.lng);
      if (!grid)
        return fail(errors::invalid_field("lat", "outside", "该位置不在任何网格内，请核对经纬度"));
      if (!auth::path_within(grid->path, client.area_path)) return fail(outside());
      return grid->id;
    }
    // An address string alone names no grid, unless the key is for a single grid.
    auto area = app_.org->area_by_id(conn, client.area_id);
    if (area && area->level == org::Level::grid) return area->id;
    return fail(errors::invalid_field(
        "address_string", "unlocated",
        "仅凭地址无法确定网格，请同时提供经纬度（lat、long）或楼幢编号（address_id）"));
  });
}

Result<Client> Open311Service::client_for_key(const std::string& api_key) const {
  if (api_key.empty()) return fail(key_refused("缺少 api_key 参数"));
  const std::string hash = key_hash(api_key);
  auto client =
      app_.db->read([&](db::Conn& conn) { return store::client_by_key_hash(conn, hash); });
  if (!client) return fail(key_refused("api_key 无效"));
  if (client->revoked) return fail(key_refused("api_key 已被吊销"));
  return std::move(*client);
}

Result<Receipt> Open311Service::submit(const Client& client, const Submission& in,
                                       const std::string& address,
                                       const std::string& request_id) const {
  auto service = this->service(in.service_code);
  if (!service) return fail(service.error());
  auto grid = grid_for(client, in);
  if (!grid) return fail(grid.error());

  cases::NewCase c;
  c.title = in.title.value_or(service->name);
  c.description = in.description;
  c.category_id = service->category_id;
  c.source = "open311";
  c.grid_id = *grid;
  c.building_id = in.building_id;
  c.address = in.address;
  c.lat = in.lat;
  c.lng = in.lng;
  c.priority = in.priority.value_or("normal");
  if (!in.reporter_name.empty()) c.reporter_name = in.reporter_name;
  if (!in.reporter_phone.empty()) c.reporter_phone = in.reporter_phone;
  const auth::Actor program = program_actor(client, address, request_id);
  auto created = cases_.create_for_program(program, c);
  if (!created) return fail(created.error());

  Receipt receipt{created->detail.item.id, random_hex(16), service->notice};
  app_.db->write([&](db::Conn& conn) {
    store::insert_token(conn, receipt.token, receipt.case_id, client.id, now());
  });
  return receipt;
}

// ---- keys ---------------------------------------------------------------------------------

Result<IssuedKey> Open311Service::issue(const auth::Actor& actor, const NewClient& in) const {
  const auth::Principal& p = actor.who;
  if (!std::ranges::any_of(p.grants, [](const auth::Grant& g) { return is_key_admin(g.role); }))
    return fail(errors::forbidden("只有平台管理员或街道管理员可以签发 Open311 密钥"));
  const std::size_t name_length = utf8_length(trim(in.name));
  if (name_length < 2 || name_length > 50)
    return fail(errors::invalid_field("name", "length", "客户端名称应为2到50个字符"));
  IssuedKey out;
  out.api_key = std::string(kKeyPrefix) + random_hex(32);
  auto done = app_.db->write([&](db::Conn& conn) -> Status {
    auto area = app_.org->area_by_id(conn, in.area_id);
    const auth::Grant* g = area ? admin_grant_over(p, area->path) : nullptr;
    if (!g) return fail(errors::not_found("区域不存在或不在您的管辖范围内"));
    Client& c = out.client;
    c.name = std::string(trim(in.name));
    c.key_prefix = out.api_key.substr(0, kShownKeyChars);
    c.area_id = area->id;
    c.area_path = area->path;
    c.area_name = area->name;
    if (p.user_id != 0) c.issued_by = p.user_id;
    c.issued_by_name = p.display_name;
    c.issued_at = now();
    c.id = store::insert_client(conn, c, key_hash(out.api_key));
    app_.audit->record(conn, actor,
                       {"open311_client.issue", "open311_client", std::to_string(c.id),
                        fmt::format("{}; area={}; key={}…", c.name, area->name, c.key_prefix),
                        area->path, std::string(auth::role_name(g->role))});
    return {};
  });
  if (!done) return fail(done.error());
  return out;
}

Result<std::vector<Client>> Open311Service::clients(const auth::Actor& actor) const {
  std::vector<db::PathRange> ranges;
  for (const auth::Grant& g : actor.who.grants) {
    if (is_key_admin(g.role)) ranges.push_back({g.area_path, auth::subtree_end(g.area_path)});
  }
  if (ranges.empty())
    return fail(errors::forbidden("只有平台管理员或街道管理员可以管理 Open311 密钥"));
  return app_.db->read([&](db::Conn& conn) { return store::clients_within(conn, ranges); });
}

Result<Client> Open311Service::revoke(const auth::Actor& actor, std::int64_t id) const {
  const auth::Principal& p = actor.who;
  return app_.db->write([&](db::Conn& conn) -> Result<Client> {
    auto c = store::find_client(conn, id);
    const auth::Grant* g = c ? admin_grant_over(p, c->area_path) : nullptr;
    if (!g) return fail(errors::not_found("客户端不存在或不在您的管辖范围内"));
    if (c->revoked)
      return fail(errors::conflict("already-revoked", "密钥已吊销", "该客户端的密钥已被吊销"));
    const std::int64_t at = now();
    store::revoke_client(conn, id, p.user_id != 0 ? std::optional(p.user_id) : std::nullopt, at);
    app_.audit->record(conn, actor,
                       {"open311_client.revoke", "open311_client", std::to_string(id),
                        fmt::format("{}; key={}…", c->name, c->key_prefix), c->area_path,
                        std::string(auth::role_name(g->role))});
    c->revoked = true;
    c->revoked_at = at;
    return std::move(*c);
  });
}

}  // namespace cg::open311
