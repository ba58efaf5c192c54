#include "modules/people/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "core/idcard.hpp"
#include "core/pii.hpp"
#include "core/text.hpp"
#include "http/json.hpp"
#include "modules/org/service.hpp"
#include "modules/people/bulk.hpp"

namespace cg::people::detail {
namespace {

std::string today_iso() {
  const std::string d = today_compact();
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2);
}

constexpr std::size_t kMaxName = 50;
constexpr std::size_t kMaxNotes = 500;
constexpr std::size_t kMaxTag = 20;

template <std::size_t N>
std::string choices(const EnumName (&names)[N]) {
  std::string out;
  for (const EnumName& n : names) {
    if (!out.empty()) out += "、";
    out += fmt::format("{}({})", n.code, n.title);
  }
  return out;
}

template <std::size_t N>
void check_enum(const EnumName (&names)[N], const std::optional<std::string>& value,
                const char* field, std::string& out, std::vector<FieldError>& errors) {
  if (!value || value->empty()) {
    errors.push_back({field, "required", "此项为必填项"});
  } else if (!title_of(names, *value)) {
    errors.push_back({field, "enum", "取值无效，可选：" + choices(names)});
  } else {
    out = *value;
  }
}

void check_name(const ResidentInput& in, Person& p, std::vector<FieldError>& errors) {
  const std::string_view name = in.name ? trim(*in.name) : std::string_view{};
  if (name.empty()) {
    errors.push_back({"name", "required", "姓名不能为空"});
  } else if (utf8_length(name) > kMaxName) {
    errors.push_back({"name", "too-long", fmt::format("姓名不能超过{}个字符", kMaxName)});
  } else {
    p.name = name;
  }
}

// Gender and birth date: given ones must agree with the ID number, missing
// ones are taken from it.
void check_identity(const ResidentInput& in, Person& p, std::vector<FieldError>& errors) {
  std::optional<IdCardInfo> id;
  if (in.id_number && !in.id_number->empty()) {
    auto info = validate_id_number(*in.id_number, "id_number");
    if (!info) {
      for (FieldError& e : info.error().errors) errors.push_back(std::move(e));
    } else {
      id = std::move(*info);
      p.id_number = id->normalized;
    }
  }
  if (in.gender && !in.gender->empty()) {
    if (!title_of(kGenders, *in.gender)) {
      errors.push_back({"gender", "enum", "取值无效，可选：" + choices(kGenders)});
    } else if (id && id->gender != *in.gender) {
      errors.push_back({"gender", "mismatch", "性别与身份证号不一致"});
    } else {
      p.gender = *in.gender;
    }
  } else if (id) {
    p.gender = id->gender;
  } else if (!in.id_number || in.id_number->empty()) {
    errors.push_back({"gender", "required", "未填写身份证号时性别为必填项"});
  }
  if (in.birth_date && !in.birth_date->empty()) {
    if (!http::is_valid_date(*in.birth_date)) {
      errors.push_back({"birth_date", "date", "日期无效，格式应为 YYYY-MM-DD"});
    } else if (*in.birth_date > today_iso()) {
      errors.push_back({"birth_date", "future", "出生日期不能晚于今天"});
    } else if (id && id->birth_date != *in.birth_date) {
      errors.push_back({"birth_date", "mismatch", "出生日期与身份证号不一致"});
    } else {
      p.birth_date = *in.birth_date;
    }
  } else if (id) {
    p.birth_date = id->birth_date;
  }
}

void check_extras(const ResidentInput& in, Person& p, std::vector<FieldError>& errors) {
  if (in.phone && !in.phone->empty()) {
    auto phone = normalize_mobile_phone(*in.phone, "phone");
    if (phone) {
      p.phone = std::move(*phone);
    } else {
      errors.push_back({"phone", "format", "手机号格式不正确，应为11位大陆手机号"});
    }
  }
  if (in.notes) {
    if (utf8_length(*in.notes) > kMaxNotes) {
      errors.push_back({"notes", "too-long", fmt::format("备注不能超过{}个字符", kMaxNotes)});
    } else {
      p.notes = *in.notes;
    }
  }
  if (in.tags) {
    for (const std::string& raw : *in.tags) {
      const std::string tag(trim(raw));
      if (tag.empty() || utf8_length(tag) > kMaxTag) {
        errors.push_back({"tags", "format", fmt::format("标签应为1到{}个字符", kMaxTag)});
        break;
      }
      if (std::ranges::find(p.tags, tag) == p.tags.end()) p.tags.push_back(tag);
    }
  }
}

store::Sealed seal(const PiiCipher& pii, std::string_view kind,
                   const std::optional<std::string>& value, std::string masked) {
  store::Sealed s;
  if (!value) return s;
  s.enc = db::Blob{pii.encrypt(*value)};
  s.idx = pii.blind_index(kind, *value);
  s.masked = std::move(masked);
  return s;
}

}  // namespace

