#include "core/image.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cg {
namespace {

std::string solid_png(int w, int h) {
  return encode_png_rgb(w, h, std::string(static_cast<std::size_t>(w * h * 3), '\x7f'));
}

// SOI, an APP0 segment, a baseline frame header of w x h, a scan, EOI.
std::string tiny_jpeg(int w, int h) {
  std::string j = "\xFF\xD8";
  j += std::string("\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 18);
  j += std::string("\xFF\xC0\x00\x11\x08", 5);
  j.push_back(static_cast<char>(h >> 8));
  j.push_back(static_cast<char>(h & 0xFF));
  j.push_back(static_cast<char>(w >> 8));
  j.push_back(static_cast<char>(w & 0xFF));
  j += std::string("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);
  j += std::string("\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x12\x34", 12);
  j += "\xFF\xD9";
  return j;
}

std::string riff(std::string chunk_and_payload) {
  std::string body = "WEBP" + chunk_and_payload;
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string out = "RIFF";
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  return out + body;
}

TEST(Image, ThePngWriterMakesFilesTheSnifferReads) {
  const std::string png = solid_png(320, 240);
  auto info = sniff_image(png);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->mime, "image/png");
  EXPECT_EQ(info->extension, "png");
  EXPECT_EQ(info->width, 320);
  EXPECT_EQ(info->height, 240);
  // Larger than one stored deflate block (64 KiB).
  EXPECT_TRUE(sniff_image(solid_png(200, 200)));
}

TEST(Image, JpegDimensionsComeFromTheFrameHeader) {
  auto info = sniff_image(tiny_jpeg(4032, 3024));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->mime, "image/jpeg");
  EXPECT_EQ(info->width, 4032);
  EXPECT_EQ(info->height, 3024);
}

TEST(Image, WebpOfEachKindIsRead) {
  std::string lossy = "VP8 " + std::string("\x0a\x00\x00\x00", 4) +
                      std::string("\x00\x00\x00\x9D\x01\x2A\x40\x01\xF0\x00", 10);
  auto a = sniff_image(riff(lossy));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->mime, "image/webp");
  EXPECT_EQ(a->width, 320);
  EXPECT_EQ(a->height, 240);

  // VP8L: 14 bits width-1 then 14 bits height-1 after the 0x2F signature.
  const std::uint32_t bits = (99u) | (49u << 14);
  std::string lossless = "VP8L" + std::string("\x05\x00\x00\x00\x2F", 5);
  for (int i = 0; i < 4; ++i) lossless.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  lossless += std::string(6, '\0');
  auto b = sniff_image(riff(lossless));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->width, 100);
  EXPECT_EQ(b->height, 50);

  std::string extended = "VP8X" + std::string("\x0a\x00\x00\x00\x00\x00\x00\x00", 8) +
                         std::string("\xFF\x03\x00\xFF\x01\x00", 6);
  auto c = sniff_image(riff(extended));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->width, 1024);
  EXPECT_EQ(c->height, 512);
}

TEST(Image, AnythingElseIsRefused) {
  EXPECT_FALSE(sniff_image(""));
  EXPECT_FALSE(sniff_image("<html><script>alert(1)</script></html>"));
  EXPECT_FALSE(sniff_image("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
  EXPECT_FALSE(sniff_image("GIF89a\x01\x00\x01\x00"));
  EXPECT_FALSE(sniff_image(std::string("\xFF\xD8\xFF", 3)));
  // Truncated uploads: the end of a PNG, the end marker of a JPEG, the RIFF size.
  const std::string png = solid_png(16, 16);
  EXPECT_FALSE(sniff_image(png.substr(0, png.size() - 5)));
  const std::string jpeg = tiny_jpeg(16, 16);
  EXPECT_FALSE(sniff_image(jpeg.substr(0, jpeg.size() - 2)));
  std::string lossy = riff("VP8 " + std::string("\x0a\x00\x00\x00", 4) +
                           std::string("\x00\x00\x00\x9D\x01\x2A\x40\x01\xF0\x00", 10));
  EXPECT_FALSE(sniff_image(lossy.substr(0, lossy.size() - 1)));
  // Sides of zero or beyond the limit.
  EXPECT_FALSE(sniff_image(tiny_jpeg(0, 10)));
  EXPECT_FALSE(sniff_image(tiny_jpeg(kMaxImageSide + 1, 10)));
  // A JPEG whose scan starts before any frame header.
  std::string no_frame = "\xFF\xD8" + std::string("\xFF\xDA\x00\x02", 4) + "\xFF\xD9";
  EXPECT_FALSE(sniff_image(no_frame));
}

}  // namespace
}  // namespace cg
