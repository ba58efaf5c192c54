// Spreadsheet import and export of residents, and their command-line entry
// points. Part of the people service (see service.hpp); kept apart from
// service.cpp because the file format rules are long and change on their own.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "app/app.hpp"
#include "core/csv.hpp"
#include "core/pii.hpp"
#include "core/text.hpp"
#include "core/xlsx.hpp"
#include "db/bulk.hpp"
#include "modules/audit/model.hpp"
#include "modules/org/service.hpp"
#include "modules/people/bulk.hpp"
#include "modules/people/rules.hpp"
#include "modules/people/service.hpp"
#include "modules/people/store.hpp"

namespace cg::people {
namespace {

using auth::Permission;

enum Column : std::size_t {
  kName,
  kGender,
  kBirthDate,
  kIdNumber,
  kPhone,
  kGridCode,
  kBuilding,
  kUnit,
  kFloor,
  kRoom,
  kRelation,
  kResidenceType,
  kTags,
  kNotes,
  kColumnCount
};

// API field names (as check_person reports them) → column names of the file.
std::string_view column_of(std::string_view field) {
  static const std::map<std::string_view, Column> columns = {{"name", kName},
                                                             {"gender", kGender},
                                                             {"birth_date", kBirthDate},
                                                             {"id_number", kIdNumber},
                                                             {"phone", kPhone},
                                                             {"relation", kRelation},
                                                             {"residence_type", kResidenceType},
                                                             {"tags", kTags},
                                                             {"notes", kNotes}};
  auto it = columns.find(field);
  return it == columns.end() ? field : kImportColumns[it->second];
}

// Excel turns "1990-01-01" into "1990/1/1" when it saves a CSV; both, and
// "1990.1.1" and "19900101", mean the same day.
std::string normalize_date(std::string_view raw) {
  int parts[3] = {0, 0, 0};
  std::size_t n = 0;
  if (raw.size() == 8 && std::ranges::all_of(raw, [](char c) { return c >= '0' && c <= '9'; })) {
    return fmt::format("{}-{}-{}", raw.substr(0, 4), raw.substr(4, 2), raw.substr(6, 2));
  }
  const char* p = raw.data();
  const char* end = raw.data() + raw.size();
  while (p < end && n < 3) {
    auto r = std::from_chars(p, end, parts[n]);
    if (r.ec != std::errc()) return std::string(raw);
    ++n;
    p = r.ptr;
    if (p < end && (*p == '-' || *p == '/' || *p == '.'))
      ++p;
    else
      break;
  }
  if (n != 3 || p != end) return std::string(raw);
  return fmt::format("{:04}-{:02}-{:02}", parts[0], parts[1], parts[2]);
}

std::vector<std::string> split_tags(std::string_view raw) {
  std::string s(raw);
  for (std::string_view sep : {"、", "；", "，"}) {
    for (auto pos = s.find(sep); pos != std::string::npos; pos = s.find(sep, pos)) {
      s.replace(pos, sep.size(), ";");
    }
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find_first_of(";,", start);
    if (end == std::string::npos) end = s.size();
    const std::string_view tag = trim(std::string_view(s).substr(start, end - start));
    if (!tag.empty()) out.emplace_back(tag);
    start = end + 1;
  }
  return out;
}

// ---- import: reading the file ---------------------------------------------
//
// The file is streamed, never held whole: a reading thread decodes, parses
// and checks each row as far as the file alone allows (formats, enums, ID
// number rules) and seals the good ones (encryption, blind indexes, name
// bigrams); the calling thread, inside the import's one transaction, checks
// what needs the database (grid, tags, duplicates) and writes the rows a batch
// at a time. A row with an error stops the writing; the transaction then rolls
// back, so a refused file leaves nothing behind, as before.

// What the file alone says about one row.
struct FileRow {
  std::size_t line = 0;
  bool too_many_columns = false;
  std::string grid_code;                 // looked up by the writer; its error comes first
  std::vector<ImportRowError> errors;    // the row's other errors, in order
  std::optional<detail::Person> person;  // when check_person passed
  std::optional<std::string> id_index;   // blind index of the ID number
  std::string building, unit, room;
  int floor = 0;
  std::optional<SealedResident> sealed;  // when the row may be written
};

struct FileBatch {
  std::vector<FileRow> rows;
  bool last = false;
  // With the last batch: the file as a whole is refused (encoding, CSV
  // syntax, header, size), or the reader failed.
  std::optional<Error> refused;
  std::exception_ptr exception;
  std::string encoding;
};

constexpr std::size_t kBatchRows = 2048;

// A bounded hand-over between the reading thread and the writer: memory stays
// at a few batches however large the file.
class BatchQueue {
 public:
  bool push(FileBatch batch, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait(lock, stop, [&] { return queue_.size() < kCapacity; })) return false;
    queue_.push_back(std::move(batch));
    cv_.notify_all();
    return true;
  }
  FileBatch pop() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !queue_.empty(); });
    FileBatch batch = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return batch;
  }

 private:
  static constexpr std::size_t kCapacity = 3;
  std::mutex mutex_;
  std::condition_variable_any cv_;
  std::deque<FileBatch> queue_;
};

