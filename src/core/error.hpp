// Expected failures of CivicGrid: what a caller did wrong or may not do.
//
// Services return `Result<T>`; the HTTP layer renders an `Error` as an
// RFC 9457 problem document. Exceptions are kept for the fatal (a broken
// database connection, a bug), never for bad input.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace cg {

// One problem with one input field, e.g. {"id_number", "checksum", "身份证号校验位错误"}.
struct FieldError {
  std::string field;
  std::string code;     // stable, machine-readable
  std::string message;  // Chinese, for people
};

struct Error {
  int status = 500;
  std::string type;   // stable slug, rendered as "/problems/<type>"
  std::string title;  // short Chinese title of the type
  std::string detail;
  std::vector<FieldError> errors;
};

template <class T>
using Result = std::expected<T, Error>;

using Status = Result<void>;

inline std::unexpected<Error> fail(Error e) {
  return std::unexpected<Error>(std::move(e));
}

// Constructors for the errors every module uses, so types and titles stay stable.
namespace errors {
Error validation(std::vector<FieldError> fields, std::string detail = "请求参数不正确");
Error invalid_field(std::string field, std::string code, std::string message);
Error malformed_json(std::string detail);
Error unauthenticated(std::string detail = "请先登录");
Error forbidden(std::string detail = "没有执行此操作的权限");
// Used for records that do not exist *and* for records outside the caller's
// scope, so a response never tells whether a record exists elsewhere.
Error not_found(std::string detail = "记录不存在或无权访问");
Error conflict(std::string type, std::string title, std::string detail);
Error too_large(std::string detail);
Error unsupported_media_type(std::string detail);
Error rate_limited(std::string detail);
Error internal(std::string detail = "服务器内部错误");
}  // namespace errors

}  // namespace cg
