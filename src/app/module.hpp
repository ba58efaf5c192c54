// A capability of CivicGrid (org, people, cases, …) as the server sees it: its
// routes and its demo data. Migrations are found by file name under
// src/modules/<name>/migrations/. Modules are listed once, in
// src/modules/registry.cpp.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

namespace cg {
class App;
namespace http {
class Router;
}

struct DemoOptions {
  std::uint64_t seed = 20261123;
  int scale = 1;  // 1 = one street (~10,000 residents); each further street adds
                  // 12 communities of the shape below
  int cases = 0;  // 0: about 400 a street
  int grids_per_community = 5;
  int buildings_per_community = 40;  // 24 households each
  // Generate households, residents and cases in memory and write them with
  // multi-row INSERTs (the district and city presets) instead of through the
  // services one by one: same data rules, no audit records or notifications
  // for them, about a hundred times faster. See docs/benchmarks.md.
  bool bulk = false;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;
  virtual void add_routes(http::Router& router) = 0;
};

// Every module of the server, in dependency order. Defined in modules/registry.cpp.
std::vector<std::unique_ptr<Module>> make_modules(App& app);

}  // namespace cg
