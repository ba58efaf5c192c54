#include "modules/people/store.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cg::people::store {
namespace {

// ---- SQL -------------------------------------------------------------------

constexpr std::string_view kInsertResident = R"(
INSERT INTO residents (household_id, grid_id, street_id, path, name, gender, birth_date,
                       id_number_enc, id_number_idx, id_number_masked,
                       phone_enc, phone_idx, phone_masked,
                       relation, residence_type, notes, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
RETURNING id)";

constexpr std::string_view kUpdateResident = R"(
UPDATE residents SET household_id = $2, grid_id = $3, street_id = $4, path = $5, name = $6,
       gender = $7, birth_date = $8, id_number_enc = $9, id_number_idx = $10,
       id_number_masked = $11, phone_enc = $12, phone_idx = $13, phone_masked = $14,
       relation = $15, residence_type = $16, notes = $17, updated_at = $18
WHERE id = $1)";

// The cascades exist in the schema, but deleting the children first does not
// depend on SQLite's foreign_keys pragma being on for this connection.
constexpr std::string_view kDeleteGrams = "DELETE FROM resident_name_grams WHERE resident_id = $1";
constexpr std::string_view kDeleteTags = "DELETE FROM resident_tags WHERE resident_id = $1";
constexpr std::string_view kDeleteResident = "DELETE FROM residents WHERE id = $1";

// Columns 0..13 are read by read_resident(); find adds the sealed columns.
constexpr std::string_view kResidentColumns =
    "r.id, r.household_id, r.grid_id, r.path, r.name, r.gender, r.birth_date, "
    "r.id_number_masked, r.phone_masked, r.relation, r.residence_type, r.notes, "
    "r.created_at, r.updated_at";

constexpr std::string_view kFindSealed = R"(
SELECT street_id, id_number_enc, id_number_idx, phone_enc, phone_idx FROM residents WHERE id = $1)";

constexpr std::string_view kFindByIdNumber = "SELECT id FROM residents WHERE id_number_idx = $1";

constexpr std::string_view kInsertGram = R"(
INSERT INTO resident_name_grams (gram, resident_id) VALUES ($1, $2) ON CONFLICT DO NOTHING)";

constexpr std::string_view kInsertTag = R"(
INSERT INTO resident_tags (resident_id, tag, path) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING)";

constexpr std::string_view kTagsOf =
    "SELECT tag FROM resident_tags WHERE resident_id = $1 ORDER BY tag";

// Tags of many residents, a fixed number of ids at a time (unused slots hold
// 0, which is no resident) so that one prepared statement serves every batch.
constexpr std::size_t kTagBatch = 50;

constexpr std::string_view kListTags =
    "SELECT name, community_id, path FROM tags ORDER BY community_id IS NOT NULL, path, id";

constexpr std::string_view kTagUsable = R"(
SELECT 1 FROM tags WHERE name = $1 AND (community_id IS NULL OR community_id = $2))";

constexpr std::string_view kCreateTag =
    "INSERT INTO tags (name, community_id, path, created_at) VALUES ($1, $2, $3, $4)";

// Fragments of the search, joined by build_search().
constexpr std::string_view kAfterId = " AND r.id > {}";
constexpr std::string_view kHasGram =
    " AND r.id IN (SELECT g.resident_id FROM resident_name_grams g WHERE g.gram = {})";
constexpr std::string_view kNameLike =
    " AND r.name LIKE '%' || CAST({} AS TEXT) || '%' ESCAPE '\\'";
constexpr std::string_view kIdNumberIs = " AND r.id_number_idx = {}";
constexpr std::string_view kPhoneIs = " AND r.phone_idx = {}";
constexpr std::string_view kHasTag =
    " AND EXISTS (SELECT 1 FROM resident_tags t WHERE t.resident_id = r.id AND t.tag = {})";
constexpr std::string_view kOrderLimit = " ORDER BY r.id LIMIT {}";

// ---- helpers ---------------------------------------------------------------

Resident read_resident(const db::Row& row) {
  Resident r;
  r.id = row.i64(0);
  r.household_id = row.i64(1);
  r.grid_id = row.i64(2);
  r.path = row.text(3);
  r.name = row.text(4);
  r.gender = row.text(5);
  r.birth_date = row.opt_text(6);
  r.id_number_masked = row.text(7);
  r.phone_masked = row.text(8);
  r.relation = row.text(9);
  r.residence_type = row.text(10);
  r.notes = row.text(11);
  r.created_at = row.i64(12);
  r.updated_at = row.i64(13);
  return r;
}

