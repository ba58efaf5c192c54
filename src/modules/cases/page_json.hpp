// The JSON of cases, exactly as the cases routes answer it, written straight
// into the response body (JsonWriter). Public so bench/scope_json_bench.cpp
// measures the real encoder and tests/api/cases_json_test.cpp checks its shape.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "modules/cases/model.hpp"

namespace cg::cases {

// About what one case takes in JSON (a case-list page of 20 is ~16.6 kB), to
// size a body's buffer once.
inline constexpr std::size_t kCaseJsonBytes = 900;

// The members of one case object, without its braces: the detail adds its own.
void write_case_members(JsonWriter& w, const Case& c);
// One case object.
void write_case(JsonWriter& w, const Case& c);

// `GET /api/v1/cases`: {"items": [case…], "next_cursor": string | null}.
JsonWriter case_page_json(const std::vector<Case>& items,
                          const std::optional<std::string>& next_cursor);

}  // namespace cg::cases
