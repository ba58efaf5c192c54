#include "support/json_schema.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cg::test {
namespace {

namespace json = boost::json;

bool has_type(const json::value& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer")
    return v.is_int64() || v.is_uint64() ||
           (v.is_double() &&
            v.as_double() == static_cast<double>(static_cast<long long>(v.as_double())));
  if (type == "boolean") return v.is_bool();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  throw std::logic_error("json schema: unknown type " + std::string(type));
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// RFC 3339 date-time, as JSON Schema's "date-time" format defines it.
bool is_date_time(const std::string& s) {
  static const std::regex re(
      R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$)");
  return std::regex_match(s, re);
}

// An absolute URI: a scheme, then anything without spaces.
bool is_uri(const std::string& s) {
  static const std::regex re(R"(^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$)");
  return std::regex_match(s, re);
}

const std::set<std::string, std::less<>> kAnnotations = {"description", "title"};

}  // namespace

JsonSchemas::JsonSchemas(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    schemas_[entry.path().filename().string()] = json::parse(text.str());
  }
  if (schemas_.empty()) throw std::runtime_error("no JSON schemas in " + dir);
}

std::vector<std::string> JsonSchemas::validate(const std::string& name,
                                               const json::value& value) const {
  std::vector<std::string> problems;
  check(schemas_.at(name).as_object(), value, "$", problems);
  return problems;
}

void JsonSchemas::check(const json::object& schema, const json::value& v, const std::string& where,
                        std::vector<std::string>& problems) const {
  auto problem = [&](const std::string& what) { problems.push_back(where + ": " + what); };
  for (const auto& [keyword, arg] : schema) {
    const std::string_view k = keyword;
    if (kAnnotations.count(k)) continue;
    if (k == "$ref") {
      check(schemas_.at(std::string(arg.as_string())).as_object(), v, where, problems);
    } else if (k == "type") {
      if (!has_type(v, arg.as_string())) problem("is not of type " + std::string(arg.as_string()));
    } else if (k == "enum") {
      bool found = false;
      for (const json::value& allowed : arg.as_array()) found = found || allowed == v;
      if (!found) problem(json::serialize(v) + " is not one of " + json::serialize(arg));
    } else if (k == "required") {
      if (!v.is_object()) continue;
      for (const json::value& name : arg.as_array()) {
        if (!v.as_object().contains(name.as_string()))
          problem("lacks required property " + std::string(name.as_string()));
      }
    } else if (k == "properties") {
      if (!v.is_object()) continue;
      for (const auto& [name, sub] : arg.as_object()) {
        if (v.as_object().contains(name))
          check(sub.as_object(), v.at(name), where + "." + std::string(name), problems);
      }
    } else if (k == "items") {
      if (!v.is_array()) continue;
      for (std::size_t i = 0; i < v.as_array().size(); ++i)
        check(arg.as_object(), v.as_array()[i], where + "[" + std::to_string(i) + "]", problems);
    } else if (k == "anyOf") {
      bool any = false;
      for (const json::value& option : arg.as_array()) {
        std::vector<std::string> sub;
        check(option.as_object(), v, where, sub);
        any = any || sub.empty();
      }
      if (!any) problem("matches none of anyOf " + json::serialize(arg));
    } else if (k == "maxLength") {
      if (v.is_string() && code_points(v.as_string()) > static_cast<std::size_t>(arg.as_int64()))
        problem("is longer than " + json::serialize(arg));
    } else if (k == "minItems") {
      if (v.is_array() && v.as_array().size() < static_cast<std::size_t>(arg.as_int64()))
        problem("has fewer items than " + json::serialize(arg));
    } else if (k == "uniqueItems") {
      if (!v.is_array() || !arg.as_bool()) continue;
      const auto& a = v.as_array();
      for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = i + 1; j < a.size(); ++j)
          if (a[i] == a[j]) problem("items are not unique");
    } else if (k == "format") {
      if (!v.is_string()) continue;
      const std::string s(v.as_string());
      if (arg == "date-time" && !is_date_time(s)) problem(s + " is not a date-time");
      if (arg == "uri" && !is_uri(s)) problem(s + " is not a uri");
      if (arg != "date-time" && arg != "uri")
        throw std::logic_error("json schema: unknown format " + json::serialize(arg));
    } else {
      throw std::logic_error("json schema: keyword not supported by the test validator: " +
                             std::string(k));
    }
  }
}

std::string georeport_schema_dir() {
  return std::string(CIVICGRID_SOURCE_DIR) + "/tests/fixtures/open311/georeport-v2";
}

}  // namespace cg::test
