#include "core/text.hpp"

#include <gtest/gtest.h>

namespace cg {
namespace {

// "张三,男" in GBK, written out byte by byte as Excel on Chinese Windows saves it.
const std::string kGbkZhangSan = "\xD5\xC5\xC8\xFD,\xC4\xD0";

TEST(Utf8, ValidAndInvalidSequences) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("abc"));
  EXPECT_TRUE(is_valid_utf8("王小明"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));  // emoji, 4 bytes
  EXPECT_FALSE(is_valid_utf8(kGbkZhangSan));
  EXPECT_FALSE(is_valid_utf8("\xE7\x8E"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
}

TEST(Gb18030, DecodesGbkBytes) {
  auto text = gb18030_to_utf8(kGbkZhangSan);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "张三,男");
}

TEST(Gb18030, InvalidOrTruncatedInputIsAnError) {
  EXPECT_FALSE(gb18030_to_utf8("\xD5").has_value());        // half a character
  EXPECT_FALSE(gb18030_to_utf8("ab\xFF\xFF").has_value());  // not GB18030
}

TEST(DecodeSpreadsheet, GbkCsvIsDetected) {
  auto gbk = decode_spreadsheet_text("\xD0\xD5\xC3\xFB,\xD0\xD4\xB1\xF0\r\n" + kGbkZhangSan);
  ASSERT_TRUE(gbk.has_value());
  EXPECT_EQ(gbk->text, "姓名,性别\r\n张三,男");
  EXPECT_EQ(gbk->encoding, TextEncoding::gb18030);
  EXPECT_EQ(encoding_name(gbk->encoding), "GB18030");
}

TEST(DecodeSpreadsheet, Utf8WithAndWithoutBom) {
  auto plain = decode_spreadsheet_text("张三,男");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->text, "张三,男");
  EXPECT_EQ(plain->encoding, TextEncoding::utf8);

  auto bom = decode_spreadsheet_text("\xEF\xBB\xBF张三,男");
  ASSERT_TRUE(bom.has_value());
  EXPECT_EQ(bom->text, "张三,男");
  EXPECT_EQ(bom->encoding, TextEncoding::utf8_bom);

  EXPECT_FALSE(decode_spreadsheet_text("\xEF\xBB\xBF\xD5\xC5").has_value());
}

TEST(DecodeSpreadsheet, Utf16WithBom) {
  // "张三" = U+5F20 U+4E09, then a tab as Excel's "Unicode text" uses.
  const std::string le("\xFF\xFE\x20\x5F\x09\x4E\x09\x00", 8);
  auto decoded = decode_spreadsheet_text(le);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->text, "张三\t");
  EXPECT_EQ(decoded->encoding, TextEncoding::utf16le);

  const std::string be("\xFE\xFF\x5F\x20\x4E\x09", 6);
  auto decoded_be = decode_spreadsheet_text(be);
  ASSERT_TRUE(decoded_be.has_value());
  EXPECT_EQ(decoded_be->text, "张三");
}

TEST(DecodeSpreadsheet, EmptyInputIsEmptyUtf8) {
  auto decoded = decode_spreadsheet_text("");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->text, "");
}

TEST(DecodeSpreadsheet, LongGbkFileIsDecodedWhole) {
  std::string gbk;
  std::string utf8;
  for (int i = 0; i < 5000; ++i) {
    gbk += kGbkZhangSan + "\r\n";
    utf8 += "张三,男\r\n";
  }
  auto decoded = decode_spreadsheet_text(gbk);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->text, utf8);
}

// Hands out its bytes a few at a time, so that characters are cut in two.
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string bytes, std::size_t piece) : bytes_(std::move(bytes)), piece_(piece) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::string_view> read(std::size_t max) override {
    const std::string_view out = std::string_view(bytes_).substr(pos_, std::min(max, piece_));
    pos_ += out.size();
    return out;
  }
  void rewind() override { pos_ = 0; }

 private:
  std::string bytes_;
  std::size_t piece_;
  std::size_t pos_ = 0;
};

Result<std::string> read_all(ByteSource& source, TextEncoding* encoding = nullptr) {
  auto reader = SpreadsheetTextReader::open(source);
  if (!reader) return fail(reader.error());
  if (encoding) *encoding = reader->encoding();
  std::string text;
  for (;;) {
    auto more = reader->read(text);
    if (!more) return fail(more.error());
    if (!*more) return text;
  }
}

