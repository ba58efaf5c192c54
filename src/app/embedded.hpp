// Files compiled into the binary by cmake/embed.cmake.
#pragma once

#include <string_view>
#include <vector>

namespace cg::embedded {

struct MigrationFile {
  const char* module;
  const char* name;  // file name without .sql, e.g. "0002_org"
  const char* sql;
};

const std::vector<MigrationFile>& migration_files();
std::string_view openapi_json();

}  // namespace cg::embedded
