// JSON in and out of handlers: typed reading of request fields with one
// FieldError per bad field, JSON responses, and RFC 9457 problem documents.
//
// Boost.JSON is fine in any api.cpp; Boost.Beast is not (it stays in server.cpp).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/json_writer.hpp"
#include "http/message.hpp"

namespace cg::http {

namespace json = boost::json;

Response json_response(int status, const json::value& body);
inline Response ok(const json::value& body) {
  return json_response(200, body);
}
inline Response created(const json::value& body) {
  return json_response(201, body);
}
// A body already written with JsonWriter (hot responses: no value tree).
Response json_response(int status, JsonWriter&& body);
inline Response ok(JsonWriter&& body) {
  return json_response(200, std::move(body));
}
inline Response created(JsonWriter&& body) {
  return json_response(201, std::move(body));
}
Response no_content();
Response problem_response(const Error& error, const Request& req);

// Parses the request body as one JSON object. 415 unless the content type is
// JSON, 400 for malformed JSON or a non-object.
Result<json::object> json_body(const Request& req);
Result<json::value> parse_json(std::string_view text);

enum class Need { required, optional };

// Collects one FieldError per bad input; shared by the body and query readers.
class FieldErrors {
 public:
  void add_error(std::string field, std::string code, std::string message);
  bool ok() const { return errors_.empty(); }
  // Adds a "range" error unless min <= value <= max.
  template <class T>
  bool in_range(std::string_view field, T value, T min, T max);
  Status finish();

 protected:
  std::vector<FieldError> errors_;
};

// Reads typed fields from a JSON object. Each accessor returns nullopt when the
// field is absent or bad, and a bad (or missing required) field adds a
// FieldError. finish() fails with all of them, and with any field the handler
// never asked for, so a typo in a field name is an error rather than silence.
class Fields : public FieldErrors {
 public:
  explicit Fields(const json::object& object) : object_(object) {}

  bool has(std::string_view name) const;
  std::optional<std::string> text(std::string_view name, Need need, std::size_t max_chars = 200,
                                  std::size_t min_chars = 1);
  std::optional<std::int64_t> integer(std::string_view name, Need need,
                                      std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
  std::optional<double> number(std::string_view name, Need need, double min, double max);
  std::optional<bool> boolean(std::string_view name, Need need);
  std::optional<std::string> one_of(std::string_view name, Need need,
                                    std::initializer_list<std::string_view> allowed);
  // A date "YYYY-MM-DD" that exists on the calendar.
  std::optional<std::string> date(std::string_view name, Need need);
  std::optional<std::vector<std::string>> text_list(std::string_view name, Need need,
                                                    std::size_t max_items, std::size_t max_chars);
  // Positive integer ids.
  std::optional<std::vector<std::int64_t>> id_list(std::string_view name, Need need,
                                                   std::size_t max_items);
  // A raw JSON value (e.g. GeoJSON), only checked for presence.
  const json::value* raw(std::string_view name, Need need);

  // Also fails for every field the handler never asked for.
  Status finish();

 private:
  const json::value* lookup(std::string_view name, Need need);
  const json::object& object_;
  std::set<std::string, std::less<>> asked_;
};

// Typed reading of query-string parameters, with the same error collection.
class QueryFields : public FieldErrors {
 public:
  explicit QueryFields(const Request& req) : req_(req) {}
  std::optional<std::string> text(std::string_view name, std::size_t max_chars = 200);
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max);
  std::optional<double> number(std::string_view name, double min, double max);
  std::optional<std::string> one_of(std::string_view name,
                                    std::initializer_list<std::string_view> allowed);
  std::optional<bool> boolean(std::string_view name);

 private:
  // The parameter's one value; a repeated parameter or bytes that are not
  // UTF-8 are field errors (nullopt), never "the first one wins".
  std::optional<std::string> single(std::string_view name);

  const Request& req_;
};

bool is_valid_date(std::string_view yyyy_mm_dd);

}  // namespace cg::http