TEST(SpreadsheetTextReader, DecodesLikeTheWholeTextInPiecesOfAnySize) {
  const std::string gbk = "\xD0\xD5\xC3\xFB,\xD0\xD4\xB1\xF0\r\n" + kGbkZhangSan;
  const std::string utf8 = "姓名,性别\r\n张三,男";
  for (std::size_t piece : {1, 2, 3, 5, 1000}) {
    TextEncoding encoding{};
    TrickleSource g(gbk, piece);
    EXPECT_EQ(read_all(g, &encoding).value(), utf8) << piece;
    EXPECT_EQ(encoding, TextEncoding::gb18030);
    TrickleSource u(utf8, piece);
    EXPECT_EQ(read_all(u, &encoding).value(), utf8) << piece;
    EXPECT_EQ(encoding, TextEncoding::utf8);
    TrickleSource bom("\xEF\xBB\xBF" + utf8, piece);
    EXPECT_EQ(read_all(bom, &encoding).value(), utf8) << piece;
    EXPECT_EQ(encoding, TextEncoding::utf8_bom);
  }
}

TEST(SpreadsheetTextReader, OneBadByteAtTheEndMakesTheWholeTextGb18030) {
  // Valid UTF-8 up to its last byte: only the end shows it is not UTF-8.
  std::string text(3 << 20, 'a');
  text += "\xD5\xC5";  // 张 in GBK
  MemoryByteSource source(text);
  TextEncoding encoding{};
  auto decoded = read_all(source, &encoding);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(encoding, TextEncoding::gb18030);
  EXPECT_TRUE(decoded->ends_with("a张"));
}

TEST(SpreadsheetTextReader, BadBytesAreTheSameErrorsAsForTheWholeText) {
  MemoryByteSource bom(
      "\xEF\xBB\xBF"
      "ab\xFF");
  EXPECT_EQ(read_all(bom).error().errors.at(0).code, "encoding");
  TrickleSource truncated("ab\xD5", 1);
  auto t = read_all(truncated);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().errors.at(0).message,
            decode_spreadsheet_text("ab\xD5").error().errors.at(0).message);
}

TEST(Utf8Text, LengthAndSubstringCountCodePoints) {
  EXPECT_EQ(utf8_length("王小明"), 3u);
  EXPECT_EQ(utf8_length("a王b"), 3u);
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_substr("王小明", 1), "小明");
  EXPECT_EQ(utf8_substr("王小明", 0, 2), "王小");
  EXPECT_EQ(utf8_substr("王小明", 1, 1), "小");
  EXPECT_EQ(utf8_substr("王小明", 3), "");
  EXPECT_EQ(utf8_substr("王小明", 10, 2), "");
  EXPECT_EQ(utf8_substr("a王b", 1, 100), "王b");
}

TEST(Bigrams, OverlappingPairsOfCharacters) {
  EXPECT_EQ(char_bigrams("王小明"), (std::vector<std::string>{"王小", "小明"}));
  EXPECT_EQ(char_bigrams("路灯"), (std::vector<std::string>{"路灯"}));
  EXPECT_EQ(char_bigrams("王"), (std::vector<std::string>{"王"}));
  EXPECT_TRUE(char_bigrams("").empty());
  EXPECT_TRUE(char_bigrams("   ").empty());
}

TEST(Bigrams, WordsAreSplitAtWhitespace) {
  EXPECT_EQ(char_bigrams("路灯坏了 3栋"),
            (std::vector<std::string>{"路灯", "灯坏", "坏了", "3栋"}));
  EXPECT_EQ(char_bigrams("ab c"), (std::vector<std::string>{"ab", "c"}));
}

TEST(Trim, StripsAsciiAndIdeographicSpaces) {
  EXPECT_EQ(trim("  张三\t"), "张三");
  EXPECT_EQ(trim("\xE3\x80\x80张三\xE3\x80\x80 "), "张三");
  EXPECT_EQ(trim("张 三"), "张 三");
  EXPECT_EQ(trim("   "), "");
}

TEST(LowerAscii, LeavesOtherCharactersAlone) {
  EXPECT_EQ(to_lower_ascii("Admin 张三 ÄB"), "admin 张三 Äb");
}

}  // namespace
}  // namespace cg