// The reading thread's half: everything about a row that needs no database.
class FileChecker {
 public:
  FileChecker(const PiiCipher& pii, bool seal, std::int64_t now)
      : pii_(pii), seal_(seal), now_(now) {}

  FileRow check(const CsvRow& csv) const;

 private:
  void error(FileRow& row, std::string_view field, std::string code, std::string message) const {
    row.errors.push_back({row.line, std::string(field), std::move(code), std::move(message)});
  }
  template <std::size_t N>
  std::optional<std::string> enum_code(FileRow& row, const EnumName (&names)[N], Column column,
                                       std::string_view raw,
                                       std::set<std::string, std::less<>>& reported) const;
  void check_place(const std::vector<std::string>& f, FileRow& row) const;
  ResidentInput read_input(const std::vector<std::string>& f, FileRow& row,
                           std::set<std::string, std::less<>>& reported) const;

  const PiiCipher& pii_;
  bool seal_;
  std::int64_t now_;
};

template <std::size_t N>
std::optional<std::string> FileChecker::enum_code(
    FileRow& row, const EnumName (&names)[N], Column column, std::string_view raw,
    std::set<std::string, std::less<>>& reported) const {
  if (raw.empty()) return std::nullopt;  // check_person reports required ones
  if (auto code = code_of(names, raw)) return std::string(*code);
  if (title_of(names, raw)) return std::string(raw);
  std::string allowed;
  for (const EnumName& n : names) allowed += (allowed.empty() ? "" : "、") + std::string(n.title);
  error(row, kImportColumns[column], "enum", fmt::format("“{}”无效，可选：{}", raw, allowed));
  reported.insert(std::string(kImportColumns[column]));
  return std::nullopt;
}

// The grid itself is the writer's to look up (its error, if any, comes first).
void FileChecker::check_place(const std::vector<std::string>& f, FileRow& row) const {
  if (f[kGridCode].empty()) {
    error(row, kImportColumns[kGridCode], "required", "网格编码不能为空");
  } else {
    row.grid_code = f[kGridCode];
  }
  for (Column c : {kBuilding, kRoom}) {
    if (f[c].empty()) error(row, kImportColumns[c], "required", "此项为必填项");
  }
  row.building = f[kBuilding];
  row.unit = f[kUnit];
  row.room = f[kRoom];
  if (!f[kFloor].empty()) {
    const std::string& s = f[kFloor];
    auto r = std::from_chars(s.data(), s.data() + s.size(), row.floor);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || row.floor < -10 || row.floor > 200) {
      error(row, kImportColumns[kFloor], "format", "楼层应为整数");
    }
  }
}

