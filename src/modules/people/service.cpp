#include "modules/people/service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "app/app.hpp"
#include "core/pii.hpp"
#include "core/text.hpp"
#include "modules/audit/model.hpp"
#include "modules/org/service.hpp"
#include "modules/people/rules.hpp"
#include "modules/people/store.hpp"

namespace cg::people {
namespace {

using auth::Permission;
using detail::Person;

constexpr int kMaxPageSize = 200;

// The cursor is the last id of the previous page; "c" + hex keeps it opaque
// enough that nobody builds one by hand and easy to reject when mangled.
std::string encode_cursor(std::int64_t id) {
  return fmt::format("c{:x}", id);
}

std::optional<std::int64_t> decode_cursor(std::string_view cursor) {
  if (cursor.size() < 2 || cursor.size() > 17 || cursor.front() != 'c') return std::nullopt;
  std::int64_t id = 0;
  auto r = std::from_chars(cursor.data() + 1, cursor.data() + cursor.size(), id, 16);
  if (r.ec != std::errc() || r.ptr != cursor.data() + cursor.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

audit::Entry entry(const auth::Actor& actor, std::string action, const Resident& r,
                   std::string detail, Permission p) {
  return {std::move(action), "resident", std::to_string(r.id),
          std::move(detail), r.path,     actor.who.acting_role(p, r.path)};
}

// Tags must be built in or belong to the community of the resident's grid.
Status check_tags(db::Conn& conn, const org::OrgService& org, const org::Place& place,
                  const std::vector<std::string>& tags) {
  if (tags.empty()) return {};
  auto grid = org.area_by_id(conn, place.grid_id);
  const std::int64_t community = grid && grid->parent_id ? *grid->parent_id : 0;
  std::vector<FieldError> errors;
  for (const std::string& tag : tags) {
    if (!store::tag_usable(conn, tag, community)) {
      errors.push_back({"tags", "unknown-tag", "标签不存在：" + tag});
    }
  }
  if (!errors.empty()) return fail(errors::validation(std::move(errors)));
  return {};
}

Status check_unique_id(db::Conn& conn, const store::Sealed& id_number, std::int64_t self) {
  if (!id_number.idx) return {};
  auto other = store::resident_with_id_number(conn, *id_number.idx);
  if (other && *other != self) return fail(detail::duplicate_id_number());
  return {};
}

// The fields of an update laid over the stored record, so that the one
// validation of a complete resident applies. A new ID number decides gender
// and birth date unless those are sent too.
ResidentInput merged(const store::StoredResident& row, const ResidentInput& in,
                     const PiiCipher& pii) {
  const Resident& r = row.resident;
  ResidentInput m;
  m.name = in.name.value_or(r.name);
  m.relation = in.relation.value_or(r.relation);
  m.residence_type = in.residence_type.value_or(r.residence_type);
  m.notes = in.notes.value_or(r.notes);
  m.tags = in.tags.value_or(r.tags);
  m.phone = in.phone;
  const bool new_id = in.id_number && !in.id_number->empty();
  m.gender = in.gender ? in.gender : (new_id ? std::nullopt : std::optional(r.gender));
  m.birth_date = in.birth_date ? in.birth_date : (new_id ? std::nullopt : r.birth_date);
  if (in.id_number) {
    m.id_number = in.id_number;
  } else if (row.id_number.enc) {
    m.id_number = pii.decrypt(row.id_number.enc->bytes);
  }
  return m;
}

std::string changed_fields(const ResidentInput& in) {
  std::vector<std::string_view> names;
  if (in.household_id) names.push_back("household_id");
  if (in.name) names.push_back("name");
  if (in.gender) names.push_back("gender");
  if (in.birth_date) names.push_back("birth_date");
  if (in.id_number) names.push_back("id_number");
  if (in.phone) names.push_back("phone");
  if (in.relation) names.push_back("relation");
  if (in.residence_type) names.push_back("residence_type");
  if (in.tags) names.push_back("tags");
  if (in.notes) names.push_back("notes");
  return fmt::format("fields={}", fmt::join(names, ","));
}

void apply_person(Resident& r, const Person& p) {
  r.name = p.name;
  r.gender = p.gender;
  r.birth_date = p.birth_date;
  r.relation = p.relation;
  r.residence_type = p.residence_type;
  r.notes = p.notes;
  r.tags = p.tags;
}

// Runs a write, turning a unique-index race into the 409 a pre-check gives.
template <class F>
auto write_guarded(db::Database& db, F&& fn) -> std::invoke_result_t<F, db::Conn&> {
  try {
    return db.write(std::forward<F>(fn));
  } catch (const db::DbError& e) {
    if (e.unique_violation()) return fail(detail::duplicate_id_number());
    if (e.kind() == db::DbError::Kind::foreign_key_violation) {
      return fail(errors::conflict("resident-in-use", "居民记录仍被引用",
                                   "该居民已关联账号或其他记录，无法删除"));
    }
    throw;
  }
}

}  // namespace

// ---- reading ---------------------------------------------------------------

Result<Page> PeopleService::list(const auth::Actor& actor, const SearchQuery& query) const {
  std::optional<std::int64_t> after;
  if (query.cursor) {
    after = decode_cursor(*query.cursor);
    if (!after) return fail(errors::invalid_field("cursor", "format", "分页游标无效"));
  }
  const int limit = std::clamp(query.limit, 1, kMaxPageSize);
  return app_.db->read([&](db::Conn& conn) -> Result<Page> {
    auto filter =
        detail::make_filter(conn, *app_.org, *app_.pii, actor.who, Permission::people_read, query);
    if (!filter) return fail(filter.error());
    filter->after_id = after;
    filter->limit = limit + 1;  // one more tells whether another page exists
    Page page;
    page.items = store::search(conn, *filter);
    if (page.items.size() > static_cast<std::size_t>(limit)) {
      page.items.resize(limit);
      page.next_cursor = encode_cursor(page.items.back().id);
    }
    return page;
  });
}

Result<Resident> PeopleService::get(const auth::Actor& actor, std::int64_t id) const {
  return app_.db->read([&](db::Conn& conn) -> Result<Resident> {
    auto row = store::find_resident(conn, id);
    if (!row || !actor.who.can(Permission::people_read, row->resident.path)) {
      return fail(errors::not_found("居民不存在或不在您的管辖范围内"));
    }
    detail::PlaceCache(conn, *app_.org).decorate(row->resident);
    return std::move(row->resident);
  });
}

// ---- writing ---------------------------------------------------------------

Result<Resident> PeopleService::create(const auth::Actor& actor, const ResidentInput& input) const {
  if (!input.household_id) {
    return fail(errors::invalid_field("household_id", "required", "此项为必填项"));
  }
  auto person = detail::check_person(input);
  if (!person) return fail(person.error());
  auto id = write_guarded(*app_.db, [&](db::Conn& conn) -> Result<std::int64_t> {
    auto place = app_.org->place_of_household(conn, *input.household_id);
    if (!place) return fail(errors::not_found("住户不存在或不在您的管辖范围内"));
    if (auto ok = detail::require(actor.who, Permission::people_write, place->path); !ok) {
      return fail(ok.error());
    }
    if (auto ok = check_tags(conn, *app_.org, *place, person->tags); !ok) return fail(ok.error());
    if (auto ok = check_unique_id(conn, detail::seal_id_number(*app_.pii, person->id_number), 0);
        !ok) {
      return fail(ok.error());
    }
    const std::int64_t id = detail::insert_person(conn, *app_.pii, *place, *person, now_ms());
    Resident r;
    r.id = id;
    r.path = place->path;
    app_.audit->record(conn, actor,
                       entry(actor, "resident.create", r, "", Permission::people_write));
    return id;
  });
  if (!id) return fail(id.error());
  return get(actor, *id);
}

Result<Resident> PeopleService::update(const auth::Actor& actor, std::int64_t id,
                                       const ResidentInput& input) const {
  auto done = write_guarded(*app_.db, [&](db::Conn& conn) -> Status {
    auto row = store::find_resident(conn, id);
    if (!row) return fail(errors::not_found("居民不存在或不在您的管辖范围内"));
    Resident& r = row->resident;
    if (auto ok = detail::require(actor.who, Permission::people_write, r.path); !ok) return ok;
    auto place = app_.org->place_of_household(conn, input.household_id.value_or(r.household_id));
    if (!place) return fail(errors::not_found("住户不存在或不在您的管辖范围内"));
    if (auto ok = detail::require(actor.who, Permission::people_write, place->path); !ok) {
      return ok;
    }
    auto person = detail::check_person(merged(*row, input, *app_.pii));
    if (!person) return fail(person.error());
    if (auto ok = check_tags(conn, *app_.org, *place, person->tags); !ok) return ok;
    if (input.id_number) {
      row->id_number = detail::seal_id_number(*app_.pii, person->id_number);
      if (auto ok = check_unique_id(conn, row->id_number, id); !ok) return ok;
    }
    if (input.phone) row->phone = detail::seal_phone(*app_.pii, person->phone);
    const store::NameGrams indexed{r.path, char_bigrams(r.name)};
    apply_person(r, *person);
    r.household_id = place->household_id;
    r.grid_id = place->grid_id;
    r.path = place->path;
    r.updated_at = now_ms();
    row->street_id = place->street_id;
    store::update_resident(conn, *row);
    // Renamed or moved to another grid: the grams follow the name and the path.
    store::set_name_grams(conn, id, indexed, {r.path, char_bigrams(r.name)});
    store::set_tags(conn, id, r.path, r.tags);
    app_.audit->record(
        conn, actor,
        entry(actor, "resident.update", r, changed_fields(input), Permission::people_write));
    return {};
  });
  if (!done) return fail(done.error());
  return get(actor, id);
}

Status PeopleService::remove(const auth::Actor& actor, std::int64_t id) const {
  return write_guarded(*app_.db, [&](db::Conn& conn) -> Status {
    auto row = store::find_resident(conn, id);
    if (!row) return fail(errors::not_found("居民不存在或不在您的管辖范围内"));
    if (auto ok = detail::require(actor.who, Permission::people_write, row->resident.path); !ok) {
      return ok;
    }
    const Resident& r = row->resident;
    store::delete_resident(conn, id, {r.path, char_bigrams(r.name)});
    app_.audit->record(
        conn, actor, entry(actor, "resident.delete", row->resident, "", Permission::people_write));
    return {};
  });
}

Result<std::string> PeopleService::reveal(const auth::Actor& actor, std::int64_t id,
                                          const std::string& field,
                                          const std::string& reason) const {
  if (field != "id_number" && field != "phone") {
    return fail(errors::invalid_field("field", "enum", "取值无效，可选：id_number、phone"));
  }
  const std::string_view why = trim(reason);
  if (utf8_length(why) < 2 || utf8_length(why) > 200) {
    return fail(errors::invalid_field("reason", "length", "请填写查看原因（2到200个字符）"));
  }
  // A write transaction: the value leaves only together with its audit record.
  return app_.db->write([&](db::Conn& conn) -> Result<std::string> {
    auto row = store::find_resident(conn, id);
    if (!row) return fail(errors::not_found("居民不存在或不在您的管辖范围内"));
    const Resident& r = row->resident;
    if (auto ok = detail::require(actor.who, Permission::people_reveal, r.path); !ok) {
      return fail(ok.error());
    }
    const store::Sealed& sealed = field == "id_number" ? row->id_number : row->phone;
    if (!sealed.enc) return fail(errors::not_found("该居民未登记此项信息"));
    auto value = app_.pii->decrypt(sealed.enc->bytes);
    if (!value) return fail(errors::internal("个人信息无法解密，请联系管理员检查密钥"));
    app_.audit->record(
        conn, actor,
        entry(actor, "resident.reveal", r, fmt::format("field={}; reason={}", field, why),
              Permission::people_reveal));
    return std::move(*value);
  });
}

// ---- tags ------------------------------------------------------------------

Result<std::vector<Tag>> PeopleService::tags(const auth::Actor& actor) const {
  const auto scopes = actor.who.scopes(Permission::people_read);
  if (scopes.empty()) return fail(errors::forbidden());
  auto stored = app_.db->read([](db::Conn& conn) { return store::list_tags(conn); });
  std::vector<Tag> out;
  for (store::StoredTag& t : stored) {
    // A grid worker uses the tags of her grid's community: the community is
    // above her scope, not inside it.
    const bool visible = !t.community_id || std::ranges::any_of(scopes, [&](const auto& s) {
      return auth::path_within(t.path, s) || auth::path_within(s, t.path);
    });
    if (visible) out.push_back({std::move(t.name), !t.community_id, t.community_id});
  }
  return out;
}

Result<Tag> PeopleService::create_tag(const auth::Actor& actor, const std::string& raw_name,
                                      std::int64_t community_id) const {
  const std::string name(trim(raw_name));
  // No control characters either: lists carry a resident's tags joined by one
  // (store::search).
  const bool control = std::ranges::any_of(name, [](unsigned char c) { return c < 0x20; });
  if (name.empty() || utf8_length(name) > 20 || name.find_first_of(",;") != std::string::npos ||
      name.find("、") != std::string::npos || name.find("；") != std::string::npos || control) {
    return fail(errors::invalid_field("name", "format", "标签名应为1到20个字符，且不含分隔符"));
  }
  return app_.db->write([&](db::Conn& conn) -> Result<Tag> {
    auto area = app_.org->area_by_id(conn, community_id);
    if (!area) return fail(errors::not_found("社区不存在或不在您的管辖范围内"));
    if (auto ok = detail::require(actor.who, Permission::people_write, area->path); !ok) {
      return fail(ok.error());
    }
    if (area->level != org::Level::community) {
      return fail(errors::invalid_field("community_id", "level", "只能为社区添加标签"));
    }
    if (store::tag_usable(conn, name, community_id)) {
      return fail(errors::conflict("duplicate-tag", "标签已存在", "该社区已有同名标签"));
    }
    store::insert_tag(conn, name, community_id, area->path, now_ms());
    app_.audit->record(conn, actor,
                       {"tag.create", "area", std::to_string(community_id), "name=" + name,
                        area->path, actor.who.acting_role(Permission::people_write, area->path)});
    return Tag{name, false, community_id};
  });
}

// ---- helpers for others ----------------------------------------------------

std::optional<int> age_of(const Resident& resident) {
  if (!resident.birth_date || resident.birth_date->size() != 10) return std::nullopt;
  // Plain arithmetic on the digits: a page lists up to 200 residents, and the
  // date formatted and cut into strings per resident showed in the profile.
  const std::string& b = *resident.birth_date;
  const auto number = [&b](std::size_t at, std::size_t n) -> std::optional<int> {
    int v = 0;
    auto [end, ec] = std::from_chars(b.data() + at, b.data() + at + n, v);
    if (ec != std::errc() || end != b.data() + at + n) return std::nullopt;
    return v;
  };
  const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day today = detail::today_in_china();
  const int years = static_cast<int>(today.year()) - *year;
  const int today_md = static_cast<int>(static_cast<unsigned>(today.month())) * 100 +
                       static_cast<int>(static_cast<unsigned>(today.day()));
  return years - (today_md < *month * 100 + *day ? 1 : 0);
}

Result<std::int64_t> create_resident(db::Conn& conn, const PiiCipher& pii, const org::Place& place,
                                     const ResidentInput& input, std::int64_t now) {
  auto person = detail::check_person(input);
  if (!person) return fail(person.error());
  try {
    return detail::insert_person(conn, pii, place, *person, now);
  } catch (const db::DbError& e) {
    if (e.unique_violation()) return fail(detail::duplicate_id_number());
    throw;
  }
}

}  // namespace cg::people
