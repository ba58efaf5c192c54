// The JSON of one page of cases, exactly as `GET /api/v1/cases` answers it;
// public so bench/case_json_bench.cpp measures the real encoder.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "modules/cases/model.hpp"

namespace cg::cases {

boost::json::object case_page_json(const std::vector<Case>& items,
                                   const std::optional<std::string>& next_cursor);

}  // namespace cg::cases