ResidentInput FileChecker::read_input(const std::vector<std::string>& f, FileRow& row,
                                      std::set<std::string, std::less<>>& reported) const {
  ResidentInput in;
  in.name = f[kName];
  in.gender = enum_code(row, kGenders, kGender, f[kGender], reported);
  if (!f[kBirthDate].empty()) in.birth_date = normalize_date(f[kBirthDate]);
  std::string id = f[kIdNumber];
  if (id.starts_with('\'')) id.erase(0, 1);  // Excel's "keep as text" mark
  if (id.find_first_of("Ee") != std::string::npos && id.find('+') != std::string::npos) {
    error(row, kImportColumns[kIdNumber], "scientific",
          "身份证号被 Excel 转成了科学计数法，请把该列设为“文本”后重新填写");
    reported.insert(std::string(kImportColumns[kIdNumber]));
  } else if (!id.empty()) {
    in.id_number = id;
  }
  if (!f[kPhone].empty()) in.phone = f[kPhone];
  in.relation = enum_code(row, kRelations, kRelation, f[kRelation], reported);
  in.residence_type = enum_code(row, kResidenceTypes, kResidenceType, f[kResidenceType], reported);
  in.tags = split_tags(f[kTags]);
  in.notes = f[kNotes];
  return in;
}

FileRow FileChecker::check(const CsvRow& csv) const {
  FileRow row;
  row.line = csv.line;
  std::vector<std::string> f;
  f.reserve(csv.fields.size());
  for (const std::string& field : csv.fields) f.emplace_back(trim(field));
  if (f.size() > kColumnCount &&
      std::any_of(f.begin() + kColumnCount, f.end(), [](const auto& s) { return !s.empty(); })) {
    row.too_many_columns = true;
    return row;
  }
  f.resize(kColumnCount);
  std::set<std::string, std::less<>> reported;  // columns of this row already reported
  check_place(f, row);
  auto person = detail::check_person(read_input(f, row, reported));
  if (!person) {
    // Errors of check_person, except those that repeat a column already
    // reported (an unknown relation is not also "missing"; a mangled ID
    // number does not also make the gender "required").
    const bool id_reported = reported.contains(kImportColumns[kIdNumber]);
    for (const FieldError& e : person.error().errors) {
      const std::string_view column = column_of(e.field);
      if (reported.contains(column)) continue;
      if (id_reported && (e.field == "gender" || e.field == "birth_date")) continue;
      error(row, column, e.code, e.message);
    }
    return row;
  }
  if (seal_ && row.errors.empty()) {
    row.sealed = seal_person(pii_, *person, now_);
    row.id_index = row.sealed->row.id_number.idx;
  } else if (person->id_number) {
    row.id_index = pii_.blind_index(detail::kIdKind, *person->id_number);
  }
  row.person = std::move(*person);
  return row;
}

Status check_header(const CsvRow& header);

// The reading thread: the whole file once, in batches. A problem with the
// file as a whole is only reported at its end, where a later one may take
// precedence as it did when the file was decoded and parsed before any row
// was looked at: encoding, then CSV syntax, then emptiness and header, then
// the number of rows.
class FileReader {
 public:
  FileReader(ByteSource& source, const FileChecker& checker, std::size_t max_rows)
      : source_(source), checker_(checker), max_rows_(max_rows) {}

  // Rows stop being checked (the writer has no use for them): the file is
  // only read on for a problem with it as a whole.
  void skip_rows() { skip_rows_ = true; }

  void run(BatchQueue& queue, std::stop_token stop) {
    FileBatch last;
    last.last = true;
    try {
      last.refused = read(queue, stop);
      last.encoding = encoding_;
    } catch (...) {
      last.exception = std::current_exception();
    }
    queue.push(std::move(last), stop);
  }

