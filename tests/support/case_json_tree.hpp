// The former encoder of a case page: a Boost.JSON value tree, as
// src/modules/cases/api.cpp built it before the streaming JsonWriter (commit
// af45f8b). Kept as the reference the writer's output is compared with
// (tests/api/cases_json_test.cpp) and as the baseline of the micro-benchmark
// (bench/scope_json_bench.cpp). Not used by the server.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "modules/cases/model.hpp"

namespace cg::test {

template <class T>
boost::json::value tree_optional(const std::optional<T>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

inline boost::json::object case_tree(const cases::Case& c) {
  namespace json = boost::json;
  json::value extension = nullptr;
  if (c.extension_minutes) {
    extension = json::object{{"minutes", *c.extension_minutes}, {"reason", c.extension_reason}};
  }
  return {{"id", c.id},
          {"number", c.number},
          {"title", c.title},
          {"description", c.description},
          {"category", {{"id", c.category_id}, {"name", c.category_name}}},
          {"source", c.source},
          {"reporter",
           {{"user_id", tree_optional(c.reporter_user_id)},
            {"name", c.reporter_name},
            {"phone_masked", c.reporter_phone_masked}}},
          {"grid", {{"id", c.grid_id}, {"name", c.grid_name}}},
          {"building_id", tree_optional(c.building_id)},
          {"address", c.address},
          {"lat", tree_optional(c.lat)},
          {"lng", tree_optional(c.lng)},
          {"priority", c.priority},
          {"status", c.status},
          {"level", c.level},
          {"handler", {{"unit", c.handler_unit}, {"user_id", tree_optional(c.handler_user_id)}}},
          {"accept_deadline", tree_optional(c.accept_deadline)},
          {"handle_deadline", tree_optional(c.handle_deadline)},
          {"extension_request", std::move(extension)},
          {"rework_count", c.rework_count},
          {"reopen_count", c.reopen_count},
          {"rating", tree_optional(c.rating)},
          {"rating_comment", c.rating_comment},
          {"merged_into", tree_optional(c.merged_into)},
          {"version", c.version},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at},
          {"closed_at", tree_optional(c.closed_at)},
          {"warning", c.warning},
          {"escalated_at", tree_optional(c.escalated_at)}};
}

inline boost::json::object case_page_tree(const std::vector<cases::Case>& cases,
                                          const std::optional<std::string>& next_cursor) {
  boost::json::array items;
  items.reserve(cases.size());
  for (const cases::Case& c : cases) items.push_back(case_tree(c));
  return {{"items", std::move(items)}, {"next_cursor", tree_optional(next_cursor)}};
}

}  // namespace cg::test
