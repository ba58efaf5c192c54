// Export of tables as .xlsx workbooks (the format community workers open).
//
// Written through libxlsxwriter in constant-memory mode, so a large export of
// residents costs little memory: rows are streamed to a temporary file. The
// header row is bold and frozen; columns are sized for Chinese text.
// Thread-safety: pure functions; concurrent calls use separate temp files.
#pragma once

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace cg {

// Text (UTF-8) or a number; non-finite numbers are left blank.
using XlsxCell = std::variant<std::string, double>;

struct XlsxTable {
  std::string sheet_name;  // made valid for Excel: []:*?/\ replaced, at most 31 characters
  std::vector<std::string> header;
  std::vector<std::vector<XlsxCell>> rows;
};

// The bytes of an .xlsx file with one sheet per table (at least one).
// Errors: invalid UTF-8, a cell over Excel's 32767 characters, more rows than
// a sheet holds, duplicate sheet names, or an I/O failure of the temp file.
Result<std::string> write_xlsx(std::span<const XlsxTable> tables);

inline Result<std::string> write_xlsx(const XlsxTable& table) {
  return write_xlsx({&table, 1});
}

}  // namespace cg