 private:
  std::optional<Error> read(BatchQueue& queue, std::stop_token stop) {
    auto text = SpreadsheetTextReader::open(source_);
    if (!text) return text.error();
    encoding_ = encoding_name(text->encoding());
    CsvReader csv([&](std::string& out) { return text->read(out); });
    std::optional<Error> refused;  // empty file, header, too many rows
    FileBatch batch;
    std::size_t records = 0;
    for (CsvRow row;;) {
      auto more = csv.next(row);
      if (!more) return more.error();  // encoding or CSV syntax: takes precedence
      if (!*more) break;
      if (stop.stop_requested()) return std::nullopt;
      if (records++ == 0) {
        if (auto ok = check_header(row); !ok) refused = ok.error();
        continue;
      }
      if (refused || skip_rows_) continue;
      if (records - 1 > max_rows_) {
        refused = errors::invalid_field("file", "too-many-rows",
                                        fmt::format("一次最多导入{}行", max_rows_));
        continue;
      }
      if (std::ranges::all_of(row.fields, [](const std::string& s) { return trim(s).empty(); })) {
        continue;
      }
      batch.rows.push_back(checker_.check(row));
      if (batch.rows.size() == kBatchRows) {
        if (!queue.push(std::move(batch), stop)) return std::nullopt;
        batch = {};
      }
    }
    if (records == 0) return errors::invalid_field("file", "empty", "文件为空");
    if (refused) return refused;
    if (!batch.rows.empty()) queue.push(std::move(batch), stop);
    return std::nullopt;
  }

  ByteSource& source_;
  const FileChecker& checker_;
  std::size_t max_rows_;
  std::atomic<bool> skip_rows_ = false;
  std::string encoding_;
};

// ---- import: the database's half -------------------------------------------

// An ID number as one integer (17 digits, then the check character), so that
// the ID numbers of a million rows fit in a small table.
std::optional<std::uint64_t> packed_id_number(std::string_view id) {
  if (id.size() != 18) return std::nullopt;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(id[i] - '0');
  }
  if (id[17] == 'X') return v * 11 + 10;
  if (id[17] < '0' || id[17] > '9') return std::nullopt;
  return v * 11 + static_cast<std::uint64_t>(id[17] - '0');
}

// Checks what needs the database, collecting every problem so that one upload
// tells the worker all there is to fix, and writes the good rows while there
// is none.
class Importer {
 public:
  Importer(db::Conn& conn, App& app, const auth::Actor& actor, const org::Area& community,
           ImportReport& report, bool write, bool large, std::uint64_t file_bytes)
      : conn_(conn),
        app_(app),
        actor_(actor),
        community_(community),
        report_(report),
        write_(write) {
    if (large) {
      known_ = store::id_number_hashes(conn_);
      id_lines_.reserve(std::min<std::uint64_t>(file_bytes / 100, 1 << 22));
    }
  }

  void take(FileBatch& batch);
  // Writes what is waiting; the number of rows written.
  std::size_t finish();

 private:
  void error(std::size_t line, std::string_view field, std::string code, std::string message);
  std::optional<std::int64_t> grid_of(std::size_t line, const std::string& code);
  bool check_database(const FileRow& row);
  bool first_in_file(const FileRow& row);
  void take(FileRow& row);
  const org::Place& place_of(const FileRow& row, std::int64_t grid_id);
  void write_pending();

  db::Conn& conn_;
  App& app_;
  const auth::Actor& actor_;
  const org::Area& community_;
  ImportReport& report_;
  bool write_;
  std::map<std::string, std::optional<std::int64_t>> grids_;  // code → grid id, if usable
  std::map<std::string, bool> tags_;
  std::unordered_map<std::uint64_t, std::size_t> id_lines_;  // packed ID number → first line
  std::map<std::string, std::size_t> other_id_lines_;        // blind index → first line
  using Address = std::tuple<std::int64_t, std::string, std::string, int, std::string>;
  std::map<Address, org::Place> places_;  // addresses met lately
  std::set<std::string> registered_;      // ID numbers of the batch registered before
  // For a large file: hashes of the ID numbers registered before the import;
  // only rows whose hash is among them need a look in the database.
  std::optional<std::vector<std::uint64_t>> known_;
  org::HouseholdFinder households_{conn_};
  std::optional<db::IdSource> ids_;
  std::vector<SealedResident> pending_;
  std::size_t written_ = 0;
};

