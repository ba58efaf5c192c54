#include "core/csv.hpp"

#include <fmt/format.h>

namespace cg {

// A small state machine over a window of the text; `line` follows physical
// lines so that an error in a multi-line quoted field still points at the
// right place. When the window ends inside a record and more text is to come,
// the record is read again from its start once the window has grown.
class CsvParser {
 public:
  CsvParser(CsvReader::More more, const CsvReadOptions& options)
      : more_(std::move(more)), options_(options) {}

  Result<bool> next(CsvRow& row) {
    for (;;) {
      if (pos_ >= text_.size()) {
        if (eof_) return false;
        if (auto ok = refill(); !ok) return fail(std::move(ok.error()));
        continue;
      }
      const std::size_t start = pos_, start_line = line_;
      row = CsvRow{{}, line_, row_count_ + 1};
      if (auto ok = read_record(row.fields); !ok) return fail(std::move(ok.error()));
      if (!eof_ && pos_ >= text_.size()) {  // the record may go on in text not read yet
        pos_ = start;
        line_ = start_line;
        if (auto ok = refill(); !ok) return fail(std::move(ok.error()));
        continue;
      }
      ++row_count_;
      const bool blank = row.fields.size() == 1 && row.fields[0].empty();
      if (!(blank && options_.skip_blank_lines)) return true;
    }
  }

 private:
  // Drops what was read and appends the next piece of text.
  Status refill() {
    buffer_.erase(0, pos_);
    pos_ = 0;
    auto more = more_(buffer_);
    if (!more) return fail(std::move(more.error()));
    if (!*more) eof_ = true;
    text_ = buffer_;
    return {};
  }

  // Reads fields up to and including the end of the record.
  Status read_record(std::vector<std::string>& fields) {
    for (;;) {
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (auto ok = read_quoted(field); !ok) return ok;
      }
      read_unquoted(field);  // also picks up text after a closing quote
      fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return {};
      if (text_[pos_] == options_.delimiter) {
        ++pos_;
        continue;
      }
      consume_line_break();
      return {};
    }
  }

  Status read_quoted(std::string& field) {
    const std::size_t start_line = line_;
    ++pos_;  // opening quote
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field.push_back('"');
          pos_ += 2;
          continue;
        }
        ++pos_;  // closing quote
        return {};
      }
      if (c == '\n' || (c == '\r' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')))
        ++line_;
      field.push_back(c);
      ++pos_;
    }
    if (!eof_) return {};  // next() reads the record again with more text
    return fail(errors::invalid_field(
        "file", "csv_unclosed_quote",
        fmt::format("CSV 第{}行：引号未闭合（从该行开始的带引号字段没有结束引号）", start_line)));
  }

  void read_unquoted(std::string& field) {
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == options_.delimiter || c == '\n' || c == '\r') break;
      ++pos_;
    }
    field.append(text_.substr(start, pos_ - start));
  }

  void consume_line_break() {
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  CsvReader::More more_;
  const CsvReadOptions options_;
  std::string buffer_;
  std::string_view text_;
  bool eof_ = false;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t row_count_ = 0;
};

namespace {

bool starts_formula(std::string_view value) {
  return !value.empty() &&
         std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
}

bool needs_quotes(std::string_view value, char delimiter) {
  if (value.empty()) return false;
  for (char c : value)
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  return value.front() == ' ' || value.back() == ' ';
}

}  // namespace

CsvReader::CsvReader(More more, const CsvReadOptions& options)
    : parser_(std::make_unique<CsvParser>(std::move(more), options)) {}
CsvReader::~CsvReader() = default;
CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;

Result<bool> CsvReader::next(CsvRow& row) {
  return parser_->next(row);
}

Result<std::vector<CsvRow>> read_csv(std::string_view text, const CsvReadOptions& options) {
  bool given = false;
  CsvReader reader(
      [&](std::string& out) -> Result<bool> {
        if (given) return false;
        given = true;
        out.append(text);
        return true;
      },
      options);
  std::vector<CsvRow> rows;
  for (CsvRow row;;) {
    auto more = reader.next(row);
    if (!more) return fail(std::move(more.error()));
    if (!*more) return rows;
    rows.push_back(std::move(row));
  }
}

std::string csv_field(std::string_view value, const CsvWriteOptions& options) {
  std::string cell;
  if (options.guard_formulas && starts_formula(value)) cell.push_back('\'');
  cell.append(value);
  if (!needs_quotes(cell, options.delimiter)) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void append_csv_row(std::string& out, std::span<const std::string> fields,
                    const CsvWriteOptions& options) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(options.delimiter);
    out += csv_field(fields[i], options);
  }
  out += "\r\n";
}

std::string write_csv(const std::vector<std::vector<std::string>>& rows,
                      const CsvWriteOptions& options) {
  std::string out = options.utf8_bom ? "\xEF\xBB\xBF" : "";
  for (const auto& row : rows) append_csv_row(out, row, options);
  return out;
}

}  // namespace cg
