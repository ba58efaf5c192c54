#include "db/query.hpp"

#include <fmt/format.h>

namespace cg::db {

std::string ParamList::add(Param value) {
  values_.push_back(std::move(value));
  return fmt::format("${}", values_.size());
}

std::string path_ranges_sql(std::string_view column, std::span<const PathRange> ranges,
                            ParamList& params) {
  std::string sql;
  for (const PathRange& r : ranges) {
    if (!sql.empty()) sql += " OR ";
    // In this order (a function's arguments are evaluated in no set order):
    // people::store's search lists its values without building the SQL.
    const std::string from = params.add(r.from);
    const std::string to = params.add(r.to);
    sql += fmt::format("({0} >= {1} AND {0} < {2})", column, from, to);
  }
  return sql;
}

}  // namespace cg::db