void Importer::error(std::size_t line, std::string_view field, std::string code,
                     std::string message) {
  ++report_.error_count;
  if (report_.errors.size() < kMaxReportedErrors) {
    report_.errors.push_back({line, std::string(field), std::move(code), std::move(message)});
  }
}

std::optional<std::int64_t> Importer::grid_of(std::size_t line, const std::string& code) {
  auto it = grids_.find(code);
  if (it == grids_.end()) {
    std::optional<std::int64_t> id;
    auto grid = app_.org->area_by_code(conn_, code);
    if (grid && grid->level == org::Level::grid && auth::path_within(grid->path, community_.path) &&
        actor_.who.can(Permission::people_import, grid->path)) {
      id = grid->id;
    }
    it = grids_.emplace(code, id).first;
  }
  if (!it->second) {
    error(line, kImportColumns[kGridCode], "grid",
          fmt::format("网格编码“{}”不存在、不属于该社区或您无权导入", code));
  }
  return it->second;
}

bool Importer::first_in_file(const FileRow& row) {
  std::size_t first = 0;
  if (auto packed = packed_id_number(*row.person->id_number)) {
    auto [it, fresh] = id_lines_.emplace(*packed, row.line);
    if (fresh) return true;
    first = it->second;
  } else {
    auto [it, fresh] = other_id_lines_.emplace(*row.id_index, row.line);
    if (fresh) return true;
    first = it->second;
  }
  error(row.line, kImportColumns[kIdNumber], "duplicate-in-file",
        fmt::format("与第{}行的身份证号重复", first));
  return false;
}

bool Importer::check_database(const FileRow& row) {
  bool ok = true;
  for (const std::string& tag : row.person->tags) {
    auto it = tags_.find(tag);
    if (it == tags_.end()) {
      it = tags_.emplace(tag, store::tag_usable(conn_, tag, community_.id)).first;
    }
    if (!it->second) {
      error(row.line, kImportColumns[kTags], "unknown-tag", "标签不存在：" + tag);
      ok = false;
    }
  }
  if (!row.person->id_number) return ok;
  if (!first_in_file(row)) return false;
  // Rows written by this import so far have other ID numbers (first_in_file),
  // so what this finds was registered before.
  if (registered_.contains(*row.id_index)) {
    error(row.line, kImportColumns[kIdNumber], "duplicate-id-number", "该身份证号已登记");
    return false;
  }
  return ok;
}

void Importer::take(FileRow& row) {
  ++report_.total_rows;
  if (row.too_many_columns) {
    error(row.line, "行", "columns", fmt::format("列数过多：应为{}列", std::size_t{kColumnCount}));
    return;
  }
  const std::size_t before = report_.error_count;
  std::optional<std::int64_t> grid;
  if (!row.grid_code.empty()) grid = grid_of(row.line, row.grid_code);
  for (ImportRowError& e : row.errors) {
    error(e.row, e.field, std::move(e.code), std::move(e.message));
  }
  if (!row.person) return;
  check_database(row);
  if (report_.error_count != before) return;
  ++report_.valid_rows;
  // One bad row anywhere refuses the file: writing stops at the first.
  if (!write_ || report_.error_count > 0 || !row.sealed) return;
  if (!ids_) ids_.emplace(conn_, "residents");
  place_resident(*row.sealed, ids_->next(), place_of(row, *grid));
  pending_.push_back(std::move(*row.sealed));
}

