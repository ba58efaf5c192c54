#include "core/idcard.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace cg {
namespace {

constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kCheckChars = "10X98765432";

// Province-level codes of GB/T 2260 (incl. Taiwan 71, Hong Kong 81, Macao 82,
// which appear on residence permits issued in the mainland).
constexpr std::array<int, 34> kProvinces = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                            35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                            53, 54, 61, 62, 63, 64, 65, 71, 81, 82};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  return std::ranges::all_of(s, is_digit);
}

int number_at(std::string_view s, std::size_t pos, std::size_t len) {
  int n = 0;
  for (char c : s.substr(pos, len)) n = n * 10 + (c - '0');
  return n;
}

std::string_view trim_ascii(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::unexpected<Error> field_error(std::string_view field, const char* code, const char* message) {
  return fail(errors::invalid_field(std::string(field), code, message));
}

std::chrono::year_month_day today_in_china() {
  using namespace std::chrono;
  return year_month_day{floor<days>(system_clock::now() + hours(8))};
}

}  // namespace

std::optional<char> id_check_digit(std::string_view first17) {
  if (first17.size() != 17 || !all_digits(first17)) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[sum % 11];
}

Result<IdCardInfo> validate_id_number(std::string_view raw, std::chrono::year_month_day today,
                                      std::string_view field) {
  std::string id(trim_ascii(raw));
  if (id.size() != 18) return field_error(field, "length", "身份证号应为18位");
  if (id[17] == 'x') id[17] = 'X';
  if (!all_digits(std::string_view(id).substr(0, 17)) || !(is_digit(id[17]) || id[17] == 'X'))
    return field_error(field, "format", "身份证号只能包含数字，最后一位可以是X");

  if (!std::ranges::binary_search(kProvinces, number_at(id, 0, 2)))
    return field_error(field, "region", "身份证号中的地区代码无效");

  using namespace std::chrono;
  const year_month_day birth{year{number_at(id, 6, 4)},
                             month{static_cast<unsigned>(number_at(id, 10, 2))},
                             day{static_cast<unsigned>(number_at(id, 12, 2))}};
  if (!birth.ok() || birth.year() < year{1900} || birth > today)
    return field_error(field, "birth_date", "身份证号中的出生日期无效");

  // Checked last so that a clearly malformed number gets the more helpful message.
  if (id_check_digit(std::string_view(id).substr(0, 17)) != id[17])
    return field_error(field, "checksum", "身份证号校验位错误");

  IdCardInfo info;
  info.birth_date = fmt::format("{}-{}-{}", id.substr(6, 4), id.substr(10, 2), id.substr(12, 2));
  info.gender = (id[16] - '0') % 2 == 1 ? "male" : "female";
  info.region_code = id.substr(0, 6);
  info.normalized = std::move(id);
  return info;
}

Result<IdCardInfo> validate_id_number(std::string_view raw, std::string_view field) {
  return validate_id_number(raw, today_in_china(), field);
}

}  // namespace cg