Result<Person> check_person(const ResidentInput& input) {
  Person p;
  std::vector<FieldError> errors;
  check_name(input, p, errors);
  check_identity(input, p, errors);
  check_enum(kRelations, input.relation, "relation", p.relation, errors);
  check_enum(kResidenceTypes, input.residence_type, "residence_type", p.residence_type, errors);
  check_extras(input, p, errors);
  if (!errors.empty()) return fail(errors::validation(std::move(errors)));
  return p;
}

store::Sealed seal_id_number(const PiiCipher& pii, const std::optional<std::string>& id_number) {
  return seal(pii, kIdKind, id_number, id_number ? mask_id_number(*id_number) : "");
}

store::Sealed seal_phone(const PiiCipher& pii, const std::optional<std::string>& phone) {
  return seal(pii, kPhoneKind, phone, phone ? mask_phone(*phone) : "");
}

// One resident through the same row-builder the bulk writers use
// (seal_person, place_resident), so a form, an import and a generated dataset
// cannot drift apart in what they store.
std::int64_t insert_person(db::Conn& conn, const PiiCipher& pii, const org::Place& place,
                           const Person& person, std::int64_t now) {
  SealedResident s = seal_person(pii, person, now);
  place_resident(s, 0, place);  // the database picks the id
  const std::int64_t id = store::insert_resident(conn, s.row);
  store::add_name_grams(conn, id, {place.path, s.grams});
  store::add_tags(conn, id, place.path, s.tags);
  return id;
}

Error duplicate_id_number() {
  return errors::conflict("duplicate-id-number", "身份证号重复", "该身份证号已登记在其他居民名下");
}

Status require(const auth::Principal& who, auth::Permission p, const std::string& path) {
  if (!who.can(auth::Permission::people_read, path) && !who.can(p, path)) {
    return fail(errors::not_found());
  }
  if (!who.can(p, path)) return fail(errors::forbidden());
  return {};
}

std::vector<store::PathRange> ranges(const std::vector<std::string>& scopes) {
  std::vector<store::PathRange> out;
  for (const std::string& s : scopes) out.push_back({s, auth::subtree_end(s)});
  return out;
}

namespace {

bool looks_like_id_number(std::string_view q) {
  if (q.size() != 18) return false;
  const bool digits17 =
      std::all_of(q.begin(), q.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
  const char last = q.back();
  return digits17 && ((last >= '0' && last <= '9') || last == 'X' || last == 'x');
}

bool looks_like_phone(std::string_view q) {
  return q.size() == 11 && std::ranges::all_of(q, [](char c) { return c >= '0' && c <= '9'; });
}

std::string escape_like(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// An ID number or phone is found exactly through its blind index; anything
// else is a name, found through its first gram (when it has one of two
// characters) and confirmed by a substring match.
void add_text_query(store::Filter& f, const PiiCipher& pii, std::string_view q) {
  if (looks_like_id_number(q)) {
    std::string id(q);
    id.back() = id.back() == 'x' ? 'X' : id.back();
    f.id_number_idx = pii.blind_index(kIdKind, id);
  } else if (looks_like_phone(q)) {
    f.phone_idx = pii.blind_index(kPhoneKind, q);
  } else {
    const auto grams = char_bigrams(q);
    if (!grams.empty() && utf8_length(grams.front()) == 2) f.gram = grams.front();
    f.like = escape_like(q);
  }
}

}  // namespace

Result<store::Filter> make_filter(db::Conn& conn, const org::OrgService& org, const PiiCipher& pii,
                                  const auth::Principal& who, auth::Permission p,
                                  const SearchQuery& query) {
  const auto scopes = who.scopes(p);
  if (scopes.empty()) return fail(errors::forbidden());
  store::Filter f;
  f.scopes = ranges(scopes);
  if (query.area_id) {
    auto area = org.area_by_id(conn, *query.area_id);
    const bool visible = area && std::ranges::any_of(scopes, [&](const std::string& s) {
                           return auth::path_within(area->path, s);
                         });
    if (!visible) return fail(errors::not_found("区域不存在或不在您的管辖范围内"));
    f.area = store::PathRange{area->path, auth::subtree_end(area->path)};
  }
  if (query.q) {
    const std::string_view q = trim(*query.q);
    if (!q.empty()) add_text_query(f, pii, q);
  }
  f.tags = query.tags;
  return f;
}

void PlaceCache::decorate(Resident& resident) {
  auto it = places_.find(resident.household_id);
  if (it == places_.end()) {
    it = places_
             .emplace(resident.household_id, org_.place_of_household(conn_, resident.household_id))
             .first;
  }
  if (!it->second) return;
  resident.household_address = it->second->address;
  resident.grid_name = it->second->grid_name;
}

std::chrono::year_month_day today_in_china() {
  using namespace std::chrono;
  return year_month_day{floor<days>(system_clock::now() + hours(8))};
}

std::string today_compact() {
  const auto today = today_in_china();
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(today.year()),
                     static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
}

}  // namespace cg::people::detail
