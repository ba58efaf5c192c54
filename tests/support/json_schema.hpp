// A small JSON Schema validator for the tests: exactly the keywords the
// GeoReport v2 schemas use (type, required, properties, items, enum, anyOf,
// maxLength, minItems, uniqueItems, format date-time/uri, and $ref to a file
// beside the schema), plus the annotations it may ignore (description, title).
// A keyword it does not know is an error of the validator, reported as such,
// so a schema can never be half-checked in silence.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <vector>

namespace cg::test {

class JsonSchemas {
 public:
  // Loads every *.json file of `dir`, by file name.
  explicit JsonSchemas(const std::string& dir);
  // Problems found validating `value` against schema file `name` ("requests.json"),
  // each "where: what"; empty when `value` conforms.
  std::vector<std::string> validate(const std::string& name, const boost::json::value& value) const;

 private:
  void check(const boost::json::object& schema, const boost::json::value& value,
             const std::string& where, std::vector<std::string>& problems) const;
  std::map<std::string, boost::json::value> schemas_;
};

// The directory of the GeoReport v2 schemas in the source tree.
std::string georeport_schema_dir();

}  // namespace cg::test
