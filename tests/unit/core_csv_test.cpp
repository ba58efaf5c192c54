#include "core/csv.hpp"

#include <gtest/gtest.h>

namespace cg {
namespace {

using Fields = std::vector<std::string>;

std::vector<Fields> fields_of(std::string_view text, const CsvReadOptions& options = {}) {
  auto rows = read_csv(text, options);
  EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().detail);
  std::vector<Fields> out;
  if (rows)
    for (auto& row : *rows) out.push_back(row.fields);
  return out;
}

TEST(CsvRead, PlainRowsWithLfOrCrlf) {
  const std::vector<Fields> expected{{"姓名", "性别"}, {"张三", "男"}};
  EXPECT_EQ(fields_of("姓名,性别\n张三,男\n"), expected);
  EXPECT_EQ(fields_of("姓名,性别\r\n张三,男\r\n"), expected);
  EXPECT_EQ(fields_of("姓名,性别\r\n张三,男"), expected);  // no final line break
  EXPECT_EQ(fields_of("姓名,性别\r张三,男\r"), expected);  // old Mac line ends
}

TEST(CsvRead, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  EXPECT_EQ(fields_of("\"3栋,2单元\",\"他说\"\"你好\"\"\"\n"),
            (std::vector<Fields>{{"3栋,2单元", "他说\"你好\""}}));
  EXPECT_EQ(fields_of("a,\"第一行\r\n第二行\",c\r\nd,e,f\r\n"),
            (std::vector<Fields>{{"a", "第一行\r\n第二行", "c"}, {"d", "e", "f"}}));
  EXPECT_EQ(fields_of("\"\",x\n"), (std::vector<Fields>{{"", "x"}}));
}

TEST(CsvRead, EmptyFieldsAreKept) {
  EXPECT_EQ(fields_of(",a,,\n"), (std::vector<Fields>{{"", "a", "", ""}}));
  EXPECT_EQ(fields_of(",\n"), (std::vector<Fields>{{"", ""}}));
}

TEST(CsvRead, EmptyInputHasNoRows) {
  EXPECT_TRUE(fields_of("").empty());
  EXPECT_TRUE(fields_of("\n").empty());
  EXPECT_TRUE(fields_of("\r\n\r\n").empty());
}

TEST(CsvRead, BlankLinesAreSkippedByDefaultButCounted) {
  auto rows = read_csv("a\n\nb\r\n");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].fields, Fields{"b"});
  EXPECT_EQ((*rows)[1].line, 3u);
  EXPECT_EQ((*rows)[1].row, 3u);

  EXPECT_EQ(fields_of("a\n\nb\n", {.skip_blank_lines = false}),
            (std::vector<Fields>{{"a"}, {""}, {"b"}}));
}

TEST(CsvRead, LineNumbersFollowLineBreaksInsideQuotes) {
  auto rows = read_csv("h1,h2\n\"x\ny\",1\nlast,2\n");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].line, 1u);
  EXPECT_EQ((*rows)[1].line, 2u);
  EXPECT_EQ((*rows)[2].line, 4u);
  EXPECT_EQ((*rows)[2].row, 3u);
}

TEST(CsvRead, UnclosedQuoteIsAnErrorNamingItsLine) {
  auto rows = read_csv("a,b\nc,\"never closed\nmore\n");
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().status, 400);
  EXPECT_NE(rows.error().detail.find("第2行"), std::string::npos);
  EXPECT_EQ(rows.error().errors.at(0).code, "csv_unclosed_quote");
}

// The same records and line numbers however the text is cut into pieces.
TEST(CsvReader, PiecesOfAnySizeGiveTheRecordsOfTheWholeText) {
  const std::string text =
      "姓名,备注\r\n张三,\"第一行\r\n第二行\"\r\n\r\n李四,\"他说\"\"好\"\"\"\r王五,x\n\"ab\"c,\"\"";
  auto whole = read_csv(text);
  ASSERT_TRUE(whole.has_value());
  for (std::size_t piece : {1, 2, 3, 5, 7, 64}) {
    std::size_t at = 0;
    CsvReader reader([&](std::string& out) -> Result<bool> {
      if (at >= text.size()) return false;
      out.append(text.substr(at, piece));
      at += piece;
      return true;
    });
    std::vector<CsvRow> rows;
    for (CsvRow row;;) {
      auto more = reader.next(row);
      ASSERT_TRUE(more.has_value()) << piece;
      if (!*more) break;
      rows.push_back(row);
    }
    ASSERT_EQ(rows.size(), whole->size()) << piece;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].fields, (*whole)[i].fields) << piece;
      EXPECT_EQ(rows[i].line, (*whole)[i].line) << piece;
      EXPECT_EQ(rows[i].row, (*whole)[i].row) << piece;
    }
  }
}

