#include "core/text.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <utility>

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

// ---- spreadsheet text too large to hold whole -----------------------------

namespace {

constexpr std::size_t kPiece = 1 << 20;

Error undecodable(std::string_view from_name) {
  return errors::invalid_field(
      "file", "encoding",
      std::string("文件编码无法识别：不是有效的 UTF-8 或 ") + std::string(from_name) + " 文本");
}

// Where the last complete UTF-8 sequence of `bytes` ends: a lead byte among
// the last three whose sequence is cut off starts what is carried over.
std::size_t complete_prefix(std::string_view bytes) {
  const std::size_t n = bytes.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(bytes[n - back]);
    if (is_continuation(c)) continue;
    const std::size_t len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return len > back ? n - back : n;
  }
  return n;
}

// Reads the rest of `source` (the first piece is `piece`): is all of it UTF-8?
Result<bool> rest_is_utf8(ByteSource& source, std::string_view piece) {
  std::string joined;
  for (;;) {
    joined.append(piece);
    if (piece.empty()) return joined.empty() || is_valid_utf8(joined);
    const std::size_t cut = complete_prefix(joined);
    if (!is_valid_utf8(std::string_view(joined).substr(0, cut))) return false;
    joined.erase(0, cut);
    auto next = source.read(kPiece);
    if (!next) return fail(std::move(next.error()));
    piece = *next;
  }
}

const char* iconv_name(TextEncoding e) {
  switch (e) {
    case TextEncoding::utf16le:
      return "UTF-16LE";
    case TextEncoding::utf16be:
      return "UTF-16BE";
    case TextEncoding::gb18030:
      return "GB18030";
    default:
      return nullptr;
  }
}

}  // namespace

Result<std::string_view> MemoryByteSource::read(std::size_t max) {
  const std::string_view piece = bytes_.substr(pos_, max);
  pos_ += piece.size();
  return piece;
}

Result<std::unique_ptr<FileByteSource>> FileByteSource::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (!file || std::fseek(file, 0, SEEK_END) != 0) {
    if (file) std::fclose(file);
    return fail(errors::invalid_field("file", "unreadable", "无法读取文件：" + path));
  }
  const auto size = static_cast<std::uint64_t>(ftello(file));
  std::rewind(file);
  return std::unique_ptr<FileByteSource>(new FileByteSource(file, size));
}

FileByteSource::~FileByteSource() {
  std::fclose(file_);
}

Result<std::string_view> FileByteSource::read(std::size_t max) {
  buffer_.resize(max);
  const std::size_t n = std::fread(buffer_.data(), 1, max, file_);
  if (n < max && std::ferror(file_)) {
    return fail(errors::invalid_field("file", "unreadable", "读取文件时出错"));
  }
  return std::string_view(buffer_).substr(0, n);
}

void FileByteSource::rewind() {
  std::rewind(file_);
}

Result<SpreadsheetTextReader> SpreadsheetTextReader::open(ByteSource& source) {
  source.rewind();
  std::string first;  // enough to see a byte order mark
  while (first.size() < kUtf8Bom.size()) {
    auto piece = source.read(kPiece);
    if (!piece) return fail(std::move(piece.error()));
    if (piece->empty()) break;
    first.append(*piece);
  }
  const std::string_view head = first;
  TextEncoding encoding;
  std::size_t bom = 0;
  if (head.starts_with(kUtf8Bom)) {
    bom = kUtf8Bom.size();
    auto utf8 = rest_is_utf8(source, head.substr(bom));
    if (!utf8) return fail(std::move(utf8.error()));
    if (!*utf8) {
      return fail(errors::invalid_field("file", "encoding", "文件声明为 UTF-8 但包含无效字符"));
    }
    encoding = TextEncoding::utf8_bom;
  } else if (head.starts_with(kUtf16LeBom)) {
    bom = 2;
    encoding = TextEncoding::utf16le;
  } else if (head.starts_with(kUtf16BeBom)) {
    bom = 2;
    encoding = TextEncoding::utf16be;
  } else {
    auto utf8 = rest_is_utf8(source, head);
    if (!utf8) return fail(std::move(utf8.error()));
    encoding = *utf8 ? TextEncoding::utf8 : TextEncoding::gb18030;
  }
  source.rewind();
  SpreadsheetTextReader reader(source, encoding, bom);
  if (const char* from = iconv_name(encoding)) {
    iconv_t cd = ::iconv_open("UTF-8", from);
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      return fail(errors::internal(std::string("不支持的编码转换：") + from));
    }
    reader.iconv_ = cd;
  }
  return reader;
}

SpreadsheetTextReader::SpreadsheetTextReader(ByteSource& source, TextEncoding encoding,
                                             std::size_t bom)
    : source_(source), encoding_(encoding), bom_(bom), bom_left_(bom) {}

SpreadsheetTextReader::SpreadsheetTextReader(SpreadsheetTextReader&& other) noexcept
    : source_(other.source_),
      encoding_(other.encoding_),
      bom_(other.bom_),
      bom_left_(other.bom_left_),
      iconv_(std::exchange(other.iconv_, nullptr)),
      pending_(std::move(other.pending_)) {}

SpreadsheetTextReader::~SpreadsheetTextReader() {
  if (iconv_) ::iconv_close(static_cast<iconv_t>(iconv_));
}

std::string_view SpreadsheetTextReader::source_name() const {
  return encoding_ == TextEncoding::gb18030 ? "GBK/GB18030" : encoding_name(encoding_);
}

void SpreadsheetTextReader::rewind() {
  source_.rewind();
  bom_left_ = bom_;
  pending_.clear();
  if (iconv_) ::iconv(static_cast<iconv_t>(iconv_), nullptr, nullptr, nullptr, nullptr);
}

Result<bool> SpreadsheetTextReader::read(std::string& out) {
  std::string_view bytes;
  do {
    auto piece = source_.read(kPiece);
    if (!piece) return fail(std::move(piece.error()));
    if (piece->empty()) {
      if (!pending_.empty()) return fail(undecodable(source_name()));
      return false;
    }
    bytes = *piece;
    const std::size_t mark = std::min(bom_left_, bytes.size());
    bytes.remove_prefix(mark);
    bom_left_ -= mark;
  } while (bytes.empty());
  if (!iconv_) {
    out.append(bytes);
    return true;
  }
  pending_.append(bytes);
  char* in_ptr = pending_.data();  // iconv's API is not const-correct
  std::size_t in_left = pending_.size();
  converted_.resize(pending_.size() * 2 + 16);
  std::size_t done = 0;
  while (in_left > 0) {
    char* out_ptr = converted_.data() + done;
    std::size_t out_left = converted_.size() - done;
    const std::size_t rc =
        ::iconv(static_cast<iconv_t>(iconv_), &in_ptr, &in_left, &out_ptr, &out_left);
    done = converted_.size() - out_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      converted_.resize(converted_.size() * 2);
    } else if (errno == EINVAL) {
      break;  // a character cut off at the end of the piece: kept for the next
    } else {
      return fail(undecodable(source_name()));
    }
  }
  out.append(converted_.data(), done);
  pending_.erase(0, pending_.size() - in_left);
  return true;
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
