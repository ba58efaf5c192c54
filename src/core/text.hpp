// Text helpers for Chinese data: UTF-8 checks, code-point slicing, decoding
// of spreadsheet exports (Excel in China saves CSV as GBK), and the character
// bigrams used to search Chinese text.
//
// All functions are pure and thread-safe (iconv descriptors are per call).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace cg {

bool is_valid_utf8(std::string_view bytes);

// GB18030 is a superset of GBK and GB2312, so it decodes all three.
Result<std::string> gb18030_to_utf8(std::string_view bytes);

enum class TextEncoding { utf8, utf8_bom, utf16le, utf16be, gb18030 };

// "UTF-8", "UTF-8 (BOM)", "UTF-16LE", "UTF-16BE", "GB18030".
std::string_view encoding_name(TextEncoding encoding);

struct DecodedText {
  std::string text;  // UTF-8 without BOM
  TextEncoding encoding;
};

// Decodes an uploaded CSV/TXT: a BOM decides; else valid UTF-8 is taken as
// is; else GB18030. A short GBK text can by chance be valid UTF-8 (the famous
// "联通"), but with real rows of Chinese text this practically never happens.
Result<DecodedText> decode_spreadsheet_text(std::string_view bytes);

// Number of code points; `s` must be valid UTF-8.
std::size_t utf8_length(std::string_view s);

// Up to `count` code points starting at code point `start` (clamped).
std::string_view utf8_substr(std::string_view s, std::size_t start,
                             std::size_t count = std::string_view::npos);

// Overlapping two-code-point grams per whitespace-separated word, in order and
// with repeats: "王小明" -> {"王小", "小明"}. A one-code-point word yields
// itself, so a one-character name is still indexed; a one-character query
// then needs a prefix match on the grams.
std::vector<std::string> char_bigrams(std::string_view s);

// Strips ASCII whitespace and the ideographic space U+3000, which Chinese
// input methods insert and Excel cells often keep.
std::string_view trim(std::string_view s);

std::string to_lower_ascii(std::string_view s);

}  // namespace cg