TEST(CsvReader, UnclosedQuoteIsReportedOnlyAtTheEnd) {
  const std::string text = "a,b\nc,\"open\nmore\nand more\n";
  std::size_t at = 0;
  CsvReader reader([&](std::string& out) -> Result<bool> {
    if (at >= text.size()) return false;
    out.append(text.substr(at, 4));
    at += 4;
    return true;
  });
  CsvRow row;
  ASSERT_TRUE(reader.next(row).value());
  EXPECT_EQ(row.fields, (Fields{"a", "b"}));
  auto next = reader.next(row);
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().errors.at(0).code, "csv_unclosed_quote");
  EXPECT_NE(next.error().detail.find("第2行"), std::string::npos);
}

TEST(CsvRead, StrayQuotesAreKeptLiterallyLikeExcelDoes) {
  EXPECT_EQ(fields_of("5\"屏,a\n"), (std::vector<Fields>{{"5\"屏", "a"}}));
  EXPECT_EQ(fields_of("\"ab\"c,d\n"), (std::vector<Fields>{{"abc", "d"}}));
}

TEST(CsvRead, OtherDelimiter) {
  EXPECT_EQ(fields_of("a;b,c\n", {.delimiter = ';'}), (std::vector<Fields>{{"a", "b,c"}}));
  EXPECT_EQ(fields_of("a\tb\n", {.delimiter = '\t'}), (std::vector<Fields>{{"a", "b"}}));
}

TEST(CsvWrite, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(csv_field("张三"), "张三");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("3栋,2单元"), "\"3栋,2单元\"");
  EXPECT_EQ(csv_field("他说\"好\""), "\"他说\"\"好\"\"\"");
  EXPECT_EQ(csv_field("两行\n文字"), "\"两行\n文字\"");
  EXPECT_EQ(csv_field(" 前后空格 "), "\" 前后空格 \"");
}

TEST(CsvWrite, DocumentUsesCrlfAndOptionalBom) {
  const std::vector<std::vector<std::string>> rows{{"姓名", "备注"}, {"张三", "a,b"}};
  EXPECT_EQ(write_csv(rows), "姓名,备注\r\n张三,\"a,b\"\r\n");
  EXPECT_EQ(write_csv(rows, {.utf8_bom = true}), "\xEF\xBB\xBF姓名,备注\r\n张三,\"a,b\"\r\n");
}

TEST(CsvWrite, FormulaGuardIsOptIn) {
  EXPECT_EQ(csv_field("=1+1"), "=1+1");
  EXPECT_EQ(csv_field("-5"), "-5");
  const CsvWriteOptions guarded{.guard_formulas = true};
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")", guarded), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("+86", guarded), "'+86");
  EXPECT_EQ(csv_field("-5", guarded), "'-5");
  EXPECT_EQ(csv_field("@SUM(A1)", guarded), "'@SUM(A1)");
  EXPECT_EQ(csv_field("张三=李四", guarded), "张三=李四");
}

TEST(Csv, WrittenDocumentReadsBackTheSame) {
  const std::vector<std::vector<std::string>> rows{{"姓名", "地址", "备注"},
                                                   {"张三", "3栋,2单元", "说\"谢谢\""},
                                                   {"李四", "", "第一行\r\n第二行"}};
  const std::string text = write_csv(rows);
  std::vector<std::vector<std::string>> back;
  for (auto& fields : fields_of(text)) back.push_back(fields);
  EXPECT_EQ(back, rows);
}

}  // namespace
}  // namespace cg
