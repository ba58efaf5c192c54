// The web UI as the server hands it out: types, caching, gzip, client routes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "http/static_files.hpp"

namespace cg::http {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("cg-static-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "assets");
    write("index.html", "<!doctype html><title>社区网格</title>");
    write("assets/app-1a2b.js", "console.log(1)");
    write("assets/app-1a2b.js.gz", "GZIPPED");
    write("favicon.svg", "<svg/>");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& name, const std::string& content) {
    std::ofstream(root_ / name, std::ios::binary) << content;
  }
  std::optional<Response> get(const std::string& path, const std::string& accept = "") {
    Request req;
    req.method = "GET";
    req.path = path;
    if (!accept.empty()) req.headers.emplace_back("accept-encoding", accept);
    return StaticFiles(root_.string()).serve(req);
  }
  static std::string header(const Response& res, const std::string& name) {
    for (const auto& [n, v] : res.headers) {
      if (n == name) return v;
    }
    return "";
  }
  std::filesystem::path root_;
};

TEST_F(StaticFilesTest, HashedAssetsAreCachedForAYearAndIndexNever) {
  auto asset = get("/assets/app-1a2b.js");
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(*asset, "Cache-Control"), "public, max-age=31536000, immutable");
  auto index = get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header(*index, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndexButMissingFilesDoNot) {
  auto route = get("/console/residents/42");
  ASSERT_TRUE(route);
  EXPECT_NE(route->body.find("社区网格"), std::string::npos);
  EXPECT_FALSE(get("/assets/missing-123.js"));
  EXPECT_FALSE(get("/api/v1/anything"));
}

TEST_F(StaticFilesTest, GzipIsServedOnlyToBrowsersThatAcceptIt) {
  auto plain = get("/assets/app-1a2b.js");
  EXPECT_EQ(plain->body, "console.log(1)");
  EXPECT_EQ(header(*plain, "Content-Encoding"), "");
  auto gz = get("/assets/app-1a2b.js", "gzip, deflate, br");
  EXPECT_EQ(gz->body, "GZIPPED");
  EXPECT_EQ(header(*gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header(*gz, "Vary"), "Accept-Encoding");
}

TEST_F(StaticFilesTest, PathTraversalIsRefused) {
  EXPECT_FALSE(get("/../../etc/passwd"));
  EXPECT_FALSE(get("/assets/..%2f..%2fsecret"));
  EXPECT_EQ(get("/favicon.svg")->content_type, "image/svg+xml");
}

}  // namespace
}  // namespace cg::http
