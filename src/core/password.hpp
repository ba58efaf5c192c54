// Staff passwords: a quality check for new passwords and argon2id hashing.
//
// Staff accounts can reveal residents' personal data, so passwords must
// resist guessing: length, character variety, not the username, not one of
// the passwords everyone tries first. Hashes are libsodium's argon2id strings
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), which carry their own cost
// parameters, so raising the cost later only needs needs_rehash() at login.
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace cg {

// Problems with a new password, empty when it is acceptable. Length counts
// characters (code points); any character that is not an ASCII letter or
// digit counts as a symbol. The username is compared case-insensitively.
std::vector<FieldError> password_problems(std::string_view password, std::string_view username,
                                          std::string_view field = "password");

// The same as a validation error, for services.
Status check_password_quality(std::string_view password, std::string_view username,
                              std::string_view field = "password");

struct PasswordHashCost {
  unsigned long long opslimit;
  std::size_t memlimit;
  // libsodium's INTERACTIVE limits (64 MiB, about 0.1 s): the production cost.
  static PasswordHashCost interactive();
  // The smallest allowed cost, for tests only.
  static PasswordHashCost minimal();
};

// An argon2id hash string with a random salt. Fails only when memory for the
// hash cannot be allocated.
Result<std::string> hash_password(std::string_view password,
                                  PasswordHashCost cost = PasswordHashCost::interactive());

// Constant-time verification; false for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

// True when `hash` was made with another cost or algorithm (or is malformed):
// after a successful login the caller stores a fresh hash.
bool needs_rehash(std::string_view hash, PasswordHashCost cost = PasswordHashCost::interactive());

}  // namespace cg
