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
    sql += fmt::format("({0} >= {1} AND {0} < {2})", column, params.add(r.from), params.add(r.to));
  }
  return sql;
}

}  // namespace cg::db
