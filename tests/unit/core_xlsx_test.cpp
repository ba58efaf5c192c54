#include "core/xlsx.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace cg {
namespace {

XlsxTable residents() {
  return {"居民名单",
          {"姓名", "手机号", "年龄", "地址"},
          {{std::string("张三"), std::string("138****5678"), 68.0, std::string("3栋2单元301")},
           {std::string("李四"), std::string(""), 35.0, std::string("5栋")}}};
}

// Runs `unzip` on the bytes and returns what it prints, or nullopt when unzip is missing.
std::optional<std::string> unzip(const std::string& bytes, const std::string& args) {
  if (std::system("command -v unzip >/dev/null 2>&1") != 0) return std::nullopt;
  const auto file = std::filesystem::temp_directory_path() /
                    ("cg-xlsx-test-" + std::to_string(::getpid()) + ".xlsx");
  std::ofstream(file, std::ios::binary) << bytes;
  const std::string command = "unzip " + args + " " + file.string() + " 2>&1";
  std::string output;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    ::pclose(pipe);
  }
  std::filesystem::remove(file);
  return output;
}

TEST(Xlsx, ProducesAZipWorkbookWithTheSheet) {
  auto bytes = write_xlsx(residents());
  ASSERT_TRUE(bytes.has_value()) << bytes.error().detail;
  ASSERT_GT(bytes->size(), 100u);
  EXPECT_EQ(bytes->substr(0, 2), "PK");

  auto listing = unzip(*bytes, "-l");
  if (!listing) GTEST_SKIP() << "unzip not installed";
  EXPECT_NE(listing->find("xl/worksheets/sheet1.xml"), std::string::npos) << *listing;
  EXPECT_NE(listing->find("xl/workbook.xml"), std::string::npos);
}

TEST(Xlsx, SheetHoldsTextNumbersFrozenHeaderAndWidths) {
  auto bytes = write_xlsx(residents());
  ASSERT_TRUE(bytes.has_value());
  auto sheet_xml = unzip(*bytes, "-p");  // all members, concatenated
  if (!sheet_xml) GTEST_SKIP() << "unzip not installed";
  EXPECT_NE(sheet_xml->find("张三"), std::string::npos);
  EXPECT_NE(sheet_xml->find("<v>68</v>"), std::string::npos);
  EXPECT_NE(sheet_xml->find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(sheet_xml->find("<cols>"), std::string::npos);
  EXPECT_NE(sheet_xml->find("居民名单"), std::string::npos);  // the sheet name, in workbook.xml
  EXPECT_NE(sheet_xml->find("<b/>"), std::string::npos);      // the bold header format
}

TEST(Xlsx, SeveralSheetsAndAwkwardNames) {
  const std::vector<XlsxTable> tables{
      {"网格[一]/二:三?", {"a"}, {{1.0}}},
      {"", {"b"}, {{std::string("x")}}},
      {"一个非常非常非常非常非常非常非常非常非常非常非常非常非常长的名字", {"c"}, {}}};
  auto bytes = write_xlsx(tables);
  ASSERT_TRUE(bytes.has_value()) << bytes.error().detail;
  auto listing = unzip(*bytes, "-l");
  if (!listing) GTEST_SKIP() << "unzip not installed";
  EXPECT_NE(listing->find("xl/worksheets/sheet3.xml"), std::string::npos);
  auto contents = unzip(*bytes, "-p").value();
  EXPECT_NE(contents.find("网格_一__二_三_"), std::string::npos);
  EXPECT_NE(contents.find("Sheet2"), std::string::npos);
}

TEST(Xlsx, DuplicateSheetNamesAreAnError) {
  const std::vector<XlsxTable> tables{{"居民", {"a"}, {}}, {"居民", {"b"}, {}}};
  EXPECT_FALSE(write_xlsx(tables).has_value());
}

TEST(Xlsx, InvalidUtf8IsAnError) {
  XlsxTable table = residents();
  table.rows[0][0] = std::string("\xD5\xC5\xC8\xFD");  // GBK bytes that slipped through
  auto bytes = write_xlsx(table);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().type, "export-failed");
}

TEST(Xlsx, OverlongCellIsAnErrorNamingTheCell) {
  XlsxTable table = residents();
  table.rows[1][3] = std::string(40000, 'a');
  auto bytes = write_xlsx(table);
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().status, 422);
  EXPECT_NE(bytes.error().detail.find("第3行第4列"), std::string::npos) << bytes.error().detail;
}

TEST(Xlsx, NonFiniteNumbersAreLeftBlank) {
  XlsxTable table = residents();
  table.rows[0][2] = std::nan("");
  EXPECT_TRUE(write_xlsx(table).has_value());
}

TEST(Xlsx, NoTablesIsAnError) {
  EXPECT_FALSE(write_xlsx(std::span<const XlsxTable>{}).has_value());
}

TEST(Xlsx, LargeExportWorks) {
  XlsxTable table{"big", {"编号", "姓名"}, {}};
  for (int i = 0; i < 20000; ++i)
    table.rows.push_back({double(i), std::string("居民") + std::to_string(i)});
  auto bytes = write_xlsx(table);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(bytes->substr(0, 2), "PK");
}

}  // namespace
}  // namespace cg
