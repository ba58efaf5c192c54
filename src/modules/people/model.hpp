// Records of the residents registry (实有人口): residents living in
// households, their care tags, and the shapes of search, import and export.
//
// ID numbers and phones appear here only masked; the full values exist in
// memory only while being encrypted, or for the one reveal that returns them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::people {

// Stable English codes with their Chinese names (as in spreadsheets).
struct EnumName {
  std::string_view code;
  std::string_view title;
};

inline constexpr EnumName kGenders[] = {{"male", "男"}, {"female", "女"}};
inline constexpr EnumName kRelations[] = {
    {"head", "户主"},         {"spouse", "配偶"},      {"child", "子女"}, {"parent", "父母"},
    {"grandchild", "孙子女"}, {"sibling", "兄弟姐妹"}, {"other", "其他"},
};
inline constexpr EnumName kResidenceTypes[] = {
    {"registered", "户籍"}, {"resident", "常住"}, {"floating", "流动"}};

// Code → title and title → code; nullopt for an unknown value.
template <std::size_t N>
std::optional<std::string_view> title_of(const EnumName (&names)[N], std::string_view code) {
  for (const EnumName& n : names)
    if (n.code == code) return n.title;
  return std::nullopt;
}
template <std::size_t N>
std::optional<std::string_view> code_of(const EnumName (&names)[N], std::string_view title) {
  for (const EnumName& n : names)
    if (n.title == title) return n.code;
  return std::nullopt;
}

// One resident as lists and details show it.
struct Resident {
  std::int64_t id = 0;
  std::int64_t household_id = 0;
  std::int64_t grid_id = 0;
  std::string path;  // the grid's path: what scope checks look at
  std::string name;
  std::string gender;                     // "male" | "female"
  std::optional<std::string> birth_date;  // "YYYY-MM-DD"
  std::string id_number_masked;           // "" when none is registered
  std::string phone_masked;
  std::string relation;
  std::string residence_type;
  std::string notes;
  std::vector<std::string> tags;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  // Filled from the org tree.
  std::string household_address;
  std::string grid_name;
};

// The fields of a create (all required ones set) or an update (only the
// fields the caller sent are set). For optional text fields of an update, an
// empty string clears the value.
struct ResidentInput {
  std::optional<std::int64_t> household_id;
  std::optional<std::string> name;
  std::optional<std::string> gender;
  std::optional<std::string> birth_date;
  std::optional<std::string> id_number;
  std::optional<std::string> phone;
  std::optional<std::string> relation;
  std::optional<std::string> residence_type;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> notes;
};

struct SearchQuery {
  std::optional<std::string> q;
  std::optional<std::int64_t> area_id;
  std::vector<std::string> tags;  // a resident must carry all of them
  std::optional<std::string> cursor;
  int limit = 20;
};

struct Page {
  std::vector<Resident> items;
  std::optional<std::string> next_cursor;
};

struct Tag {
  std::string name;
  bool builtin = false;
  std::optional<std::int64_t> community_id;
};

// One problem with one row of an import file.
struct ImportRowError {
  std::size_t row = 0;  // line number in the file (the header is line 1)
  std::string field;    // column name as in the header, e.g. "身份证号"
  std::string code;     // stable, e.g. "checksum"
  std::string message;  // Chinese
};

struct ImportReport {
  bool dry_run = true;
  std::string encoding;  // "UTF-8", "UTF-8 (BOM)", "GB18030"
  std::size_t total_rows = 0;
  std::size_t valid_rows = 0;
  std::size_t imported = 0;
  std::size_t error_count = 0;         // all errors found
  std::vector<ImportRowError> errors;  // the first kMaxReportedErrors of them
};

inline constexpr std::size_t kMaxImportBytes = 10 * 1024 * 1024;
inline constexpr std::size_t kMaxImportRows = 100'000;
inline constexpr std::size_t kMaxReportedErrors = 1000;

// How much one import may hold: an upload through the API is bounded; the
// command line, run by an operator on the server, imports whole registers
// (measured: 1 M rows, see docs/benchmarks.md).
struct ImportLimits {
  std::size_t max_bytes = kMaxImportBytes;
  std::size_t max_rows = kMaxImportRows;
};
inline constexpr ImportLimits kCommandLineImportLimits{std::size_t{4} << 30, 20'000'000};
// The SQLite page cache of an import larger than an upload may be (its rows
// land all over the random-key blind indexes; see docs/benchmarks.md).
inline constexpr std::int64_t kImportCacheMiB = 256;
inline constexpr std::size_t kMaxExportRows = 100'000;

// The column names of the import file, in order (export uses its own list).
inline constexpr std::string_view kImportColumns[] = {
    "姓名", "性别", "出生日期", "身份证号",   "手机号",   "网格编码", "楼幢",
    "单元", "楼层", "房号",     "与户主关系", "居住类型", "标签",     "备注"};

enum class ExportFormat { csv, xlsx };

struct ExportFile {
  std::string bytes;
  std::string content_type;
  std::string file_name;  // Chinese, e.g. "居民名单-20261123.xlsx"
  std::size_t rows = 0;
};

}  // namespace cg::people
