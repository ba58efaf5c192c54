#include "modules/files/service.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/image.hpp"
#include "db/db.hpp"
#include "modules/files/store.hpp"

namespace cg::files {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3'600'000;

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

std::string_view extension_of(const std::string& mime) {
  if (mime == "image/jpeg") return "jpg";
  if (mime == "image/png") return "png";
  return "webp";
}

void sync_path(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  ::fsync(fd);
  ::close(fd);
}

bool is_system(const auth::Actor& actor) {
  return actor.who.user_id == 0;
}

}  // namespace

bool is_file_id(std::string_view id) {
  if (id.size() != 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

FileStore::FileStore(db::Database& db, std::filesystem::path dir, Limits limits)
    : db_(db), dir_(std::move(dir)), limits_(limits) {}

std::filesystem::path FileStore::path_of(const std::string& id, const std::string& mime) const {
  return dir_ / id.substr(0, 2) / fmt::format("{}.{}", id, extension_of(mime));
}

// Temporary name, flush, rename, flush the directory: after a crash the file
// is either whole under its final name or absent.
void FileStore::write_once(const std::filesystem::path& path, std::string_view bytes) const {
  if (std::filesystem::exists(path)) return;
  std::filesystem::create_directories(path.parent_path());
  const auto tmp = path.string() + fmt::format(".{}.tmp", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  sync_path(tmp, O_RDONLY);
  std::filesystem::rename(tmp, path);
  sync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
}

Result<StoredFile> FileStore::put_photo(const auth::Actor& actor, std::string_view bytes) const {
  if (bytes.size() > limits_.max_bytes) {
    return fail(
        errors::too_large(fmt::format("照片不能超过 {} MB", limits_.max_bytes / (1024 * 1024))));
  }
  auto image = sniff_image(bytes);
  if (!image) {
    return fail(errors::unsupported_media_type(
        "只能上传完整的 JPEG、PNG 或 WebP 照片（按文件内容判断，与文件名无关）"));
  }
  const std::int64_t now = now_ms();
  const std::optional<std::int64_t> uploader =
      is_system(actor) ? std::nullopt : std::optional(actor.who.user_id);
  if (uploader && db_.read([&](db::Conn& c) {
        return store::uploads_since(c, *uploader, now - kDayMs);
      }) >= limits_.uploads_per_day) {
    return fail(errors::rate_limited(
        fmt::format("今天上传的照片已达 {} 张，请明天再试", limits_.uploads_per_day)));
  }
  StoredFile file{sha256_hex(bytes), image->mime,   static_cast<std::int64_t>(bytes.size()),
                  image->width,      image->height, now};
  write_once(path_of(file.id, file.mime), bytes);
  db_.write([&](db::Conn& c) { store::record_upload(c, file, uploader); });
  // A file stored before keeps its first upload time.
  return db_.read([&](db::Conn& c) { return *store::find(c, file.id); });
}

std::optional<StoredFile> FileStore::uploaded_by(db::Conn& conn, const auth::Actor& actor,
                                                 const std::string& id) const {
  if (!is_file_id(id)) return std::nullopt;
  if (is_system(actor)) return store::find(conn, id);
  return store::find_uploaded_by(conn, id, actor.who.user_id);
}

std::optional<StoredFile> FileStore::find(db::Conn& conn, const std::string& id) const {
  if (!is_file_id(id)) return std::nullopt;
  return store::find(conn, id);
}

std::optional<std::string> FileStore::read(const StoredFile& file) const {
  std::ifstream in(path_of(file.id, file.mime), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

}  // namespace cg::files
