// The demo dataset: a street of Nantong as the articles describe it
// (新城桥街道 with 八厂社区 — 5 grids, 114 buildings — 文峰社区, 易家桥社区, and the
// neighbouring 秦灶街道 with 苏阳社区), households and about 10,000 residents with
// plausible names and tags in realistic shares, and one account per role per
// level. Deterministic for a given seed; `scale` adds further streets, for
// benchmarks.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/module.hpp"

namespace cg {
class App;

struct DemoAccount {
  std::string username;
  std::string display_name;
  std::string password;
  std::string role_title;
  std::string area_name;
};

struct DemoSummary {
  bool created = false;  // false when the database already held data
  int areas = 0, buildings = 0, households = 0, residents = 0, users = 0, cases = 0;
  double seconds = 0;
  double people_seconds = 0;  // areas, households, residents and accounts
  double cases_seconds = 0;
  double areas_seconds = 0;  // of people_seconds: the areas and grid boundaries
  double volunteers_seconds = 0;
};

// Named dataset sizes for benchmarks: "street", "district" or "city".
std::optional<DemoOptions> demo_preset(std::string_view name);

DemoSummary seed_demo(App& app, const DemoOptions& options);
const std::vector<DemoAccount>& demo_accounts();
void print_demo_accounts(std::ostream& out);

}  // namespace cg