// A file lists a household's members one after another, and the import is
// the only writer in its transaction: each address is looked up (or created)
// once while its rows come, not once per member.
const org::Place& Importer::place_of(const FileRow& row, std::int64_t grid_id) {
  Address address{grid_id, row.building, row.unit, row.floor, row.room};
  auto it = places_.find(address);
  if (it != places_.end()) return it->second;
  if (places_.size() >= 4096) places_.clear();
  org::Place place =
      households_.find_or_create(grid_id, row.building, row.unit, row.floor, row.room);
  return places_.emplace(std::move(address), std::move(place)).first->second;
}

void Importer::write_pending() {
  if (pending_.empty()) return;
  if (report_.error_count == 0) {
    insert_residents(conn_, pending_);
    written_ += pending_.size();
  }
  pending_.clear();
}

void Importer::take(FileBatch& batch) {
  std::vector<std::string> indexes;
  for (const FileRow& row : batch.rows) {
    if (row.id_index) indexes.push_back(*row.id_index);
  }
  if (known_) {
    std::erase_if(indexes, [&](const std::string& idx) {
      return !std::ranges::binary_search(*known_, std::hash<std::string>{}(idx));
    });
  }
  registered_ = store::registered_id_numbers(conn_, indexes);
  for (FileRow& row : batch.rows) take(row);
  if (pending_.size() >= kBatchRows) write_pending();
}

std::size_t Importer::finish() {
  write_pending();
  return report_.error_count == 0 ? written_ : 0;
}

Status check_header(const CsvRow& header) {
  std::vector<std::string_view> names;
  for (const std::string& f : header.fields) names.push_back(trim(f));
  while (names.size() > kColumnCount && names.back().empty()) names.pop_back();
  std::string expected;
  for (std::string_view c : kImportColumns)
    expected += (expected.empty() ? "" : ",") + std::string(c);
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    const std::string_view got = i < names.size() ? names[i] : "";
    if (got != kImportColumns[i] || names.size() != kColumnCount) {
      return fail(errors::invalid_field("file", "header",
                                        fmt::format("表头不正确：第{}列应为“{}”。表头应为：{}",
                                                    i + 1, kImportColumns[i], expected)));
    }
  }
  return {};
}

Error import_rejected(const ImportReport& report) {
  Error e{400,
          "import-rejected",
          "导入被拒绝",
          fmt::format("共{}处错误，未导入任何数据，请修改后重新上传", report.error_count),
          {}};
  for (const ImportRowError& r : report.errors) {
    e.errors.push_back({fmt::format("row {}: {}", r.row, r.field), r.code, r.message});
  }
  return e;
}

// Who may import into a community: someone holding people.import on it or on
// one of its grids. Someone who cannot see it at all gets 404.
Status check_community(const auth::Principal& who, const std::optional<org::Area>& community) {
  if (!community || community->level != org::Level::community) {
    return fail(errors::not_found("社区不存在或不在您的管辖范围内"));
  }
  const std::string& path = community->path;
  auto inside = [&](Permission p) {
    return std::ranges::any_of(who.scopes(p),
                               [&](const std::string& s) { return auth::path_within(s, path); });
  };
  if (!who.can(Permission::people_read, path) && !inside(Permission::people_read)) {
    return fail(errors::not_found("社区不存在或不在您的管辖范围内"));
  }
  if (!who.can(Permission::people_import, path) && !inside(Permission::people_import)) {
    return fail(errors::forbidden("没有导入居民的权限"));
  }
  return {};
}

// ---- export ----------------------------------------------------------------

const std::vector<std::string>& export_header() {
  static const std::vector<std::string> header = {
      "编号", "姓名", "性别",       "出生日期", "年龄", "身份证号", "手机号",
      "网格", "住址", "与户主关系", "居住类型", "标签", "备注"};
  return header;
}

std::string join_tags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& t : tags) out += (out.empty() ? "" : "、") + t;
  return out;
}

std::string title(std::optional<std::string_view> t) {
  return std::string(t.value_or(""));
}

