#include "core/json_writer.hpp"

#include <algorithm>
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

// The index of the first byte of `text` that needs an escape, or its size.
std::size_t first_escape(std::string_view text) {
  std::size_t i = 0;
  while (i + 8 <= text.size() && !any_needs_escape(text.data() + i)) i += 8;
  while (i < text.size() && !needs_escape(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

}  // namespace

void JsonWriter::grow(std::size_t n) {
  out_.resize(std::max(out_.size() * 2, size_ + n));
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  put(bracket);
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  put(bracket);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  quoted(name);
  put(':');
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
  char* at = room(24);
  size_ = static_cast<std::size_t>(std::to_chars(at, at + 24, number).ptr - out_.data());
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
  const std::string_view text(digits, static_cast<std::size_t>(end - digits));
  put(text);
  if (text.find_first_of(".e") == std::string_view::npos) put(".0");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  put(flag ? "true" : "false");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  put("null");
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::tree(const boost::json::value& v) {
  separate();
  put(boost::json::serialize(v));
  need_comma_ = true;
  return *this;
}

// Plain runs are copied whole; only the bytes that need it are escaped.
void JsonWriter::quoted(std::string_view text) {
  put('"');
  while (!text.empty()) {
    const std::size_t plain = first_escape(text);
    put(text.substr(0, plain));
    if (plain == text.size()) break;
    put_escape(static_cast<unsigned char>(text[plain]));
    text.remove_prefix(plain + 1);
  }
  put('"');
}

// The escape of one byte for which needs_escape() holds.
void JsonWriter::put_escape(unsigned char c) {
  switch (c) {
    case '"':
      return put("\\\"");
    case '\\':
      return put("\\\\");
    case '\b':
      return put("\\b");
    case '\f':
      return put("\\f");
    case '\n':
      return put("\\n");
    case '\r':
      return put("\\r");
    case '\t':
      return put("\\t");
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      put(std::string_view(u, sizeof u));
    }
  }
}

}  // namespace cg
