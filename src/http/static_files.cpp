#include "http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace cg::http {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_safe_relative(std::string_view path) {
  if (path.find("..") != std::string_view::npos) return false;
  if (path.find('\\') != std::string_view::npos) return false;
  if (path.find('\0') != std::string_view::npos) return false;
  return true;
}

bool reserved_prefix(std::string_view path) {
  for (std::string_view p : {"/api/", "/open311/", "/metrics", "/healthz"}) {
    if (path.substr(0, p.size()) == p) return true;
  }
  return false;
}

constexpr const char* kNotBuiltPage =
    "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>社区网格治理平台</title>"
    "<body><h1>社区网格治理平台</h1><p>网页界面尚未构建。请在项目目录运行 <code>make run</code>，"
    "它会构建 web/ 并启动服务器。</p><p>API 位于 <a href=\"/api/v1/openapi.json\">/api/v1</a>。"
    "</p></body></html>";

}  // namespace

std::string content_type_for(std::string_view path) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type types[] = {{".html", "text/html; charset=utf-8"},
                                   {".js", "text/javascript; charset=utf-8"},
                                   {".mjs", "text/javascript; charset=utf-8"},
                                   {".css", "text/css; charset=utf-8"},
                                   {".json", "application/json"},
                                   {".svg", "image/svg+xml"},
                                   {".png", "image/png"},
                                   {".jpg", "image/jpeg"},
                                   {".jpeg", "image/jpeg"},
                                   {".webp", "image/webp"},
                                   {".ico", "image/x-icon"},
                                   {".woff2", "font/woff2"},
                                   {".woff", "font/woff"},
                                   {".ttf", "font/ttf"},
                                   {".txt", "text/plain; charset=utf-8"},
                                   {".map", "application/json"},
                                   {".webmanifest", "application/manifest+json"}};
  for (const Type& t : types) {
    if (ends_with(path, t.ext)) return std::string(t.type);
  }
  return "application/octet-stream";
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<Response> StaticFiles::file(const std::string& relative, bool immutable,
                                          bool gzip_ok) const {
  std::filesystem::path full = std::filesystem::path(root_) / relative;
  // scripts/build-web stores a .gz beside each compressible file, so a
  // browser that accepts gzip gets it without compressing per request.
  std::optional<std::string> body;
  bool gzipped = false;
  if (gzip_ok) {
    body = read_file(full.string() + ".gz");
    gzipped = body.has_value();
  }
  if (!body) body = read_file(full);
  if (!body) return std::nullopt;
  Response res;
  res.content_type = content_type_for(relative);
  res.body = std::move(*body);
  res.set_header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set_header("Vary", "Accept-Encoding");
  if (gzipped) res.set_header("Content-Encoding", "gzip");
  return res;
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  if (reserved_prefix(req.path)) return std::nullopt;
  std::string_view path = req.path;
  if (!is_safe_relative(path)) return std::nullopt;
  std::string relative(path.substr(1));
  bool gzip_ok = req.header("accept-encoding").find("gzip") != std::string_view::npos;
  if (!relative.empty() && relative != "index.html") {
    bool hashed = relative.rfind("assets/", 0) == 0;
    if (auto res = file(relative, hashed, gzip_ok)) return res;
    // A missing file with an extension is a real 404, not a client route.
    std::string_view last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos) return std::nullopt;
  }
  if (auto index = file("index.html", false, gzip_ok)) return index;
  Response res;
  res.content_type = "text/html; charset=utf-8";
  res.body = kNotBuiltPage;
  res.set_header("Cache-Control", "no-cache");
  return res;
}

}  // namespace cg::http
