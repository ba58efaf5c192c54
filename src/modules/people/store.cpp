#include "modules/people/store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <unordered_map>

#include "modules/org/model.hpp"

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

// Tags cascade in the schema, but deleting them first does not depend on
// SQLite's foreign_keys pragma being on for this connection. Grams have no
// foreign key (see migration 0061) and are deleted by their full keys.
constexpr std::string_view kDeleteGram =
    "DELETE FROM resident_name_grams WHERE gram = $1 AND path = $2 AND resident_id = $3";
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
INSERT INTO resident_name_grams (gram, path, resident_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING)";

constexpr std::string_view kInsertTag = R"(
INSERT INTO resident_tags (resident_id, tag, path) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING)";

constexpr std::string_view kTagsOf =
    "SELECT tag FROM resident_tags WHERE resident_id = $1 ORDER BY tag";

constexpr std::string_view kListTags =
    "SELECT name, community_id, path FROM tags ORDER BY community_id IS NOT NULL, path, id";

constexpr std::string_view kTagUsable = R"(
SELECT 1 FROM tags WHERE name = $1 AND (community_id IS NULL OR community_id = $2))";

constexpr std::string_view kCreateTag =
    "INSERT INTO tags (name, community_id, path, created_at) VALUES ($1, $2, $3, $4)";

// A search result is listed with its household's address and its grid's name
// (what org::OrgService::place_of_household gives) and its tags, all from the
// one query: per page that is a few B-tree lookups per row found instead of a
// statement per household and a batch statement for the tags. Columns 14..19
// follow read_resident()'s; the tags arrive joined by the unit separator
// (PeopleService::create_tag refuses control characters), in tags_of()'s order.
constexpr std::string_view kListedColumns =
    ", b.name, COALESCE(c.name, ''), h.unit, h.room, COALESCE(g.name, ''), ";
constexpr std::string_view kTagsJoinedSqlite =
    "(SELECT group_concat(t.tag, char(31)) FROM (SELECT t.tag FROM resident_tags t "
    "WHERE t.resident_id = r.id ORDER BY t.tag) t)";
constexpr std::string_view kTagsJoinedPostgres =
    "(SELECT string_agg(t.tag, chr(31) ORDER BY t.tag) FROM resident_tags t "
    "WHERE t.resident_id = r.id)";
constexpr std::string_view kPlaceJoins =
    " FROM residents r LEFT JOIN households h ON h.id = r.household_id"
    " LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN areas g ON g.id = h.grid_id"
    " LEFT JOIN areas c ON c.id = g.parent_id";
constexpr char kTagSeparator = '\x1f';

// Fragments of the search, joined by build_search().
constexpr std::string_view kAfterId = " AND r.id > {}";
// One branch of the gram lookup: the residents with a gram in one path range.
constexpr std::string_view kGramInRange =
    "SELECT ng.resident_id FROM resident_name_grams ng WHERE ng.gram = {} AND ng.path >= {} AND "
    "ng.path < {}";
constexpr std::string_view kGramAfterId = " AND ng.resident_id > {}";
constexpr std::string_view kNameLike =
    " AND r.name LIKE '%' || CAST({} AS TEXT) || '%' ESCAPE '\\'";
constexpr std::string_view kIdNumberIs = " AND r.id_number_idx = {}";
constexpr std::string_view kPhoneIs = " AND r.phone_idx = {}";
constexpr std::string_view kHasTag =
    " AND EXISTS (SELECT 1 FROM resident_tags t WHERE t.resident_id = r.id AND t.tag = {})";
constexpr std::string_view kOrderLimit = " ORDER BY r.id LIMIT {}";

// ---- helpers ---------------------------------------------------------------

// Moves the texts out of `row`: each column is read once.
Resident read_resident(db::Row& row) {
  Resident r;
  r.id = row.i64(0);
  r.household_id = row.i64(1);
  r.grid_id = row.i64(2);
  r.path = row.take_text(3);
  r.name = row.take_text(4);
  r.gender = row.take_text(5);
  r.birth_date = row.take_opt_text(6);
  r.id_number_masked = row.take_text(7);
  r.phone_masked = row.take_text(8);
  r.relation = row.take_text(9);
  r.residence_type = row.take_text(10);
  r.notes = row.take_text(11);
  r.created_at = row.i64(12);
  r.updated_at = row.i64(13);
  return r;
}

std::vector<std::string> split_tags(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const std::size_t end = std::min(joined.find(kTagSeparator), joined.size());
    out.emplace_back(joined.substr(0, end));
    joined.remove_prefix(std::min(end + 1, joined.size()));
  }
  return out;
}

