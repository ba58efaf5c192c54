// Text helpers for Chinese data: UTF-8 checks, code-point slicing, decoding
// of spreadsheet exports (Excel in China saves CSV as GBK), and the character
// bigrams used to search Chinese text.
//
// All functions are pure and thread-safe (iconv descriptors are per call or
// per reader); a reader or byte source is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
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

// ---- spreadsheet text too large to hold whole -----------------------------

// Bytes read a piece at a time, from the start again after rewind() (an
// import reads its file once to settle the encoding, then once for the rows).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::uint64_t size() const = 0;
  // The next up to `max` bytes, valid until the next call; empty at the end.
  virtual Result<std::string_view> read(std::size_t max) = 0;
  virtual void rewind() = 0;
};

// Bytes already in memory (an upload); they must outlive the source.
class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::string_view> read(std::size_t max) override;
  void rewind() override { pos_ = 0; }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// A file read in pieces, so that memory stays bounded however large it is.
class FileByteSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<FileByteSource>> open(const std::string& path);
  ~FileByteSource() override;
  std::uint64_t size() const override { return size_; }
  Result<std::string_view> read(std::size_t max) override;
  void rewind() override;

 private:
  FileByteSource(std::FILE* file, std::uint64_t size) : file_(file), size_(size) {}
  std::FILE* file_;
  std::uint64_t size_;
  std::string buffer_;
};

// decode_spreadsheet_text() a piece at a time: open() reads the source once
// to settle the encoding (valid UTF-8 is told from GB18030 only by looking at
// all of it), then read() hands out UTF-8 text. A GB18030 or UTF-16 text
// that does not convert fails in read(), where the bad bytes are.
class SpreadsheetTextReader {
 public:
  static Result<SpreadsheetTextReader> open(ByteSource& source);
  ~SpreadsheetTextReader();
  SpreadsheetTextReader(SpreadsheetTextReader&& other) noexcept;
  SpreadsheetTextReader& operator=(SpreadsheetTextReader&&) = delete;

  TextEncoding encoding() const { return encoding_; }
  // Appends the next piece of UTF-8 text (without BOM) to `out`; false at the end.
  Result<bool> read(std::string& out);
  // Back to the start of the text.
  void rewind();

 private:
  SpreadsheetTextReader(ByteSource& source, TextEncoding encoding, std::size_t bom);
  std::string_view source_name() const;  // as error messages name the encoding
  ByteSource& source_;
  TextEncoding encoding_;
  std::size_t bom_;        // bytes of byte order mark to skip
  std::size_t bom_left_;   // of it, still to skip
  void* iconv_ = nullptr;  // iconv_t when the text needs converting
  std::string pending_;    // an incomplete character at the end of the last piece
  std::string converted_;
};

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
