#include "core/text.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdint>

namespace cg {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";
constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is malformed:
// overlong forms, surrogates and code points above U+10FFFF are rejected.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len;
  std::uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(cc)) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
  return len;
}

// Byte offset of code point `n`; s.size() when there are fewer.
std::size_t offset_of(std::string_view s, std::size_t n) {
  std::size_t i = 0;
  for (; i < s.size() && n > 0; ++i)
    if (!is_continuation(static_cast<unsigned char>(s[i]))) --n;
  while (i < s.size() && is_continuation(static_cast<unsigned char>(s[i]))) ++i;
  return n > 0 ? s.size() : i;
}

Result<std::string> convert(std::string_view bytes, const char* from, const char* from_name) {
  iconv_t cd = ::iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1))
    return fail(errors::internal(std::string("不支持的编码转换：") + from));
  std::string out;
  out.resize(bytes.size() * 2 + 16);
  char* in_ptr = const_cast<char*>(bytes.data());  // iconv's API is not const-correct
  std::size_t in_left = bytes.size();
  std::size_t done = 0;
  bool bad = false;
  while (in_left > 0) {
    char* out_ptr = out.data() + done;
    std::size_t out_left = out.size() - done;
    const std::size_t rc = ::iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    done = out.size() - out_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    bad = true;  // EILSEQ (invalid byte) or EINVAL (truncated at the end)
    break;
  }
  ::iconv_close(cd);
  if (bad)
    return fail(errors::invalid_field(
        "file", "encoding",
        std::string("文件编码无法识别：不是有效的 UTF-8 或 ") + from_name + " 文本"));
  out.resize(done);
  return out;
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t len = sequence_length(bytes, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

Result<std::string> gb18030_to_utf8(std::string_view bytes) {
  return convert(bytes, "GB18030", "GBK/GB18030");
}

std::string_view encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::utf8:
      return "UTF-8";
    case TextEncoding::utf8_bom:
      return "UTF-8 (BOM)";
    case TextEncoding::utf16le:
      return "UTF-16LE";
    case TextEncoding::utf16be:
      return "UTF-16BE";
    case TextEncoding::gb18030:
      return "GB18030";
  }
  return "unknown";
}

Result<DecodedText> decode_spreadsheet_text(std::string_view bytes) {
  auto decoded = [](Result<std::string> text, TextEncoding encoding) -> Result<DecodedText> {
    if (!text) return fail(std::move(text.error()));
    return DecodedText{std::move(*text), encoding};
  };
  if (bytes.starts_with(kUtf8Bom)) {
    bytes.remove_prefix(kUtf8Bom.size());
    if (!is_valid_utf8(bytes))
      return fail(errors::invalid_field("file", "encoding", "文件声明为 UTF-8 但包含无效字符"));
    return DecodedText{std::string(bytes), TextEncoding::utf8_bom};
  }
  if (bytes.starts_with(kUtf16LeBom))
    return decoded(convert(bytes.substr(2), "UTF-16LE", "UTF-16LE"), TextEncoding::utf16le);
  if (bytes.starts_with(kUtf16BeBom))
    return decoded(convert(bytes.substr(2), "UTF-16BE", "UTF-16BE"), TextEncoding::utf16be);
  if (is_valid_utf8(bytes)) return DecodedText{std::string(bytes), TextEncoding::utf8};
  return decoded(gb18030_to_utf8(bytes), TextEncoding::gb18030);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += !is_continuation(static_cast<unsigned char>(c));
  return n;
}

std::string_view utf8_substr(std::string_view s, std::size_t start, std::size_t count) {
  const std::size_t begin = offset_of(s, start);
  const std::string_view rest = s.substr(begin);
  return rest.substr(0, count == std::string_view::npos ? rest.size() : offset_of(rest, count));
}

std::vector<std::string> char_bigrams(std::string_view s) {
  std::vector<std::string> grams;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && is_ascii_space(s[pos])) ++pos;
    std::size_t end = pos;
    while (end < s.size() && !is_ascii_space(s[end])) ++end;
    const std::string_view word = s.substr(pos, end - pos);
    pos = end;
    if (word.empty()) continue;
    std::vector<std::size_t> starts;  // byte offset of each code point, then the end
    for (std::size_t i = 0; i < word.size(); ++i)
      if (!is_continuation(static_cast<unsigned char>(word[i]))) starts.push_back(i);
    starts.push_back(word.size());
    if (starts.size() == 2) grams.emplace_back(word);
    for (std::size_t i = 0; i + 2 < starts.size(); ++i)
      grams.emplace_back(word.substr(starts[i], starts[i + 2] - starts[i]));
  }
  return grams;
}

std::string_view trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && is_ascii_space(s.front()))
      s.remove_prefix(1);
    else if (s.starts_with(kIdeographicSpace))
      s.remove_prefix(kIdeographicSpace.size());
    else
      break;
  }
  for (;;) {
    if (!s.empty() && is_ascii_space(s.back()))
      s.remove_suffix(1);
    else if (s.ends_with(kIdeographicSpace))
      s.remove_suffix(kIdeographicSpace.size());
    else
      break;
  }
  return s;
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace cg
