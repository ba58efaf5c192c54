// Spreadsheet import and export of residents, and their command-line entry
// points. Part of the people service (see service.hpp); kept apart from
// service.cpp because the file format rules are long and change on their own.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "app/app.hpp"
#include "core/csv.hpp"
#include "core/pii.hpp"
#include "core/text.hpp"
#include "core/xlsx.hpp"
#include "modules/audit/model.hpp"
#include "modules/org/service.hpp"
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

// A row that passed every check, ready to insert.
struct ImportRow {
  std::int64_t grid_id = 0;
  std::string building, unit, room;
  int floor = 0;
  detail::Person person;
};

// Checks rows one at a time against the file, the org tree and the
// database, collecting every problem, so that one upload tells the worker
// all there is to fix.
class Importer {
 public:
  Importer(db::Conn& conn, App& app, const auth::Actor& actor, const org::Area& community,
           ImportReport& report)
      : conn_(conn), app_(app), actor_(actor), community_(community), report_(report) {}

  void check(const CsvRow& csv);
  std::size_t insert_all(std::int64_t now);

 private:
  void error(std::size_t line, std::string_view field, std::string code, std::string message);
  template <std::size_t N>
  std::optional<std::string> enum_code(std::size_t line, const EnumName (&names)[N], Column column,
                                       std::string_view raw);
  std::optional<std::int64_t> grid_of(std::size_t line, const std::string& code);
  bool check_place(std::size_t line, const std::vector<std::string>& f, ImportRow& row);
  ResidentInput read_input(std::size_t line, const std::vector<std::string>& f);
  void report_person_errors(std::size_t line, const std::vector<FieldError>& errors);
  bool check_database(std::size_t line, const detail::Person& person);

  db::Conn& conn_;
  App& app_;
  const auth::Actor& actor_;
  const org::Area& community_;
  ImportReport& report_;
  std::map<std::string, std::optional<std::int64_t>> grids_;  // code → grid id, if usable
  std::map<std::string, bool> tags_;
  std::map<std::string, std::size_t> id_lines_;  // blind index → first line
  std::vector<ImportRow> rows_;
  std::set<std::string, std::less<>> reported_;  // columns of this row already reported
};

void Importer::error(std::size_t line, std::string_view field, std::string code,
                     std::string message) {
  ++report_.error_count;
  if (report_.errors.size() < kMaxReportedErrors) {
    report_.errors.push_back({line, std::string(field), std::move(code), std::move(message)});
  }
}

template <std::size_t N>
std::optional<std::string> Importer::enum_code(std::size_t line, const EnumName (&names)[N],
                                               Column column, std::string_view raw) {
  if (raw.empty()) return std::nullopt;  // check_person reports required ones
  if (auto code = code_of(names, raw)) return std::string(*code);
  if (title_of(names, raw)) return std::string(raw);
  std::string allowed;
  for (const EnumName& n : names) allowed += (allowed.empty() ? "" : "、") + std::string(n.title);
  error(line, kImportColumns[column], "enum", fmt::format("“{}”无效，可选：{}", raw, allowed));
  reported_.insert(std::string(kImportColumns[column]));
  return std::nullopt;
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

bool Importer::check_place(std::size_t line, const std::vector<std::string>& f, ImportRow& row) {
  bool ok = true;
  if (f[kGridCode].empty()) {
    error(line, kImportColumns[kGridCode], "required", "网格编码不能为空");
    ok = false;
  } else if (auto grid = grid_of(line, f[kGridCode])) {
    row.grid_id = *grid;
  } else {
    ok = false;
  }
  for (Column c : {kBuilding, kRoom}) {
    if (f[c].empty()) {
      error(line, kImportColumns[c], "required", "此项为必填项");
      ok = false;
    }
  }
  row.building = f[kBuilding];
  row.unit = f[kUnit];
  row.room = f[kRoom];
  if (!f[kFloor].empty()) {
    const std::string& s = f[kFloor];
    auto r = std::from_chars(s.data(), s.data() + s.size(), row.floor);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || row.floor < -10 || row.floor > 200) {
      error(line, kImportColumns[kFloor], "format", "楼层应为整数");
      ok = false;
    }
  }
  return ok;
}

ResidentInput Importer::read_input(std::size_t line, const std::vector<std::string>& f) {
  ResidentInput in;
  in.name = f[kName];
  in.gender = enum_code(line, kGenders, kGender, f[kGender]);
  if (!f[kBirthDate].empty()) in.birth_date = normalize_date(f[kBirthDate]);
  std::string id = f[kIdNumber];
  if (id.starts_with('\'')) id.erase(0, 1);  // Excel's "keep as text" mark
  if (id.find_first_of("Ee") != std::string::npos && id.find('+') != std::string::npos) {
    error(line, kImportColumns[kIdNumber], "scientific",
          "身份证号被 Excel 转成了科学计数法，请把该列设为“文本”后重新填写");
    reported_.insert(std::string(kImportColumns[kIdNumber]));
  } else if (!id.empty()) {
    in.id_number = id;
  }
  if (!f[kPhone].empty()) in.phone = f[kPhone];
  in.relation = enum_code(line, kRelations, kRelation, f[kRelation]);
  in.residence_type = enum_code(line, kResidenceTypes, kResidenceType, f[kResidenceType]);
  in.tags = split_tags(f[kTags]);
  in.notes = f[kNotes];
  return in;
}