// A row of build_search(): the resident, its place and its tags.
Resident read_listed(db::Row& row) {
  Resident r = read_resident(row);
  if (!row.is_null(14)) {
    r.household_address = org::format_address(row.take_text(15), row.take_text(14),
                                              row.take_text(16), row.take_text(17));
  }
  r.grid_name = row.take_text(18);
  if (!row.is_null(19)) r.tags = split_tags(row.take_text(19));
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

// The parts of the scopes inside the area (when there is one). The scopes are
// disjoint (Principal::scopes keeps only the outermost of nested grants), so
// the parts are too, and no resident is found twice. Scopes and area are
// subtrees, so each part is one as well: [path, subtree_end(path)).
std::vector<PathRange> visible_ranges(const Filter& f) {
  std::vector<PathRange> ranges;
  for (PathRange r : f.scopes) {
    if (f.area) {
      r.from = std::max(r.from, f.area->from);
      r.to = std::min(r.to, f.area->to);
    }
    if (r.from < r.to) ranges.push_back(std::move(r));
  }
  return ranges;
}

// "r.id IN (residents with the gram in range 1 UNION ALL … in range n)": each
// branch is a range scan of the gram index's (gram, path) prefix, so the work
// is the scope's matches of the gram, whatever the gram's frequency elsewhere.
// SQLite keeps the ids in a sorted ephemeral index and walks it in id order,
// so ORDER BY r.id LIMIT n stops after n matches without a sort.
std::string gram_condition(const Filter& f, const std::vector<PathRange>& ranges,
                           const std::string& gram, Params& p) {
  if (ranges.empty()) return " AND 1 = 0";
  std::string branches;
  for (const PathRange& r : ranges) {
    if (!branches.empty()) branches += " UNION ALL ";
    // Placeholders taken one by one: a function's arguments are evaluated in
    // no set order, and add_search_values() gives the values in this one.
    const std::string gram_at = p.add(gram);
    const std::string from = p.add(r.from);
    const std::string to = p.add(r.to);
    branches += fmt::format(fmt::runtime(kGramInRange), gram_at, from, to);
    if (f.after_id) branches += fmt::format(fmt::runtime(kGramAfterId), p.add(*f.after_id));
  }
  return " AND r.id IN (" + branches + ")";
}

// "(substr(r.path, 1, length($a)) = $a OR …)": the scope, when the gram ranges
// are the way in, as a check on each row they found (it holds anyway: a gram
// carries its resident's path) in a form no index serves. Offered r.path
// ranges, PostgreSQL estimated the scope's residents matching the name at one
// row and scanned the scope's residents by path, filtering by name (~2,800 rows
// for a community of `district`), instead of looking up the four the gram
// range found.
std::string within_sql(const std::vector<PathRange>& ranges, Params& p) {
  std::string sql;
  for (const PathRange& r : ranges) {
    const std::string path = p.add(r.from);
    if (!sql.empty()) sql += " OR ";
    sql += fmt::format("substr(r.path, 1, length({0})) = {0}", path);
  }
  return sql.empty() ? "1 = 0" : sql;
}

// `ranges`: visible_ranges() when a gram is the way in, else the scopes.
std::string build_search(const Filter& f, std::span<const PathRange> ranges, db::Engine engine,
                         Params& p) {
  std::string sql = fmt::format(
      "SELECT {}{}{}{} WHERE (", kResidentColumns, kListedColumns,
      engine == db::Engine::postgres ? kTagsJoinedPostgres : kTagsJoinedSqlite, kPlaceJoins);
  if (f.gram) {
    const std::vector<PathRange> gram_ranges(ranges.begin(), ranges.end());
    // Two statements: the operands of one + are evaluated in no set order,
    // and add_search_values() relies on this one.
    sql += within_sql(gram_ranges, p) + ")";
    sql += gram_condition(f, gram_ranges, *f.gram, p);
  } else {
    sql += db::path_ranges_sql("r.path", ranges, p) + ")";
    if (f.area) sql += " AND (" + db::path_ranges_sql("r.path", {&*f.area, 1}, p) + ")";
  }
  if (f.after_id) sql += fmt::format(fmt::runtime(kAfterId), p.add(*f.after_id));
  if (f.like) sql += fmt::format(fmt::runtime(kNameLike), p.add(*f.like));
  if (f.id_number_idx) sql += fmt::format(fmt::runtime(kIdNumberIs), p.add(*f.id_number_idx));
  if (f.phone_idx) sql += fmt::format(fmt::runtime(kPhoneIs), p.add(*f.phone_idx));
  for (const std::string& tag : f.tags) sql += fmt::format(fmt::runtime(kHasTag), p.add(tag));
  sql += fmt::format(fmt::runtime(kOrderLimit), p.add(f.limit));
  return sql;
}

// The values build_search() binds, in its order, without writing any SQL.
void add_search_values(const Filter& f, std::span<const PathRange> ranges,
                       std::vector<db::Param>& v) {
  if (f.gram) {
    for (const PathRange& r : ranges) v.emplace_back(r.from);  // within_sql
    for (const PathRange& r : ranges) {                        // gram_condition
      v.emplace_back(*f.gram);
      v.emplace_back(r.from);
      v.emplace_back(r.to);
      if (f.after_id) v.emplace_back(*f.after_id);
    }
  } else {
    for (const PathRange& r : ranges) {
      v.emplace_back(r.from);
      v.emplace_back(r.to);
    }
    if (f.area) {
      v.emplace_back(f.area->from);
      v.emplace_back(f.area->to);
    }
  }
  if (f.after_id) v.emplace_back(*f.after_id);
  if (f.like) v.emplace_back(*f.like);
  if (f.id_number_idx) v.emplace_back(*f.id_number_idx);
  if (f.phone_idx) v.emplace_back(*f.phone_idx);
  for (const std::string& tag : f.tags) v.emplace_back(tag);
  v.emplace_back(f.limit);
}

bool same_values(std::span<const db::Param> a, std::span<const db::Param> b) {
  return std::ranges::equal(a, b, [](const db::Param& x, const db::Param& y) {
    if (x.value.index() != y.value.index()) return false;
    if (auto* s = std::get_if<std::string>(&x.value)) return *s == std::get<std::string>(y.value);
    if (auto* i = std::get_if<std::int64_t>(&x.value)) return *i == std::get<std::int64_t>(y.value);
    return std::holds_alternative<std::monostate>(x.value);
  });
}

// The text of the search depends on the filter's shape only — which parts it
// has, how many ranges and tags — not on their values, and a worker sees few
// shapes. Building it (~20 formats and appends, ~900 bytes) was ~4 % of a
// search's CPU, so each thread keeps the texts it has built, by shape. A new
// shape is built once with build_search(), which also checks that
// add_search_values() gives the same values in the same order.
const std::string& search_sql(const Filter& f, std::span<const PathRange> ranges, db::Engine engine,
                              std::span<const db::Param> values) {
  constexpr std::size_t kMaxShapes = 256;
  const std::uint64_t shape = (engine == db::Engine::postgres ? 1u : 0u) | (f.gram ? 2u : 0u) |
                              (f.area ? 4u : 0u) | (f.after_id ? 8u : 0u) | (f.like ? 16u : 0u) |
                              (f.id_number_idx ? 32u : 0u) | (f.phone_idx ? 64u : 0u) |
                              (std::uint64_t{ranges.size()} << 8) |
                              (std::uint64_t{f.tags.size()} << 36);
  thread_local std::unordered_map<std::uint64_t, std::string> texts;
  if (auto it = texts.find(shape); it != texts.end()) return it->second;
  Params built;
  std::string sql = build_search(f, ranges, engine, built);
  if (!same_values(built.span(), values)) {
    throw std::logic_error("people search: add_search_values() disagrees with build_search()");
  }
  if (texts.size() >= kMaxShapes) texts.clear();
  return texts.emplace(shape, std::move(sql)).first->second;
}

void remove_name_grams(db::Conn& conn, std::int64_t resident_id, const NameGrams& grams) {
  for (const std::string& gram : grams.grams) {
    conn.exec(kDeleteGram, {gram, grams.path, resident_id});
  }
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

void delete_resident(db::Conn& conn, std::int64_t id, const NameGrams& indexed) {
  remove_name_grams(conn, id, indexed);
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
  const std::vector<PathRange> visible = filter.gram ? visible_ranges(filter) : filter.scopes;
  std::vector<db::Param> values;
  values.reserve(4 * visible.size() + 6 + filter.tags.size());
  add_search_values(filter, visible, values);
  const std::string& sql = search_sql(filter, visible, conn.engine(), values);
  std::vector<Resident> out;
  db::Rows rows = conn.query(sql, values);
  out.reserve(rows.size());
  for (db::Row& row : rows) out.push_back(read_listed(row));
  return out;
}

void add_name_grams(db::Conn& conn, std::int64_t resident_id, const NameGrams& grams) {
  for (const std::string& gram : grams.grams) {
    conn.exec(kInsertGram, {gram, grams.path, resident_id});
  }
}

void set_name_grams(db::Conn& conn, std::int64_t resident_id, const NameGrams& before,
                    const NameGrams& after) {
  if (before.path == after.path && before.grams == after.grams) return;
  remove_name_grams(conn, resident_id, before);
  add_name_grams(conn, resident_id, after);
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
