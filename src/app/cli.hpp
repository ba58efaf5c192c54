// The commands of the civicgrid binary, callable from main.cpp and tests.
#pragma once

#include <cstdint>
#include <string>

#include "app/config.hpp"

namespace cg::cli {

struct ServeArgs {
  std::string host;
  int port = -1;
  std::string web_dir;
  int workers = 0;
  bool demo = false;
};
struct DemoArgs {
  std::uint64_t seed = 20261123;
  int scale = 1;
  std::string preset;  // street | district | city; overrides scale
  int cases = 0;       // 0: the preset's (or about 400 a street)
  bool bulk = false;   // the bulk generator (district and city always use it)
};
struct UserArgs {
  std::string username, display_name, role, area_code, password;
};
struct ImportArgs {
  std::string file, community_code;
  bool dry_run = false;
};
struct ExportArgs {
  std::string out, format = "xlsx", area_code, query, tag;
};

int serve(Config config, const ServeArgs& args);
int migrate(const Config& config);
int demo(const Config& config, const DemoArgs& args);
int user_add(const Config& config, const UserArgs& args);
int import_residents(const Config& config, const ImportArgs& args);
int export_residents(const Config& config, const ExportArgs& args);

}  // namespace cg::cli
