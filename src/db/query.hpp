// Helpers for queries assembled from fragments (search filters): parameters
// numbered as they are added, and org-tree subtree ranges.
//
// Thread safety: plain values; use one per query.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/db.hpp"

namespace cg::db {

// Collects parameters and hands back their placeholder ("$1", "$2", …).
class ParamList {
 public:
  std::string add(Param value);
  std::span<const Param> span() const { return values_; }

 private:
  std::vector<Param> values_;
};

// One subtree of the org tree as a byte range of materialised paths: [from, to).
struct PathRange {
  std::string from;
  std::string to;
};

// "(col >= $a AND col < $b) OR (…)" for `ranges`; "" when there are none.
std::string path_ranges_sql(std::string_view column, std::span<const PathRange> ranges,
                            ParamList& params);

}  // namespace cg::db
