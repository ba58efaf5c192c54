// Micro-benchmarks of two things every list request does: the scope check
// (auth::Principal::can on a materialised area path) and the JSON encoding of
// a page of 20 cases, exactly as GET /api/v1/cases writes it (JsonWriter),
// beside the Boost.JSON value tree it replaced (tests/support/case_json_tree.hpp).
//
// Run: ninja -C build micro_bench && build/micro_bench
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "modules/auth/model.hpp"
#include "modules/cases/page_json.hpp"
#include "support/case_json_tree.hpp"

namespace {

using cg::auth::Grant;
using cg::auth::Permission;
using cg::auth::Principal;
using cg::auth::Role;

// A community worker with grants on their community and one neighbouring grid,
// as the demo district has them.
Principal community_worker() {
  Principal p;
  p.user_id = 42;
  p.kind = "staff";
  p.grants.push_back(Grant{Role::community_worker, 7, "/1/2/5/7/", "八厂社区", "community"});
  p.grants.push_back(Grant{Role::grid_worker, 31, "/1/2/5/9/31/", "文峰社区第一网格", "grid"});
  return p;
}

// Paths of grids in and out of scope, so both branches are measured.
std::vector<std::string> grid_paths() {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) {
    out.push_back(i % 2 ? fmt::format("/1/2/5/7/{}/", 100 + i)
                        : fmt::format("/1/2/{}/{}/{}/", 5 + i % 7, 200 + i, 1000 + i));
  }
  return out;
}

void BM_ScopeCheck(benchmark::State& state) {
  const Principal p = community_worker();
  const auto paths = grid_paths();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p.can(Permission::people_read, paths[i++ & 63]));
  }
}
BENCHMARK(BM_ScopeCheck);

void BM_Scopes(benchmark::State& state) {
  const Principal p = community_worker();
  for (auto _ : state) benchmark::DoNotOptimize(p.scopes(Permission::people_read));
}
BENCHMARK(BM_Scopes);

// A page as a grid worker sees it: 20 dispatched cases with Chinese text.
std::vector<cg::cases::Case> case_page() {
  std::vector<cg::cases::Case> page;
  for (int i = 0; i < 20; ++i) {
    cg::cases::Case c;
    c.id = 100'000 + i;
    c.number = fmt::format("MQ20261123-{:04}", i + 1);
    c.street_id = 5;
    c.path = "/1/2/5/7/31/";
    c.grid_id = 31;
    c.category_id = 12;
    c.title = "小区门口的充电桩坏了";
    c.description = "小区门口的充电桩插上没反应，晚上没法充电，请尽快派人修理，谢谢";
    c.source = "hotline_12345";
    c.reporter_name = "王秀英";
    c.reporter_phone_masked = "139****1234";
    c.address = "3幢2单元";
    c.priority = "normal";
    c.status = "dispatched";
    c.level = "grid";
    c.handler_unit = "物业服务中心";
    c.accept_deadline = 1'790'000'000'000 + i;
    c.handle_deadline = 1'790'100'000'000 + i;
    c.clock_start = 1'789'900'000'000;
    c.created_at = c.updated_at = 1'789'900'000'000 + i;
    c.dispatched_at = c.created_at + 3'600'000;
    c.category_name = "公用设施";
    c.grid_name = "八厂社区第一网格";
    page.push_back(std::move(c));
  }
  return page;
}

// The body as the server sends it: written straight into one string.
void BM_CasePageJson(benchmark::State& state) {
  const auto page = case_page();
  const std::optional<std::string> cursor = "MTAwMDE5";
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string body = cg::cases::case_page_json(page, cursor).take();
    bytes += body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CasePageJson);

// The same body the former way: a Boost.JSON object per case, then serialize.
void BM_CasePageJsonTree(benchmark::State& state) {
  const auto page = case_page();
  const std::optional<std::string> cursor = "MTAwMDE5";
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string body = boost::json::serialize(cg::test::case_page_tree(page, cursor));
    bytes += body.size();
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CasePageJsonTree);

}  // namespace
