#include "core/idcard.hpp"

#include <gtest/gtest.h>

namespace cg {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

const year_month_day kToday{year{2024}, month{6}, day{15}};

// Builds a valid number from 17 digits, as the demo generator does.
std::string with_check_digit(const std::string& first17) {
  return first17 + *id_check_digit(first17);
}

std::string error_code(const Result<IdCardInfo>& r) {
  return r ? "" : r.error().errors.at(0).code;
}

TEST(IdCard, CheckDigitFollowsGb11643) {
  // The sample number printed in GB 11643-1999 itself.
  EXPECT_EQ(id_check_digit("11010519491231002"), 'X');
  EXPECT_EQ(id_check_digit("44052418800101001"), '4');
  EXPECT_EQ(id_check_digit("1101051949123100"), std::nullopt);
  EXPECT_EQ(id_check_digit("1101051949123100A"), std::nullopt);
}

TEST(IdCard, ValidNumberYieldsBirthDateGenderAndRegion) {
  auto info = validate_id_number("11010519491231002X", kToday);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->normalized, "11010519491231002X");
  EXPECT_EQ(info->birth_date, "1949-12-31");
  EXPECT_EQ(info->gender, "female");  // 17th digit 2 is even
  EXPECT_EQ(info->region_code, "110105");

  auto male = validate_id_number(with_check_digit("32060219900101123"), kToday);
  ASSERT_TRUE(male.has_value());
  EXPECT_EQ(male->gender, "male");
  EXPECT_EQ(male->birth_date, "1990-01-01");
}

TEST(IdCard, LowerCaseXAndSurroundingSpacesAreNormalized) {
  auto info = validate_id_number("  11010519491231002x ", kToday);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->normalized, "11010519491231002X");
}

TEST(IdCard, WrongChecksumIsRejected) {
  auto r = validate_id_number("110105194912310021", kToday);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().errors.at(0).field, "id_number");
  EXPECT_EQ(r.error().errors.at(0).code, "checksum");
  EXPECT_EQ(r.error().errors.at(0).message, "身份证号校验位错误");
}

TEST(IdCard, SwappedDigitsAreCaught) {
  const std::string valid = with_check_digit("32060219900101123");
  std::string swapped = valid;
  std::swap(swapped[14], swapped[15]);
  ASSERT_NE(swapped, valid);
  EXPECT_EQ(error_code(validate_id_number(swapped, kToday)), "checksum");
}

TEST(IdCard, WrongLengthIsRejected) {
  auto r = validate_id_number("11010519491231002", kToday);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().errors.at(0).message, "身份证号应为18位");
  EXPECT_EQ(error_code(validate_id_number("", kToday)), "length");
  EXPECT_EQ(error_code(validate_id_number("1101051949123100211", kToday)), "length");
}

TEST(IdCard, LettersAreRejected) {
  EXPECT_EQ(error_code(validate_id_number("1101051949A231002X", kToday)), "format");
  EXPECT_EQ(error_code(validate_id_number("11010519491231002Y", kToday)), "format");
  // 15-digit numbers of the old card padded with letters are not accepted either.
  EXPECT_EQ(error_code(validate_id_number("110105491231002ABC", kToday)), "format");
}

TEST(IdCard, ImpossibleBirthDatesAreRejected) {
  auto feb30 = validate_id_number(with_check_digit("11010519900230002"), kToday);
  ASSERT_FALSE(feb30.has_value());
  EXPECT_EQ(feb30.error().errors.at(0).message, "身份证号中的出生日期无效");
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("11010519901301002"), kToday)),
            "birth_date");  // month 13
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("11010518991231002"), kToday)),
            "birth_date");  // before 1900
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("11010520010229002"), kToday)),
            "birth_date");  // 2001 was no leap year
  EXPECT_TRUE(validate_id_number(with_check_digit("11010520000229002"), kToday).has_value());
}

TEST(IdCard, FutureBirthDateIsRejected) {
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("11010520240616002"), kToday)),
            "birth_date");
  EXPECT_TRUE(validate_id_number(with_check_digit("11010520240615002"), kToday).has_value());
  // Without an explicit date, today in China is used.
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("11010530000101002"))), "birth_date");
}

TEST(IdCard, UnknownProvinceIsRejected) {
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("99010519900101002"), kToday)),
            "region");
  EXPECT_EQ(error_code(validate_id_number(with_check_digit("00010519900101002"), kToday)),
            "region");
}

TEST(IdCard, FieldNameIsConfigurable) {
  auto r = validate_id_number("123", kToday, "guardian_id_number");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().errors.at(0).field, "guardian_id_number");
}

}  // namespace
}  // namespace cg