Sealed read_sealed(const db::Row& row, std::size_t enc, std::size_t idx, std::string masked) {
  Sealed s;
  if (!row.is_null(enc)) s.enc = db::Blob{row.blob(enc)};
  s.idx = row.opt_text(idx);
  s.masked = std::move(masked);
  return s;
}

// Collects parameters and hands out their placeholders in order.
using Params = db::ParamList;

std::string build_search(const Filter& f, Params& p) {
  std::string sql = fmt::format("SELECT {} FROM residents r WHERE (", kResidentColumns);
  sql += db::path_ranges_sql("r.path", f.scopes, p) + ")";
  if (f.area) sql += " AND (" + db::path_ranges_sql("r.path", {&*f.area, 1}, p) + ")";
  if (f.after_id) sql += fmt::format(fmt::runtime(kAfterId), p.add(*f.after_id));
  if (f.gram) sql += fmt::format(fmt::runtime(kHasGram), p.add(*f.gram));
  if (f.like) sql += fmt::format(fmt::runtime(kNameLike), p.add(*f.like));
  if (f.id_number_idx) sql += fmt::format(fmt::runtime(kIdNumberIs), p.add(*f.id_number_idx));
  if (f.phone_idx) sql += fmt::format(fmt::runtime(kPhoneIs), p.add(*f.phone_idx));
  for (const std::string& tag : f.tags) sql += fmt::format(fmt::runtime(kHasTag), p.add(tag));
  sql += fmt::format(fmt::runtime(kOrderLimit), p.add(f.limit));
  return sql;
}

std::string tags_batch_sql() {
  std::string sql = "SELECT resident_id, tag FROM resident_tags WHERE resident_id IN (";
  for (std::size_t i = 1; i <= kTagBatch; ++i) sql += fmt::format("{}${}", i > 1 ? ", " : "", i);
  return sql + ") ORDER BY resident_id, tag";
}

}  // namespace

std::int64_t insert_resident(db::Conn& conn, const StoredResident& row) {
  const Resident& r = row.resident;
  auto rows = conn.query(
      kInsertResident,
      {r.household_id, r.grid_id, row.street_id, r.path, r.name, r.gender, r.birth_date,
       row.id_number.enc, row.id_number.idx, row.id_number.masked, row.phone.enc, row.phone.idx,
       row.phone.masked, r.relation, r.residence_type, r.notes, r.created_at, r.updated_at});
  return rows.at(0).i64(0);
}

void update_resident(db::Conn& conn, const StoredResident& row) {
  const Resident& r = row.resident;
  conn.exec(kUpdateResident,
            {r.id, r.household_id, r.grid_id, row.street_id, r.path, r.name, r.gender, r.birth_date,
             row.id_number.enc, row.id_number.idx, row.id_number.masked, row.phone.enc,
             row.phone.idx, row.phone.masked, r.relation, r.residence_type, r.notes, r.updated_at});
}

void delete_resident(db::Conn& conn, std::int64_t id) {
  conn.exec(kDeleteGrams, {id});
  conn.exec(kDeleteTags, {id});
  conn.exec(kDeleteResident, {id});
}

std::optional<StoredResident> find_resident(db::Conn& conn, std::int64_t id) {
  auto row = conn.query_one(
      fmt::format("SELECT {} FROM residents r WHERE r.id = $1", kResidentColumns), {id});
  if (!row) return std::nullopt;
  StoredResident out;
  out.resident = read_resident(*row);
  auto sealed = conn.query_one(kFindSealed, {id});
  if (sealed) {
    out.street_id = sealed->opt_i64(0);
    out.id_number = read_sealed(*sealed, 1, 2, out.resident.id_number_masked);
    out.phone = read_sealed(*sealed, 3, 4, out.resident.phone_masked);
  }
  out.resident.tags = tags_of(conn, id);
  return out;
}

std::optional<std::int64_t> resident_with_id_number(db::Conn& conn, const std::string& idx) {
  auto row = conn.query_one(kFindByIdNumber, {idx});
  if (!row) return std::nullopt;
  return row->i64(0);
}

