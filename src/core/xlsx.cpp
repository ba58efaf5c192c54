#include "core/xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/text.hpp"

namespace cg {
namespace {

constexpr std::size_t kMaxRows = 1'048'576;  // including the header
constexpr std::size_t kMaxCols = 16'384;
constexpr double kMinWidth = 8;
constexpr double kMaxWidth = 50;

Error export_error(std::string detail) {
  return {500, "export-failed", "导出失败", std::move(detail), {}};
}

// The data does not fit a spreadsheet: the caller should narrow the export.
Error export_limit(std::string detail) {
  return {422, "export-limit", "超出 Excel 的限制", std::move(detail), {}};
}

// A temp file that is removed however the export ends.
class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = fmt::format("{}/civicgrid-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    const int fd = ::mkstemp(path_.data());
    if (fd < 0)
      path_.clear();
    else
      ::close(fd);  // libxlsxwriter reopens it by name
  }
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Excel measures width in digit widths; a CJK character takes about two.
// Lead bytes below 0xE0 start ASCII or 2-byte (Latin, Greek, Cyrillic) characters.
double display_width(std::string_view text) {
  double width = 0;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) width += c < 0xE0 ? 1.0 : 2.0;
  }
  return width;
}

std::string number_text(double value) {
  return fmt::format("{}", value);
}

std::string sheet_name_for(const std::string& wanted, std::size_t index) {
  std::string name;
  for (char c : wanted)
    name.push_back(std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_');
  name = std::string(utf8_substr(trim(name), 0, 31));
  while (name.starts_with('\'')) name.erase(0, 1);  // Excel forbids leading/trailing apostrophes
  while (name.ends_with('\'')) name.pop_back();
  return name.empty() ? fmt::format("Sheet{}", index + 1) : name;
}

Status check_table(const XlsxTable& table) {
  if (table.rows.size() + 1 > kMaxRows)
    return fail(export_limit(fmt::format("工作表“{}”行数超过 Excel 上限", table.sheet_name)));
  std::size_t cols = table.header.size();
  for (const auto& row : table.rows) cols = std::max(cols, row.size());
  if (cols > kMaxCols)
    return fail(export_limit(fmt::format("工作表“{}”列数超过 Excel 上限", table.sheet_name)));
  auto valid = [](const XlsxCell& cell) {
    const auto* text = std::get_if<std::string>(&cell);
    return !text || is_valid_utf8(*text);
  };
  for (const auto& h : table.header)
    if (!is_valid_utf8(h)) return fail(export_error("表头包含无效的 UTF-8 文本"));
  for (const auto& row : table.rows)
    if (!std::ranges::all_of(row, valid)) return fail(export_error("数据包含无效的 UTF-8 文本"));
  return {};
}

std::vector<double> column_widths(const XlsxTable& table) {
  std::vector<double> widths(table.header.size(), 0);
  auto widen = [&](std::size_t col, double w) {
    if (col >= widths.size()) widths.resize(col + 1, 0);
    widths[col] = std::max(widths[col], w);
  };
  for (std::size_t c = 0; c < table.header.size(); ++c) widen(c, display_width(table.header[c]));
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      const auto* text = std::get_if<std::string>(&row[c]);
      widen(c, text ? display_width(*text) : number_text(std::get<double>(row[c])).size());
    }
  for (double& w : widths) w = std::clamp(w + 2, kMinWidth, kMaxWidth);
  return widths;
}

Status check(lxw_error rc, std::size_t row, std::size_t col) {
  if (rc == LXW_NO_ERROR) return {};
  if (rc == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
    return fail(export_limit(
        fmt::format("第{}行第{}列的内容超过 Excel 单元格上限（32767个字符）", row + 1, col + 1)));
  return fail(
      export_error(fmt::format("写入第{}行第{}列失败：{}", row + 1, col + 1, lxw_strerror(rc))));
}

Status write_cell(lxw_worksheet* sheet, std::size_t row, std::size_t col, const XlsxCell& cell,
                  lxw_format* format) {
  const auto r = static_cast<lxw_row_t>(row);
  const auto c = static_cast<lxw_col_t>(col);
  if (const auto* text = std::get_if<std::string>(&cell)) {
    if (text->empty()) return {};
    return check(worksheet_write_string(sheet, r, c, text->c_str(), format), row, col);
  }
  const double number = std::get<double>(cell);
  if (!std::isfinite(number)) return {};
  return check(worksheet_write_number(sheet, r, c, number, format), row, col);
}

Status write_sheet(lxw_workbook* book, lxw_format* bold, const XlsxTable& table,
                   std::size_t index) {
  const std::string name = sheet_name_for(table.sheet_name, index);
  lxw_worksheet* sheet = workbook_add_worksheet(book, name.c_str());
  if (!sheet) return fail(export_error(fmt::format("工作表名称“{}”无效或重复", name)));

  // Column widths and the frozen header are set before the rows: in
  // constant-memory mode rows are flushed as they are written.
  const auto widths = column_widths(table);
  for (std::size_t c = 0; c < widths.size(); ++c)
    worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c],
                         nullptr);
  worksheet_freeze_panes(sheet, 1, 0);

  for (std::size_t c = 0; c < table.header.size(); ++c)
    if (auto ok = write_cell(sheet, 0, c, table.header[c], bold); !ok) return ok;
  for (std::size_t r = 0; r < table.rows.size(); ++r)
    for (std::size_t c = 0; c < table.rows[r].size(); ++c)
      if (auto ok = write_cell(sheet, r + 1, c, table.rows[r][c], nullptr); !ok) return ok;
  return {};
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(export_error("无法读取导出的临时文件"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

}  // namespace

Result<std::string> write_xlsx(std::span<const XlsxTable> tables) {
  if (tables.empty()) return fail(export_error("没有要导出的工作表"));
  for (const auto& table : tables)
    if (auto ok = check_table(table); !ok) return fail(std::move(ok.error()));

  TempFile file;
  if (file.path().empty())
    return fail(export_error(fmt::format("无法创建临时文件：{}", std::strerror(errno))));

  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* book = workbook_new_opt(file.path().c_str(), &options);
  if (!book) return fail(export_error("无法创建工作簿"));
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);

  Status written;
  for (std::size_t i = 0; i < tables.size() && written; ++i)
    written = write_sheet(book, bold, tables[i], i);
  // workbook_close also frees the workbook, so it runs even after a failed write.
  const lxw_error closed = workbook_close(book);
  if (!written) return fail(std::move(written.error()));
  if (closed != LXW_NO_ERROR)
    return fail(export_error(fmt::format("保存工作簿失败：{}", lxw_strerror(closed))));
  return read_file(file.path());
}

}  // namespace cg