std::vector<std::string> export_texts(const Resident& r) {
  auto age = age_of(r);
  return {std::to_string(r.id),
          r.name,
          title(title_of(kGenders, r.gender)),
          r.birth_date.value_or(""),
          age ? std::to_string(*age) : "",
          r.id_number_masked,
          r.phone_masked,
          r.grid_name,
          r.household_address,
          title(title_of(kRelations, r.relation)),
          title(title_of(kResidenceTypes, r.residence_type)),
          join_tags(r.tags),
          r.notes};
}

std::string export_csv(const std::vector<Resident>& residents) {
  // Notes are typed by people: guard against formula injection in Excel.
  const CsvWriteOptions options{.delimiter = ',', .utf8_bom = false, .guard_formulas = true};
  std::string out = "\xEF\xBB\xBF";  // without it Excel in China reads UTF-8 as GBK
  append_csv_row(out, export_header(), options);
  for (const Resident& r : residents) append_csv_row(out, export_texts(r), options);
  return out;
}

Result<std::string> export_xlsx(const std::vector<Resident>& residents) {
  XlsxTable table;
  table.sheet_name = "居民名单";
  table.header = export_header();
  table.rows.reserve(residents.size());
  for (const Resident& r : residents) {
    std::vector<XlsxCell> cells;
    for (std::string& text : export_texts(r)) cells.emplace_back(std::move(text));
    cells[0] = static_cast<double>(r.id);
    if (auto age = age_of(r)) cells[4] = static_cast<double>(*age);
    table.rows.push_back(std::move(cells));
  }
  return write_xlsx(table);
}

// What the audit record says about a search: never a full ID or phone.
std::string describe(const SearchQuery& q, ExportFormat format, std::size_t count) {
  std::string text = q.q.value_or("");
  const bool digits = !text.empty() && std::ranges::all_of(text, [](char c) {
    return (c >= '0' && c <= '9') || c == 'X' || c == 'x';
  });
  if (digits) text = text.size() == 18 ? mask_id_number(text) : mask_phone(text);
  return fmt::format("format={}; q={}; area={}; tags={}; count={}",
                     format == ExportFormat::csv ? "csv" : "xlsx", text,
                     q.area_id ? std::to_string(*q.area_id) : "", join_tags(q.tags), count);
}

struct Found {
  std::vector<Resident> residents;
  std::string area_path;  // where the export reached, for the audit record
};

}  // namespace

Result<ImportReport> PeopleService::import_file(const auth::Actor& actor, std::string_view bytes,
                                                std::int64_t community_id, bool dry_run,
                                                const ImportLimits& limits) const {
  MemoryByteSource source(bytes);
  return import_file(actor, source, community_id, dry_run, limits);
}

Result<ImportReport> PeopleService::import_file(const auth::Actor& actor, ByteSource& source,
                                                std::int64_t community_id, bool dry_run,
                                                const ImportLimits& limits) const {
  if (source.size() > limits.max_bytes) {
    return fail(errors::too_large(fmt::format("导入文件不能超过{}MB", limits.max_bytes >> 20)));
  }
  const FileChecker checker(*app_.pii, !dry_run, now_ms());
  auto run = [&](db::Conn& conn) -> Result<ImportReport> {
    // Whole registers (the command line): their rows land all over the
    // random-key blind indexes, which a larger cache keeps from rereading and
    // rewriting; and most of their ID numbers are new, which a table of the
    // registered ones tells without a query each.
    const bool large = limits.max_bytes > kMaxImportBytes;
    std::optional<db::ScopedCacheSize> cache;
    if (!dry_run && large) cache.emplace(conn, kImportCacheMiB);
    FileReader reader(source, checker, limits.max_rows);
    BatchQueue queue;
    std::jthread reading([&](std::stop_token stop) { reader.run(queue, stop); });
    auto community = app_.org->area_by_id(conn, community_id);
    auto allowed = check_community(actor.who, community);
    if (!allowed) reader.skip_rows();
    ImportReport report;
    report.dry_run = dry_run;
    std::optional<Importer> importer;
    if (allowed)
      importer.emplace(conn, app_, actor, *community, report, !dry_run, large, source.size());
    for (;;) {
      FileBatch batch = queue.pop();
      if (batch.exception) std::rethrow_exception(batch.exception);
      if (batch.refused) return fail(std::move(*batch.refused));
      if (batch.last) {
        report.encoding = std::move(batch.encoding);
        break;
      }
      if (importer) importer->take(batch);
    }
    if (!allowed) return fail(allowed.error());
    const std::size_t written = importer->finish();
    if (dry_run) return report;
    if (report.error_count > 0) return fail(import_rejected(report));
    report.imported = written;
    app_.audit->record(
        conn, actor,
        {"resident.import", "area", std::to_string(community->id),
         fmt::format("count={}; encoding={}", report.imported, report.encoding), community->path,
         actor.who.acting_role(Permission::people_import, community->path)});
    return report;
  };
  // A real import validates inside its write transaction, so the duplicate
  // checks against the database hold for what it then inserts; a refused
  // file rolls back the rows written before its first bad one.
  return dry_run ? app_.db->read(run) : app_.db->write(run);
}

