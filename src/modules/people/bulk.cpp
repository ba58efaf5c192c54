#include "modules/people/bulk.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "db/bulk.hpp"
#include "modules/people/rules.hpp"

namespace cg::people {

SealedResident seal_person(const PiiCipher& pii, const detail::Person& person, std::int64_t now) {
  SealedResident s;
  Resident& r = s.row.resident;
  r.name = person.name;
  r.gender = person.gender;
  r.birth_date = person.birth_date;
  r.relation = person.relation;
  r.residence_type = person.residence_type;
  r.notes = person.notes;
  r.created_at = r.updated_at = now;
  s.row.id_number = detail::seal_id_number(pii, person.id_number);
  s.row.phone = detail::seal_phone(pii, person.phone);
  s.grams = char_bigrams(person.name);
  std::ranges::sort(s.grams);
  s.grams.erase(std::unique(s.grams.begin(), s.grams.end()), s.grams.end());
  s.tags = person.tags;
  return s;
}

void place_resident(SealedResident& s, std::int64_t id, const org::Place& place) {
  s.id = id;
  Resident& r = s.row.resident;
  r.id = id;
  r.household_id = place.household_id;
  r.grid_id = place.grid_id;
  r.path = place.path;
  s.row.street_id = place.street_id;
}

Result<std::vector<SealedResident>> seal_residents(const PiiCipher& pii,
                                                   const std::vector<BulkResident>& batch,
                                                   std::int64_t now) {
  std::vector<SealedResident> out;
  out.reserve(batch.size());
  for (const BulkResident& b : batch) {
    auto person = detail::check_person(b.input);
    if (!person) return fail(person.error());
    SealedResident s = seal_person(pii, *person, now);
    place_resident(s, b.id, b.place);
    out.push_back(std::move(s));
  }
  return out;
}

void insert_residents(db::Conn& conn, const std::vector<SealedResident>& batch) {
  db::BulkInsert residents(
      conn, "residents",
      {"id", "household_id", "grid_id", "street_id", "path", "name", "gender", "birth_date",
       "id_number_enc", "id_number_idx", "id_number_masked", "phone_enc", "phone_idx",
       "phone_masked", "relation", "residence_type", "notes", "created_at", "updated_at"});
  db::BulkInsert grams(conn, "resident_name_grams", {"gram", "path", "resident_id"});
  db::BulkInsert tags(conn, "resident_tags", {"resident_id", "tag", "path"});
  for (const SealedResident& s : batch) {
    const Resident& r = s.row.resident;
    residents.add({s.id, r.household_id, r.grid_id, s.row.street_id, r.path, r.name, r.gender,
                   r.birth_date, s.row.id_number.enc, s.row.id_number.idx, s.row.id_number.masked,
                   s.row.phone.enc, s.row.phone.idx, s.row.phone.masked, r.relation,
                   r.residence_type, r.notes, r.created_at, r.updated_at});
  }
  residents.finish();
  for (const SealedResident& s : batch) {
    for (const std::string& g : s.grams) grams.add({g, s.row.resident.path, s.id});
    for (const std::string& t : s.tags) tags.add({s.id, t, s.row.resident.path});
  }
  grams.finish();
  tags.finish();
}

}  // namespace cg::people