std::set<std::string> registered_id_numbers(db::Conn& conn,
                                            const std::vector<std::string>& indexes) {
  // One statement shape: unused slots hold NULL, which matches nothing.
  constexpr std::size_t kAtOnce = 256;
  static const std::string sql = [] {
    std::string q = "SELECT id_number_idx FROM residents WHERE id_number_idx IN (";
    for (std::size_t i = 1; i <= kAtOnce; ++i) q += fmt::format("{}${}", i > 1 ? ", " : "", i);
    return q + ")";
  }();
  std::set<std::string> out;
  std::vector<db::Param> params;
  for (std::size_t from = 0; from < indexes.size(); from += kAtOnce) {
    params.clear();
    for (std::size_t i = from; i < std::min(from + kAtOnce, indexes.size()); ++i) {
      params.emplace_back(indexes[i]);
    }
    params.resize(kAtOnce, db::Param(nullptr));
    for (const db::Row& row : conn.query(sql, params)) out.insert(row.text(0));
  }
  return out;
}

std::vector<std::uint64_t> id_number_hashes(db::Conn& conn) {
  std::vector<std::uint64_t> out;
  for (const db::Row& row :
       conn.query("SELECT id_number_idx FROM residents WHERE id_number_idx IS NOT NULL")) {
    out.push_back(std::hash<std::string>{}(row.text(0)));
  }
  std::ranges::sort(out);
  return out;
}

std::vector<Resident> search(db::Conn& conn, const Filter& filter) {
  Params params;
  const std::string sql = build_search(filter, params);
  std::vector<Resident> out;
  for (const db::Row& row : conn.query(sql, params.span())) out.push_back(read_resident(row));
  std::vector<std::int64_t> ids;
  for (const Resident& r : out) ids.push_back(r.id);
  auto tags = tags_of_many(conn, ids);
  for (Resident& r : out) {
    if (auto it = tags.find(r.id); it != tags.end()) r.tags = std::move(it->second);
  }
  return out;
}

void add_name_grams(db::Conn& conn, std::int64_t resident_id,
                    const std::vector<std::string>& grams) {
  for (const std::string& gram : grams) conn.exec(kInsertGram, {gram, resident_id});
}

void set_name_grams(db::Conn& conn, std::int64_t resident_id,
                    const std::vector<std::string>& grams) {
  conn.exec(kDeleteGrams, {resident_id});
  add_name_grams(conn, resident_id, grams);
}

void add_tags(db::Conn& conn, std::int64_t resident_id, const std::string& path,
              const std::vector<std::string>& tags) {
  for (const std::string& tag : tags) conn.exec(kInsertTag, {resident_id, tag, path});
}

void set_tags(db::Conn& conn, std::int64_t resident_id, const std::string& path,
              const std::vector<std::string>& tags) {
  conn.exec(kDeleteTags, {resident_id});
  add_tags(conn, resident_id, path, tags);
}

std::vector<std::string> tags_of(db::Conn& conn, std::int64_t resident_id) {
  std::vector<std::string> out;
  for (const db::Row& row : conn.query(kTagsOf, {resident_id})) out.push_back(row.text(0));
  return out;
}

std::map<std::int64_t, std::vector<std::string>> tags_of_many(
    db::Conn& conn, const std::vector<std::int64_t>& ids) {
  static const std::string sql = tags_batch_sql();
  std::map<std::int64_t, std::vector<std::string>> out;
  for (std::size_t start = 0; start < ids.size(); start += kTagBatch) {
    std::vector<db::Param> params;
    for (std::size_t i = 0; i < kTagBatch; ++i) {
      params.emplace_back(start + i < ids.size() ? ids[start + i] : std::int64_t{0});
    }
    for (const db::Row& row : conn.query(sql, params)) {
      out[row.i64(0)].push_back(row.text(1));
    }
  }
  return out;
}

std::vector<StoredTag> list_tags(db::Conn& conn) {
  std::vector<StoredTag> out;
  for (const db::Row& row : conn.query(kListTags)) {
    out.push_back({row.text(0), row.opt_i64(1), row.text(2)});
  }
  return out;
}

bool tag_usable(db::Conn& conn, const std::string& name, std::int64_t community_id) {
  return conn.query_one(kTagUsable, {name, community_id}).has_value();
}

void insert_tag(db::Conn& conn, const std::string& name, std::int64_t community_id,
                const std::string& path, std::int64_t now) {
  conn.exec(kCreateTag, {name, community_id, path, now});
}

}  // namespace cg::people::store
