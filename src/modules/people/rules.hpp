// Steps shared by the people service's parts (service.cpp for the records,
// transfer.cpp for import and export). Internal to the module.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/db.hpp"
#include "modules/auth/model.hpp"
#include "modules/org/model.hpp"
#include "modules/people/model.hpp"
#include "modules/people/store.hpp"

namespace cg {
class PiiCipher;
namespace org {
class OrgService;
}
}  // namespace cg

namespace cg::people::detail {

// A resident's fields after validation: enums are codes, the ID number and
// phone normalised, gender and birth date agree with the ID number.
struct Person {
  std::string name;
  std::string gender;
  std::optional<std::string> birth_date;
  std::optional<std::string> id_number;
  std::optional<std::string> phone;
  std::string relation;
  std::string residence_type;
  std::string notes;
  std::vector<std::string> tags;
};

// Validates a complete input (gender and birth date may be left to the ID
// number). Errors name the API's fields ("id_number", …).
Result<Person> check_person(const ResidentInput& input);

// Blind index kinds: the same digits as an ID and as a phone index differently.
inline constexpr std::string_view kIdKind = "id";
inline constexpr std::string_view kPhoneKind = "phone";

store::Sealed seal_id_number(const PiiCipher& pii, const std::optional<std::string>& id_number);
store::Sealed seal_phone(const PiiCipher& pii, const std::optional<std::string>& phone);

// Inserts the resident with its name grams and tags; returns its id.
std::int64_t insert_person(db::Conn& conn, const PiiCipher& pii, const org::Place& place,
                           const Person& person, std::int64_t now);

Error duplicate_id_number();

// 404 when the caller cannot even read `path`, 403 when it can read but lacks `p`.
Status require(const auth::Principal& who, auth::Permission p, const std::string& path);

std::vector<store::PathRange> ranges(const std::vector<std::string>& scopes);

// The store filter of a search by `who` holding `p`, without cursor and limit.
Result<store::Filter> make_filter(db::Conn& conn, const org::OrgService& org, const PiiCipher& pii,
                                  const auth::Principal& who, auth::Permission p,
                                  const SearchQuery& query);

// Fills household address and grid name from the org tree, asking once per household.
class PlaceCache {
 public:
  PlaceCache(db::Conn& conn, const org::OrgService& org) : conn_(conn), org_(org) {}
  void decorate(Resident& resident);

 private:
  db::Conn& conn_;
  const org::OrgService& org_;
  std::map<std::int64_t, std::optional<org::Place>> places_;
};

// Today's date in China (UTC+8): ages and ID numbers are reckoned by it.
std::chrono::year_month_day today_in_china();
// "20261123", the date in China, for file names.
std::string today_compact();

}  // namespace cg::people::detail
