#include "core/pii.hpp"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace cg {
namespace {

// KDF contexts are exactly crypto_kdf_CONTEXTBYTES (8) characters.
constexpr char kSecretboxContext[] = "secretbx";
constexpr char kBlindIndexContext[] = "blindidx";
static_assert(sizeof(kSecretboxContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(sizeof(kBlindIndexContext) - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(std::tuple_size_v<PiiKey> == crypto_secretbox_KEYBYTES);
static_assert(std::tuple_size_v<PiiKey> == crypto_kdf_KEYBYTES);

void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; the static only saves the calls.
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    return true;
  }();
  (void)ready;
}

PiiKey derive(const PiiKey& master, const char* context) {
  PiiKey sub{};
  crypto_kdf_derive_from_key(sub.data(), sub.size(), 1, context, master.data());
  return sub;
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string to_hex(const unsigned char* data, std::size_t len) {
  std::string hex(len * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, len);
  hex.pop_back();
  return hex;
}

std::string_view trim_space(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

Error key_error(std::string detail) {
  return errors::internal(std::move(detail));
}

Result<PiiKey> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(key_error(fmt::format("无法读取密钥文件 {}", path)));
  std::ostringstream text;
  text << in.rdbuf();
  auto key = PiiCipher::key_from_hex(text.str());
  if (!key) return fail(key_error(fmt::format("密钥文件 {} 格式不正确", path)));
  return key;
}

// Writes a complete key to a private temporary file and then link()s it into
// place: link fails if the path exists, so two processes starting at once
// agree on one key, and no reader ever sees a half-written file.
Result<PiiKey> create_key_file(const std::string& path) {
  std::string tmp = path + ".tmpXXXXXX";
  const int fd = ::mkstemp(tmp.data());  // mode 0600
  if (fd < 0)
    return fail(key_error(fmt::format("无法创建密钥文件 {}: {}", path, std::strerror(errno))));
  PiiKey key;
  randombytes_buf(key.data(), key.size());
  const std::string text = to_hex(key.data(), key.size()) + "\n";
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  const int link_errno = !written ? EIO : (::link(tmp.c_str(), path.c_str()) == 0 ? 0 : errno);
  ::unlink(tmp.c_str());
  if (link_errno == EEXIST) return read_key_file(path);
  if (link_errno != 0)
    return fail(key_error(fmt::format("无法写入密钥文件 {}: {}", path, std::strerror(link_errno))));
  return key;
}

}  // namespace

PiiCipher::PiiCipher(const PiiKey& master_key)
    : secretbox_key_((ensure_sodium(), derive(master_key, kSecretboxContext))),
      blind_index_key_(derive(master_key, kBlindIndexContext)) {}

PiiCipher::~PiiCipher() {
  sodium_memzero(secretbox_key_.data(), secretbox_key_.size());
  sodium_memzero(blind_index_key_.data(), blind_index_key_.size());
}

std::string PiiCipher::encrypt(std::string_view plaintext) const {
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, bytes_of(plaintext), plaintext.size(),
                        nonce, secretbox_key_.data());
  return out;
}

std::optional<std::string> PiiCipher::decrypt(std::string_view bytes) const {
  if (bytes.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* nonce = bytes_of(bytes);
  const auto* box = nonce + crypto_secretbox_NONCEBYTES;
  const std::size_t box_len = bytes.size() - crypto_secretbox_NONCEBYTES;
  std::string plain(box_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), box, box_len,
                                 nonce, secretbox_key_.data()) != 0)
    return std::nullopt;
  return plain;
}

std::string PiiCipher::blind_index(std::string_view kind, std::string_view normalized_value) const {
  // kind never contains NUL, so "kind\0value" cannot collide across kinds.
  crypto_generichash_state state;
  crypto_generichash_init(&state, blind_index_key_.data(), blind_index_key_.size(), 32);
  crypto_generichash_update(&state, bytes_of(kind), kind.size());
  const unsigned char separator = 0;
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, bytes_of(normalized_value), normalized_value.size());
  unsigned char hash[32];
  crypto_generichash_final(&state, hash, sizeof hash);
  return to_hex(hash, sizeof hash);
}

Result<PiiKey> PiiCipher::key_from_hex(std::string_view hex) {
  ensure_sodium();
  hex = trim_space(hex);
  PiiKey key{};
  std::size_t len = 0;
  const char* end = nullptr;
  if (hex.size() != key.size() * 2 ||
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != key.size() || end != hex.data() + hex.size())
    return fail(key_error("密钥格式不正确：应为64个十六进制字符"));
  return key;
}

Result<PiiKey> PiiCipher::load_or_create_key(const std::string& path) {
  ensure_sodium();
  if (::access(path.c_str(), F_OK) == 0) return read_key_file(path);
  return create_key_file(path);
}

std::string mask_id_number(std::string_view id_number) {
  if (id_number.size() <= 10) return std::string(id_number.size(), '*');
  return fmt::format("{}{}{}", id_number.substr(0, 6), std::string(id_number.size() - 10, '*'),
                     id_number.substr(id_number.size() - 4));
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() <= 7) return std::string(phone.size(), '*');
  return fmt::format("{}{}{}", phone.substr(0, 3), std::string(phone.size() - 7, '*'),
                     phone.substr(phone.size() - 4));
}

Result<std::string> normalize_mobile_phone(std::string_view raw, std::string_view field) {
  std::string digits;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == ' ' || c == '-' || c == '\t') continue;
    if (c == '+' && digits.empty()) {
      digits.push_back('+');
      continue;
    }
    if (c < '0' || c > '9')
      digits.push_back('?');  // fails the checks below
    else
      digits.push_back(c);
  }
  if (digits.starts_with("+86"))
    digits.erase(0, 3);
  else if (digits.size() == 13 && digits.starts_with("86"))
    digits.erase(0, 2);

  const bool ok = digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9' &&
                  digits.find_first_not_of("0123456789") == std::string::npos;
  if (!ok) return fail(errors::invalid_field(std::string(field), "format", "手机号格式不正确"));
  return digits;
}

}  // namespace cg
