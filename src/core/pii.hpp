// Protection of personal information (PIPL): encryption at rest, blind
// indexes for lookup, masking for display, and phone number normalisation.
//
// ID numbers and phones are stored encrypted (random nonce, XSalsa20-Poly1305)
// so a leaked database file reveals nothing; equality search goes through a
// keyed hash (blind index) of the normalised value, which without the key
// cannot be reversed by enumerating the small space of phone numbers.
//
// Thread-safety: PiiCipher is immutable after construction; one instance may
// be shared by all threads. The free functions are pure.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace cg {

using PiiKey = std::array<unsigned char, 32>;

class PiiCipher {
 public:
  // Both subkeys (encryption, blind index) are derived from `master_key`, so
  // one secret is all an operator has to keep.
  explicit PiiCipher(const PiiKey& master_key);
  PiiCipher(const PiiCipher&) = default;
  PiiCipher& operator=(const PiiCipher&) = default;
  ~PiiCipher();  // wipes the subkeys

  // nonce || ciphertext+MAC; a fresh random nonce each call, so equal
  // plaintexts give different bytes.
  std::string encrypt(std::string_view plaintext) const;

  // nullopt when the bytes were truncated, altered or made with another key.
  std::optional<std::string> decrypt(std::string_view bytes) const;

  // 64 lower-case hex characters, stable for (kind, value). `kind` ("id",
  // "phone") is mixed in, so the same digits as an ID and as a phone differ.
  std::string blind_index(std::string_view kind, std::string_view normalized_value) const;

  // Reads a hex key from `path`, or creates the file (mode 0600, 32 random
  // bytes in hex) when it does not exist. Malformed content is an error and is
  // never overwritten: replacing a key would make all stored data unreadable.
  static Result<PiiKey> load_or_create_key(const std::string& path);

  // 64 hex characters (surrounding whitespace ignored) to a key.
  static Result<PiiKey> key_from_hex(std::string_view hex);

 private:
  PiiKey secretbox_key_;
  PiiKey blind_index_key_;
};

// "320602199001011234" -> "320602********1234": region and last four stay,
// enough for a worker to tell two residents apart without the birth date.
std::string mask_id_number(std::string_view id_number);

// "13812345678" -> "138****5678".
std::string mask_phone(std::string_view phone);

// Mainland mobile numbers: 11 digits starting with 1[3-9]; "+86"/"86" prefix,
// spaces and dashes accepted. Returns the bare 11 digits.
Result<std::string> normalize_mobile_phone(std::string_view raw, std::string_view field = "phone");

}  // namespace cg