// Errors of check_person, except those that repeat a column already reported
// (an unknown relation is not also "missing"; a mangled ID number does not
// also make the gender "required").
void Importer::report_person_errors(std::size_t line, const std::vector<FieldError>& errors) {
  const bool id_reported = reported_.contains(kImportColumns[kIdNumber]);
  for (const FieldError& e : errors) {
    const std::string_view column = column_of(e.field);
    if (reported_.contains(column)) continue;
    if (id_reported && (e.field == "gender" || e.field == "birth_date")) continue;
    error(line, column, e.code, e.message);
  }
}

bool Importer::check_database(std::size_t line, const detail::Person& person) {
  bool ok = true;
  for (const std::string& tag : person.tags) {
    auto it = tags_.find(tag);
    if (it == tags_.end()) {
      it = tags_.emplace(tag, store::tag_usable(conn_, tag, community_.id)).first;
    }
    if (!it->second) {
      error(line, kImportColumns[kTags], "unknown-tag", "标签不存在：" + tag);
      ok = false;
    }
  }
  if (!person.id_number) return ok;
  const std::string idx = app_.pii->blind_index(detail::kIdKind, *person.id_number);
  if (auto first = id_lines_.find(idx); first != id_lines_.end()) {
    error(line, kImportColumns[kIdNumber], "duplicate-in-file",
          fmt::format("与第{}行的身份证号重复", first->second));
    return false;
  }
  id_lines_.emplace(idx, line);
  if (store::resident_with_id_number(conn_, idx)) {
    error(line, kImportColumns[kIdNumber], "duplicate-id-number", "该身份证号已登记");
    return false;
  }
  return ok;
}

void Importer::check(const CsvRow& csv) {
  std::vector<std::string> f;
  for (const std::string& field : csv.fields) f.emplace_back(trim(field));
  if (std::ranges::all_of(f, [](const std::string& s) { return s.empty(); })) return;
  ++report_.total_rows;
  const std::size_t line = csv.line;
  if (f.size() > kColumnCount &&
      std::any_of(f.begin() + kColumnCount, f.end(), [](const auto& s) { return !s.empty(); })) {
    error(line, "行", "columns", fmt::format("列数过多：应为{}列", std::size_t{kColumnCount}));
    return;
  }
  f.resize(kColumnCount);
  const std::size_t before = report_.error_count;
  reported_.clear();
  ImportRow row;
  check_place(line, f, row);
  auto person = detail::check_person(read_input(line, f));
  if (!person) {
    report_person_errors(line, person.error().errors);
    return;
  }
  check_database(line, *person);
  if (report_.error_count != before) return;
  row.person = std::move(*person);
  ++report_.valid_rows;
  rows_.push_back(std::move(row));
}

std::size_t Importer::insert_all(std::int64_t now) {
  // A file lists a household's members one after another, and the import is
  // the only writer in its transaction: each address is looked up (or
  // created) once, not once per member.
  using Address = std::tuple<std::int64_t, std::string, std::string, int, std::string>;
  std::map<Address, org::Place> places;
  for (const ImportRow& row : rows_) {
    Address address{row.grid_id, row.building, row.unit, row.floor, row.room};
    auto it = places.find(address);
    if (it == places.end()) {
      it = places
               .emplace(std::move(address),
                        app_.org->find_or_create_household(conn_, row.grid_id, row.building,
                                                           row.unit, row.floor, row.room))
               .first;
    }
    detail::insert_person(conn_, *app_.pii, it->second, row.person, now);
  }
  return rows_.size();
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
  if (bytes.size() > limits.max_bytes) {
    return fail(errors::too_large(fmt::format("导入文件不能超过{}MB", limits.max_bytes >> 20)));
  }
  auto decoded = decode_spreadsheet_text(bytes);
  if (!decoded) return fail(decoded.error());
  auto csv = read_csv(decoded->text);
  if (!csv) return fail(csv.error());
  if (csv->empty()) return fail(errors::invalid_field("file", "empty", "文件为空"));
  if (auto ok = check_header(csv->front()); !ok) return fail(ok.error());
  if (csv->size() - 1 > limits.max_rows) {
    return fail(errors::invalid_field("file", "too-many-rows",
                                      fmt::format("一次最多导入{}行", limits.max_rows)));
  }
  auto run = [&](db::Conn& conn) -> Result<ImportReport> {
    auto community = app_.org->area_by_id(conn, community_id);
    if (auto ok = check_community(actor.who, community); !ok) return fail(ok.error());
    ImportReport report;
    report.dry_run = dry_run;
    report.encoding = encoding_name(decoded->encoding);
    Importer importer(conn, app_, actor, *community, report);
    for (std::size_t i = 1; i < csv->size(); ++i) importer.check((*csv)[i]);
    if (dry_run) return report;
    if (report.error_count > 0) return fail(import_rejected(report));
    report.imported = importer.insert_all(now_ms());
    app_.audit->record(
        conn, actor,
        {"resident.import", "area", std::to_string(community->id),
         fmt::format("count={}; encoding={}", report.imported, report.encoding), community->path,
         actor.who.acting_role(Permission::people_import, community->path)});
    return report;
  };
  // A real import validates inside its write transaction, so the duplicate
  // checks against the database hold for what it then inserts.
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

Result<ImportReport> import_residents(App& app, std::string_view file_bytes,
                                      const std::string& community_code, bool dry_run) {
  auto community =
      app.db->read([&](db::Conn& conn) { return app.org->area_by_code(conn, community_code); });
  if (!community) return fail(errors::not_found("社区编码不存在：" + community_code));
  return PeopleService(app).import_file(auth::system_actor(), file_bytes, community->id, dry_run,
                                        kCommandLineImportLimits);
}

Result<ExportFile> export_residents(App& app, ExportFormat format, const SearchQuery& query) {
  return PeopleService(app).export_file(auth::system_actor(), query, format);
}

}  // namespace cg::people
