#include "core/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "core/text.hpp"

namespace cg {
namespace {

constexpr std::size_t kMinLength = 10;
constexpr std::size_t kMinUsernameToCheck = 3;  // "li" inside a password is no weakness

// Passwords of 10+ characters that still top leaked lists (incl. Chinese ones),
// lower case; shorter ones already fail the length rule.
constexpr std::array<std::string_view, 32> kCommonPasswords = {
    "1234567890",   "12345678910",  "0123456789",   "123456789a",  "a123456789",  "qwerty123456",
    "qwertyuiop",   "1qaz2wsx3edc", "1qaz@wsx3edc", "1q2w3e4r5t",  "password123", "password@123",
    "password123!", "p@ssw0rd123",  "p@ssw0rd!@#",  "passw0rd123", "admin123456", "admin@12345",
    "admin@123456", "abc@123456",   "abcd@123456",  "aa123456789", "aa12345678",  "woaini1314",
    "woaini520",    "5201314520",   "zxcvbnm123",   "iloveyou123", "welcome123",  "qwe123456789",
    "asdfghjkl123", "q1w2e3r4t5y6"};

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; the static only saves the calls.
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    return true;
  }();
  (void)ready;
}

int character_classes(std::string_view password) {
  bool lower = false, upper = false, digit = false, symbol = false;
  for (char c : password) {
    if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else
      symbol = true;
  }
  return lower + upper + digit + symbol;
}

bool is_common(std::string_view password) {
  const std::string lowered = to_lower_ascii(password);
  return std::ranges::find(kCommonPasswords, lowered) != kCommonPasswords.end();
}

bool contains_username(std::string_view password, std::string_view username) {
  const std::string name = to_lower_ascii(trim(username));
  if (utf8_length(name) < kMinUsernameToCheck) return false;
  return to_lower_ascii(password).find(name) != std::string::npos;
}

}  // namespace

std::vector<FieldError> password_problems(std::string_view password, std::string_view username,
                                          std::string_view field) {
  std::vector<FieldError> problems;
  auto add = [&](const char* code, const char* message) {
    problems.push_back({std::string(field), code, message});
  };
  if (utf8_length(password) < kMinLength) add("too_short", "密码至少需要10个字符");
  if (character_classes(password) < 3)
    add("too_simple", "密码需包含小写字母、大写字母、数字、符号中的至少3类");
  if (contains_username(password, username)) add("contains_username", "密码不能包含用户名");
  if (is_common(password)) add("common", "密码过于常见，请换一个");
  return problems;
}

Status check_password_quality(std::string_view password, std::string_view username,
                              std::string_view field) {
  auto problems = password_problems(password, username, field);
  if (problems.empty()) return {};
  return fail(errors::validation(std::move(problems), "密码强度不足"));
}

PasswordHashCost PasswordHashCost::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::minimal() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> hash_password(std::string_view password, PasswordHashCost cost) {
  ensure_sodium();
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), cost.opslimit,
                                 cost.memlimit) != 0)
    return fail(errors::internal("计算密码哈希时内存不足"));
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  // libsodium wants a NUL-terminated string that fits its buffer.
  if (hash.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  const std::string stored(hash);
  return crypto_pwhash_argon2id_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view hash, PasswordHashCost cost) {
  ensure_sodium();
  if (hash.size() >= crypto_pwhash_argon2id_STRBYTES) return true;
  const std::string stored(hash);
  return crypto_pwhash_argon2id_str_needs_rehash(stored.c_str(), cost.opslimit, cost.memlimit) != 0;
}

}  // namespace cg
