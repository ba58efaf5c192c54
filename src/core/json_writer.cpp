#include "core/json_writer.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstring>

namespace cg {
namespace {

bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

// needs_escape() for 8 bytes at once, so that long runs of plain text (most of
// a response) cost about one test per 8 bytes. The classic word tricks
// (graphics.stanford.edu/~seander/bithacks.html, "hasless" and "haszero"):
// the result is non-zero exactly when some byte is < 0x20, '"' or '\'; bytes
// >= 0x80 (UTF-8 beyond ASCII) never count.
bool any_needs_escape(const char* eight) {
  constexpr std::uint64_t kOnes = 0x0101010101010101, kHighs = 0x8080808080808080;
  std::uint64_t w;
  std::memcpy(&w, eight, sizeof w);
  const auto below = [&](std::uint64_t v, std::uint64_t n) {
    return (v - kOnes * n) & ~v & kHighs;
  };
  return below(w, 0x20) | below(w ^ (kOnes * '"'), 1) | below(w ^ (kOnes * '\\'), 1);
}

// The escape of one byte for which needs_escape() holds.
void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, sizeof u);
    }
  }
}

}  // namespace

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  quoted(name);
  out_ += ':';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  quoted(text);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t number) {
  separate();
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out_.append(digits, end);
  need_comma_ = true;
  return *this;
}

// The shortest text that reads back as the same double, and reads back as a
// double: a whole number gets ".0" ("32.0", not "32"), as a parser would
// otherwise take it for an integer.
JsonWriter& JsonWriter::value(double number) {
  if (!std::isfinite(number)) return null();
  separate();
  char digits[32];
  auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out_.append(digits, end);
  if (std::string_view(digits, end).find_first_of(".e") == std::string_view::npos) out_ += ".0";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::tree(const boost::json::value& v) {
  separate();
  out_ += boost::json::serialize(v);
  need_comma_ = true;
  return *this;
}

// Copies runs of bytes that need no escape in one append each, skipping over
// them 8 bytes at a time.
void JsonWriter::quoted(std::string_view text) {
  out_ += '"';
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size() && !any_needs_escape(text.data() + i)) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (needs_escape(c)) {
      out_.append(text.data() + run, i - run);
      append_escape(out_, c);
      run = i + 1;
    }
    ++i;
  }
  out_.append(text.data() + run, text.size() - run);
  out_ += '"';
}

}  // namespace cg
