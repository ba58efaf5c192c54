#include "core/image.hpp"

#include <array>
#include <cstring>

namespace cg {

namespace {

std::uint8_t byte_at(std::string_view b, std::size_t i) {
  return static_cast<std::uint8_t>(b[i]);
}
std::uint32_t be16(std::string_view b, std::size_t i) {
  return (std::uint32_t{byte_at(b, i)} << 8) | byte_at(b, i + 1);
}
std::uint32_t be32(std::string_view b, std::size_t i) {
  return (be16(b, i) << 16) | be16(b, i + 2);
}
std::uint32_t le16(std::string_view b, std::size_t i) {
  return std::uint32_t{byte_at(b, i)} | (std::uint32_t{byte_at(b, i + 1)} << 8);
}
std::uint32_t le24(std::string_view b, std::size_t i) {
  return le16(b, i) | (std::uint32_t{byte_at(b, i + 2)} << 16);
}
std::uint32_t le32(std::string_view b, std::size_t i) {
  return le16(b, i) | (le16(b, i + 2) << 16);
}

std::optional<ImageInfo> sized(const char* mime, const char* ext, std::uint32_t w,
                               std::uint32_t h) {
  if (w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide) return std::nullopt;
  return ImageInfo{mime, ext, static_cast<int>(w), static_cast<int>(h)};
}

// Walks the marker segments up to the first start-of-frame, which holds the
// dimensions; a file that ends before its end-of-image marker is truncated.
std::optional<ImageInfo> sniff_jpeg(std::string_view b) {
  std::size_t i = 2;
  while (i + 4 <= b.size()) {
    if (byte_at(b, i) != 0xFF) return std::nullopt;
    const std::uint8_t marker = byte_at(b, i + 1);
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length
      i += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // no frame header
    const std::uint32_t length = be16(b, i + 2);
    if (length < 2) return std::nullopt;
    const bool frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (i + 9 > b.size()) return std::nullopt;
      if (b.rfind("\xFF\xD9") == std::string_view::npos || b.rfind("\xFF\xD9") < i)
        return std::nullopt;
      return sized("image/jpeg", "jpg", be16(b, i + 7), be16(b, i + 5));
    }
    i += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageInfo> sniff_png(std::string_view b) {
  static constexpr std::string_view kIend("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
  if (b.size() < 8 + 25 + 12) return std::nullopt;
  if (be32(b, 8) != 13 || b.substr(12, 4) != "IHDR") return std::nullopt;
  if (b.substr(b.size() - 12) != kIend) return std::nullopt;  // truncated
  return sized("image/png", "png", be32(b, 16), be32(b, 20));
}

std::optional<ImageInfo> sniff_webp(std::string_view b) {
  if (b.size() < 30 || b.substr(8, 4) != "WEBP") return std::nullopt;
  if (std::size_t{le32(b, 4)} + 8 > b.size()) return std::nullopt;  // truncated
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    if (b.substr(23, 3) != "\x9D\x01\x2A") return std::nullopt;
    return sized("image/webp", "webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
  }
  if (chunk == "VP8L") {
    if (byte_at(b, 20) != 0x2F) return std::nullopt;
    const std::uint32_t bits = le32(b, 21);
    return sized("image/webp", "webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (chunk == "VP8X") return sized("image/webp", "webp", le24(b, 24) + 1, le24(b, 27) + 1);
  return std::nullopt;
}

// ---- PNG writing ----

std::uint32_t crc32(std::string_view data) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (char ch : data) c = table[(c ^ static_cast<std::uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::uint32_t adler32(std::string_view data) {
  std::uint32_t a = 1, b = 0;
  for (char ch : data) {
    a = (a + static_cast<std::uint8_t>(ch)) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

void put_chunk(std::string& out, std::string_view type, std::string_view data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string typed(type);
  typed.append(data);
  out += typed;
  put_be32(out, crc32(typed));
}

// A zlib stream of stored (uncompressed) deflate blocks.
std::string zlib_stored(std::string_view raw) {
  std::string out = "\x78\x01";
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(65535, raw.size() - at);
    const bool last = at + n == raw.size();
    out.push_back(last ? 1 : 0);
    out.push_back(static_cast<char>(n & 0xFF));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(~n & 0xFF));
    out.push_back(static_cast<char>((~n >> 8) & 0xFF));
    out.append(raw.substr(at, n));
    at += n;
  } while (at < raw.size());
  put_be32(out, adler32(raw));
  return out;
}

}  // namespace

std::optional<ImageInfo> sniff_image(std::string_view b) {
  if (b.size() >= 4 && b.substr(0, 3) == "\xFF\xD8\xFF") return sniff_jpeg(b);
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n") return sniff_png(b);
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF") return sniff_webp(b);
  return std::nullopt;
}

std::string encode_png_rgb(int width, int height, std::string_view rgb) {
  std::string header;
  put_be32(header, static_cast<std::uint32_t>(width));
  put_be32(header, static_cast<std::uint32_t>(height));
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  std::string raw;
  const std::size_t row = static_cast<std::size_t>(width) * 3;
  raw.reserve((row + 1) * static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    raw.push_back('\0');  // filter: none
    raw.append(rgb.substr(static_cast<std::size_t>(y) * row, row));
  }
  std::string out("\x89PNG\r\n\x1A\n", 8);
  put_chunk(out, "IHDR", header);
  put_chunk(out, "IDAT", zlib_stored(raw));
  put_chunk(out, "IEND", "");
  return out;
}

}  // namespace cg
