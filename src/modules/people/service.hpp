// The residents registry service: the rules for residents and their tags —
// validation (GB 11643 ID numbers, mobile phones, enums), scope checks on the
// org tree, encryption of personal data, the audit trail, and the spreadsheet
// import and export community workers live in.
//
// Scope rule, as everywhere: a record outside the caller's people.read scope
// is "not found" (404), one the caller may see but not change is 403.
//
// Thread safety: stateless apart from a reference to the App; safe from any
// thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "db/db.hpp"
#include "modules/auth/model.hpp"
#include "modules/org/model.hpp"
#include "modules/people/model.hpp"

namespace cg {
class App;
class ByteSource;
class PiiCipher;
}  // namespace cg

namespace cg::people {

class PeopleService {
 public:
  explicit PeopleService(App& app) : app_(app) {}

  // Residents in the caller's people.read scope, by id, a page at a time.
  Result<Page> list(const auth::Actor& actor, const SearchQuery& query) const;
  Result<Resident> get(const auth::Actor& actor, std::int64_t id) const;
  Result<Resident> create(const auth::Actor& actor, const ResidentInput& input) const;
  // Only the fields set in `input` change; moving to another household needs
  // people.write on both.
  Result<Resident> update(const auth::Actor& actor, std::int64_t id,
                          const ResidentInput& input) const;
  Status remove(const auth::Actor& actor, std::int64_t id) const;
  // The full ID number or phone ("id_number" | "phone"), audited with the reason.
  Result<std::string> reveal(const auth::Actor& actor, std::int64_t id, const std::string& field,
                             const std::string& reason) const;

  // Built-in tags and those of the communities the caller can read.
  Result<std::vector<Tag>> tags(const auth::Actor& actor) const;
  Result<Tag> create_tag(const auth::Actor& actor, const std::string& name,
                         std::int64_t community_id) const;

  // A CSV file (GBK or UTF-8, with or without BOM) of residents of grids of
  // `community_id`. A dry run only reports; a real run imports every row in
  // one transaction or, when any row is bad, nothing (error "import-rejected"
  // listing the rows).
  // The file is read as a stream (see transfer.cpp), never held whole.
  Result<ImportReport> import_file(const auth::Actor& actor, std::string_view bytes,
                                   std::int64_t community_id, bool dry_run,
                                   const ImportLimits& limits = {}) const;
  Result<ImportReport> import_file(const auth::Actor& actor, ByteSource& file,
                                   std::int64_t community_id, bool dry_run,
                                   const ImportLimits& limits = {}) const;
  // The residents a search finds (no paging, at most kMaxExportRows), masked.
  Result<ExportFile> export_file(const auth::Actor& actor, const SearchQuery& query,
                                 ExportFormat format) const;

 private:
  App& app_;
};

// Age in whole years on today's date in China, when the birth date is known.
std::optional<int> age_of(const Resident& resident);

// ---- For the CLI: the same code paths as the API, as the system ----

// `civicgrid import residents FILE --community CODE [--dry-run]`
Result<ImportReport> import_residents(App& app, ByteSource& file, const std::string& community_code,
                                      bool dry_run);
// `civicgrid export residents --format csv|xlsx --out FILE`
Result<ExportFile> export_residents(App& app, ExportFormat format, const SearchQuery& query = {});

// ---- For the demo generator: fast bulk creation, no audit, no scope ----

// Validates `input` (household_id is ignored: `place` says where) and inserts
// the resident with its name grams and tags, inside the caller's transaction.
// Tags are not checked against the tags table; use built-in ones. A repeated
// ID number fails with "duplicate-id-number" (on PostgreSQL the caller's
// transaction is then aborted).
Result<std::int64_t> create_resident(db::Conn& conn, const PiiCipher& pii, const org::Place& place,
                                     const ResidentInput& input, std::int64_t now);

}  // namespace cg::people
