// SQL of the residents registry. Functions run inside the caller's
// transaction and decide nothing: scope, validation and encryption are the
// service's business.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/db.hpp"
#include "db/query.hpp"
#include "modules/people/model.hpp"

namespace cg::people::store {

// An encrypted personal value as stored: ciphertext, blind index, mask.
struct Sealed {
  std::optional<db::Blob> enc;
  std::optional<std::string> idx;
  std::string masked;
};

// A resident with the columns only the service may see.
struct StoredResident {
  Resident resident;
  std::optional<std::int64_t> street_id;
  Sealed id_number;
  Sealed phone;
};

using db::PathRange;

struct Filter {
  std::vector<PathRange> scopes;  // OR-ed, disjoint (Principal::scopes); never empty
  std::optional<PathRange> area;
  std::optional<std::int64_t> after_id;
  std::optional<std::string> gram;  // a name gram the resident must have
  std::optional<std::string> like;  // escaped LIKE substring of the name
  std::optional<std::string> id_number_idx;
  std::optional<std::string> phone_idx;
  std::vector<std::string> tags;
  int limit = 20;
};

// What the name index holds for one resident: the grams of its name
// (char_bigrams), each keyed with the resident's path.
struct NameGrams {
  std::string path;
  std::vector<std::string> grams;
};

std::int64_t insert_resident(db::Conn& conn, const StoredResident& row);
void update_resident(db::Conn& conn, const StoredResident& row);
// `indexed`: the resident's grams as stored, deleted by their keys.
void delete_resident(db::Conn& conn, std::int64_t id, const NameGrams& indexed);
std::optional<StoredResident> find_resident(db::Conn& conn, std::int64_t id);
std::optional<std::int64_t> resident_with_id_number(db::Conn& conn, const std::string& idx);
// Which of `indexes` (blind indexes of ID numbers) are registered: one query
// per few hundred, for an import's rows.
std::set<std::string> registered_id_numbers(db::Conn& conn,
                                            const std::vector<std::string>& indexes);
// A hash of every registered ID number's blind index, sorted: a large import
// asks registered_id_numbers() only about rows whose hash is among them.
std::vector<std::uint64_t> id_number_hashes(db::Conn& conn);
std::vector<Resident> search(db::Conn& conn, const Filter& filter);

// The name grams of a resident renamed or moved to another path: `before` as
// stored, `after` as they must be. The tags of a resident are replaced as a whole.
void set_name_grams(db::Conn& conn, std::int64_t resident_id, const NameGrams& before,
                    const NameGrams& after);
void set_tags(db::Conn& conn, std::int64_t resident_id, const std::string& path,
              const std::vector<std::string>& tags);
// For a resident just inserted: nothing to replace, so no DELETE round trip.
void add_name_grams(db::Conn& conn, std::int64_t resident_id, const NameGrams& grams);
void add_tags(db::Conn& conn, std::int64_t resident_id, const std::string& path,
              const std::vector<std::string>& tags);
std::vector<std::string> tags_of(db::Conn& conn, std::int64_t resident_id);

struct StoredTag {
  std::string name;
  std::optional<std::int64_t> community_id;
  std::string path;  // "" for built-in tags
};
std::vector<StoredTag> list_tags(db::Conn& conn);
// True when `name` is built in or belongs to `community_id`.
bool tag_usable(db::Conn& conn, const std::string& name, std::int64_t community_id);
void insert_tag(db::Conn& conn, const std::string& name, std::int64_t community_id,
                const std::string& path, std::int64_t now);

}  // namespace cg::people::store
