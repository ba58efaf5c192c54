// CSV reading and writing (RFC 4180, as Excel produces and expects it).
//
// The reader takes already-decoded UTF-8 text (see decode_spreadsheet_text);
// the writer can prefix a UTF-8 BOM, without which Excel on Chinese Windows
// reads UTF-8 as GBK and shows mojibake. All functions are pure and
// thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace cg {

struct CsvRow {
  std::vector<std::string> fields;
  std::size_t line = 0;  // 1-based physical line where the record starts (for error messages)
  std::size_t row = 0;   // 1-based record number, counting skipped blank lines
};

struct CsvReadOptions {
  char delimiter = ',';
  // Excel leaves lines that hold nothing when rows were cleared; they carry no data.
  bool skip_blank_lines = true;
};

class CsvParser;

// Records one at a time from text that arrives in pieces (a file too large to
// hold whole): `more` appends the next piece to its argument and returns false
// once there is none. Same rules as read_csv() below.
class CsvReader {
 public:
  using More = std::function<Result<bool>(std::string&)>;
  explicit CsvReader(More more, const CsvReadOptions& options = {});
  ~CsvReader();
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;

  // The next record into `row`; false at the end of the text.
  Result<bool> next(CsvRow& row);

 private:
  std::unique_ptr<CsvParser> parser_;
};

// Quoted fields may hold delimiters, doubled quotes and line breaks; CRLF, LF
// and lone CR end records; a final line break does not start an empty record.
// Like Excel, the reader is lenient with a quote inside an unquoted field or
// text after a closing quote (kept literally); only a quote left open at the
// end of the input is an error.
Result<std::vector<CsvRow>> read_csv(std::string_view text, const CsvReadOptions& options = {});

struct CsvWriteOptions {
  char delimiter = ',';
  bool utf8_bom = false;  // set for files meant to be opened by Excel
  // Formula-injection guard (OWASP "CSV injection"): a cell starting with
  // = + - @ (or tab / CR) gets a leading apostrophe so Excel shows text
  // instead of evaluating it. Off by default because it alters data: negative
  // numbers and "-" placeholders change, and a re-import sees the apostrophe.
  // Turn it on for exports holding free text typed by residents; phone
  // numbers are stored normalised (no "+86"), so they are never affected.
  bool guard_formulas = false;
};

// One field, quoted when it holds the delimiter, a quote, a line break, or
// leading/trailing spaces (which spreadsheet programs would otherwise drop).
std::string csv_field(std::string_view value, const CsvWriteOptions& options = {});

// Appends one record ending in CRLF, as RFC 4180 and Excel expect.
void append_csv_row(std::string& out, std::span<const std::string> fields,
                    const CsvWriteOptions& options = {});

// A whole document; the BOM (if requested) comes first.
std::string write_csv(const std::vector<std::vector<std::string>>& rows,
                      const CsvWriteOptions& options = {});

}  // namespace cg
