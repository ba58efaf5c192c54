// Validation of mainland China citizen ID numbers (GB 11643-1999, 18 digits).
//
// Residents are registered by ID number, so a typo must be caught at entry:
// the check digit catches almost every single-digit error and transposition.
// All functions are pure and thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace cg {

struct IdCardInfo {
  std::string normalized;   // 18 characters, check digit 'X' in upper case
  std::string birth_date;   // "YYYY-MM-DD"
  std::string gender;       // "male" or "female" (parity of the 17th digit)
  std::string region_code;  // first 6 digits, GB/T 2260 administrative division
};

// The check digit ('0'-'9' or 'X') for the first 17 digits, or nullopt when
// `first17` is not exactly 17 ASCII digits.
std::optional<char> id_check_digit(std::string_view first17);

// Validates `raw` (surrounding whitespace ignored, 'x' accepted). Errors name
// `field` and carry a Chinese message; the birth date must not be after
// `today`, which tests pass explicitly.
Result<IdCardInfo> validate_id_number(std::string_view raw, std::chrono::year_month_day today,
                                      std::string_view field = "id_number");

// Same, with today's date in China (UTC+8).
Result<IdCardInfo> validate_id_number(std::string_view raw, std::string_view field = "id_number");

}  // namespace cg
