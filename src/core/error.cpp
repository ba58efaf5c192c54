#include "core/error.hpp"

namespace cg::errors {

Error validation(std::vector<FieldError> fields, std::string detail) {
  return {400, "validation", "请求参数校验失败", std::move(detail), std::move(fields)};
}

Error invalid_field(std::string field, std::string code, std::string message) {
  std::string detail = message;
  return validation({{std::move(field), std::move(code), std::move(message)}}, std::move(detail));
}

Error malformed_json(std::string detail) {
  return {400, "malformed-json", "请求体不是有效的 JSON", std::move(detail), {}};
}

Error unauthenticated(std::string detail) {
  return {401, "unauthenticated", "未登录或登录已过期", std::move(detail), {}};
}

Error forbidden(std::string detail) {
  return {403, "forbidden", "无权操作", std::move(detail), {}};
}

Error not_found(std::string detail) {
  return {404, "not-found", "记录不存在", std::move(detail), {}};
}

Error conflict(std::string type, std::string title, std::string detail) {
  return {409, std::move(type), std::move(title), std::move(detail), {}};
}

Error too_large(std::string detail) {
  return {413, "too-large", "请求内容过大", std::move(detail), {}};
}

Error unsupported_media_type(std::string detail) {
  return {415, "unsupported-media-type", "不支持的内容类型", std::move(detail), {}};
}

Error rate_limited(std::string detail) {
  return {429, "rate-limited", "操作过于频繁", std::move(detail), {}};
}

Error internal(std::string detail) {
  return {500, "internal", "服务器内部错误", std::move(detail), {}};
}

}  // namespace cg::errors
