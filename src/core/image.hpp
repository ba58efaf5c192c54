// What an uploaded file really is, judged by its bytes and never by its name
// or declared type: photos must be JPEG, PNG or WebP with sane dimensions,
// and anything else (an HTML page called photo.jpg, an SVG, a truncated
// upload) is refused before it reaches the disk.
//
// Also a minimal PNG writer (uncompressed deflate blocks), so the demo data
// and the tests can make real photos without an image library.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cg {

struct ImageInfo {
  std::string mime;       // image/jpeg | image/png | image/webp
  std::string extension;  // jpg | png | webp
  int width = 0;
  int height = 0;
};

// The largest width or height accepted (a 200-megapixel phone photo is
// 16320 px wide).
inline constexpr int kMaxImageSide = 20000;

// The image type and dimensions when `bytes` is a complete JPEG, PNG or WebP
// whose header parses and whose sides are 1..kMaxImageSide; otherwise nullopt.
std::optional<ImageInfo> sniff_image(std::string_view bytes);

// A valid PNG of `width` x `height` RGB pixels (rows top to bottom, 3 bytes a
// pixel, `rgb.size() == width * height * 3`).
std::string encode_png_rgb(int width, int height, std::string_view rgb);

}  // namespace cg