Result<ExportFile> PeopleService::export_file(const auth::Actor& actor, const SearchQuery& query,
                                              ExportFormat format) const {
  constexpr int kBatch = 1000;
  auto found = app_.db->read([&](db::Conn& conn) -> Result<Found> {
    auto filter = detail::make_filter(conn, *app_.org, *app_.pii, actor.who,
                                      Permission::people_export, query);
    if (!filter) return fail(filter.error());
    Found out;
    out.area_path = filter->area ? filter->area->from : filter->scopes.front().from;
    filter->limit = kBatch;
    for (;;) {
      auto batch = store::search(conn, *filter);
      std::ranges::move(batch, std::back_inserter(out.residents));
      if (out.residents.size() > kMaxExportRows) {
        return fail(errors::invalid_field(
            "q", "too-many", fmt::format("导出结果超过{}条，请缩小范围后再导出", kMaxExportRows)));
      }
      if (batch.size() < static_cast<std::size_t>(kBatch)) break;
      filter->after_id = out.residents.back().id;
    }
    detail::PlaceCache places(conn, *app_.org);
    for (Resident& r : out.residents) places.decorate(r);
    return out;
  });
  if (!found) return fail(found.error());

  ExportFile file;
  file.rows = found->residents.size();
  const std::string stem = "居民名单-" + detail::today_compact();
  if (format == ExportFormat::csv) {
    file.bytes = export_csv(found->residents);
    file.content_type = "text/csv; charset=utf-8";
    file.file_name = stem + ".csv";
  } else {
    auto bytes = export_xlsx(found->residents);
    if (!bytes) return fail(bytes.error());
    file.bytes = std::move(*bytes);
    file.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    file.file_name = stem + ".xlsx";
  }
  app_.db->write([&](db::Conn& conn) {
    app_.audit->record(
        conn, actor,
        {"resident.export", "resident", "", describe(query, format, file.rows), found->area_path,
         actor.who.acting_role(Permission::people_export, found->area_path)});
  });
  return file;
}

// ---- command line ----------------------------------------------------------

Result<ImportReport> import_residents(App& app, ByteSource& file, const std::string& community_code,
                                      bool dry_run) {
  auto community =
      app.db->read([&](db::Conn& conn) { return app.org->area_by_code(conn, community_code); });
  if (!community) return fail(errors::not_found("社区编码不存在：" + community_code));
  return PeopleService(app).import_file(auth::system_actor(), file, community->id, dry_run,
                                        kCommandLineImportLimits);
}

Result<ExportFile> export_residents(App& app, ExportFormat format, const SearchQuery& query) {
  return PeopleService(app).export_file(auth::system_actor(), query, format);
}

}  // namespace cg::people
