// Residents for generated datasets (the big demo presets) in bulk: the same
// validation, encryption, blind index and name bigrams as create_resident(),
// split into a CPU half that any thread may run and a database half that sends
// multi-row INSERTs, so generation can seal one batch while it writes another.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "db/db.hpp"
#include "modules/org/model.hpp"
#include "modules/people/model.hpp"
#include "modules/people/store.hpp"

namespace cg {
class PiiCipher;
}

namespace cg::people {

// One generated resident, its id chosen by the generator (rows are linked
// without RETURNING). The place's household must be written before the resident.
struct BulkResident {
  std::int64_t id = 0;
  org::Place place;
  ResidentInput input;
};

// Validated and sealed, ready to insert.
struct SealedResident {
  std::int64_t id = 0;
  store::StoredResident row;
  std::vector<std::string> grams;
  std::vector<std::string> tags;
};

namespace detail {
struct Person;
}

// Encrypts and blind-indexes a validated person's ID number and phone and cuts
// the name's bigrams; id and place are left for place_resident(). Safe to run
// on any thread.
SealedResident seal_person(const PiiCipher& pii, const detail::Person& person, std::int64_t now);
// Gives a sealed resident its id and its household.
void place_resident(SealedResident& resident, std::int64_t id, const org::Place& place);

// The CPU half: check_person, then encrypt and blind-index ID number and
// phone, and cut the name's bigrams. Safe to run on any thread.
Result<std::vector<SealedResident>> seal_residents(const PiiCipher& pii,
                                                   const std::vector<BulkResident>& batch,
                                                   std::int64_t now);

// The database half: residents, their name bigrams and tags, in multi-row
// INSERTs on `conn` (inside the caller's write transaction). Call
// db::sync_identity(conn, "residents") after the last batch.
void insert_residents(db::Conn& conn, const std::vector<SealedResident>& batch);

}  // namespace cg::people
