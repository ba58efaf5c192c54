// civicgrid — the command-line entry point: serve, migrate, demo, user add,
// import, export. Settings come from flags, CIVICGRID_* variables or a
// config file (see app/config.hpp).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include "app/app.hpp"
#include "app/cli.hpp"
#include "app/config.hpp"

namespace {

struct Common {
  std::string config_file;
  std::string db_url;
  std::string data_dir;
};

void add_common(CLI::App* cmd, Common& c) {
  cmd->add_option(
         "--db", c.db_url,
         "数据库 / database: sqlite:PATH (默认 sqlite:./data/civicgrid.db) 或 postgresql://…")
      ->envname("CIVICGRID_DB");
  cmd->add_option("--config", c.config_file, "配置文件 / config file (name = value lines)")
      ->envname("CIVICGRID_CONFIG");
  cmd->add_option("--data-dir", c.data_dir, "数据目录 / data directory (key file, uploads)");
}

cg::Config resolve(const Common& c) {
  cg::Config config;
  if (std::string err = cg::load_config(config, c.config_file); !err.empty()) {
    throw CLI::ValidationError("--config", err);
  }
  if (!c.db_url.empty()) config.db_url = c.db_url;
  if (!c.data_dir.empty()) config.data_dir = c.data_dir;
  return config;
}

}  // namespace

// glibc returns the top of the heap to the kernel whenever more than 128 KB
// is free there; request by request (and row by row in `demo`) that meant
// thousands of brk() shrinks a second, each a TLB shootdown across CPUs —
// a third of the demo generator's time under perf. Keep some slack instead.
//
// That slack is per arena, and glibc gives each thread that meets a locked
// arena a new one, up to 8 per core: with the server's workers, readers and
// I/O threads the mixed run on `city` held 365 MB, 249 MB with one arena per
// core (same CPU per request: on two cores threads rarely meet in malloc).
static void keep_heap_slack() {
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
}

int main(int argc, char** argv) {
  keep_heap_slack();
  CLI::App cli{
      "CivicGrid 社区网格治理平台 — 民情工单、实有人口、网格管理的服务器。\n"
      "CivicGrid, the community grid-governance server.\n\n"
      "Quick start: `civicgrid serve --demo` opens http://localhost:8080 with a demo street."};
  cli.require_subcommand(1);
  Common common;
  cg::cli::ServeArgs serve_args;
  cg::cli::DemoArgs demo_args;
  cg::cli::UserArgs user_args;
  cg::cli::ImportArgs import_args;
  cg::cli::ExportArgs export_args;

  auto* serve = cli.add_subcommand("serve", "启动服务器 / run the HTTP server");
  add_common(serve, common);
  serve->add_option("--host", serve_args.host, "监听地址 / address to listen on (默认 127.0.0.1)")
      ->envname("CIVICGRID_HOST");
  serve->add_option("--port", serve_args.port, "端口 / port (默认 8080)")
      ->envname("CIVICGRID_PORT")
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--web-dir", serve_args.web_dir, "网页文件目录 / built web UI (默认 ./web/dist)")
      ->envname("CIVICGRID_WEB_DIR");
  serve->add_option("--workers", serve_args.workers, "处理线程数 / handler threads (默认 8)");
  serve->add_flag("--demo", serve_args.demo,
                  "数据库为空时生成演示数据，并打印演示账号 / seed demo data when empty");

  auto* migrate = cli.add_subcommand("migrate", "升级数据库结构 / apply database migrations");
  add_common(migrate, common);

  auto* demo = cli.add_subcommand("demo", "生成演示数据 / generate the demo dataset");
  add_common(demo, common);
  demo->add_option("--seed", demo_args.seed, "随机种子 / seed (same seed, same data)");
  demo->add_option("--scale", demo_args.scale,
                   "规模 / scale: 1 = one street (~10,000 residents); N = N streets")
      ->check(CLI::Range(1, 2000));
  demo->add_option(
          "--preset", demo_args.preset,
          "基准数据规模 / benchmark dataset: street (~1万居民), district (~50万居民, 10万工单), "
          "city (~1300万居民, 3万网格, 1000万工单); overrides --scale")
      ->check(CLI::IsMember({"street", "district", "city"}));
  demo->add_option("--cases", demo_args.cases, "工单数 / number of cases (默认每街道约 400)")
      ->check(CLI::Range(1, 100'000'000));
  demo->add_flag("--bulk", demo_args.bulk,
                 "批量生成（不经服务逐条写入，无审计记录）/ bulk generation: rows written "
                 "in batches, not through the services (district and city always)");

  auto* user = cli.add_subcommand("user", "管理账号 / manage accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "新建工作人员账号 / add a staff account");
  add_common(user_add, common);
  user_add->add_option("--username", user_args.username, "用户名 / user name")->required();
  user_add->add_option("--name", user_args.display_name, "姓名 / display name")->required();
  user_add
      ->add_option("--role", user_args.role,
                   "角色 / role: platform_admin street_admin community_worker grid_worker "
                   "handler volunteer_manager party_secretary")
      ->required();
  user_add->add_option("--area", user_args.area_code, "区域编码 / area code the role is granted on")
      ->required();
  user_add
      ->add_option("--password", user_args.password,
                   "密码 / password (or env CIVICGRID_NEW_PASSWORD)")
      ->envname("CIVICGRID_NEW_PASSWORD");

  auto* import = cli.add_subcommand("import", "导入 / import data from a file");
  import->require_subcommand(1);
  auto* import_res = import->add_subcommand("residents", "导入居民 CSV（GBK 或 UTF-8）");
  add_common(import_res, common);
  import_res->add_option("file", import_args.file, "CSV 文件 / file")
      ->required()
      ->check(CLI::ExistingFile);
  import_res->add_option("--community", import_args.community_code, "社区编码 / community code")
      ->required();
  import_res->add_flag("--dry-run", import_args.dry_run, "只检查不写入 / check only");

  auto* export_cmd = cli.add_subcommand("export", "导出 / export data to a file");
  export_cmd->require_subcommand(1);
  auto* export_res = export_cmd->add_subcommand("residents", "导出居民（证件号、手机号为脱敏值）");
  add_common(export_res, common);
  export_res->add_option("--out", export_args.out, "输出文件 / output file")->required();
  export_res->add_option("--format", export_args.format, "csv 或 xlsx")
      ->check(CLI::IsMember({"csv", "xlsx"}));
  export_res->add_option("--area", export_args.area_code, "区域编码 / area code (默认全部)");
  export_res->add_option("--q", export_args.query, "姓名、手机号或身份证号");
  export_res->add_option("--tag", export_args.tag, "标签 / tag");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }

  try {
    cg::Config config = resolve(common);
    if (*serve) return cg::cli::serve(config, serve_args);
    if (*migrate) return cg::cli::migrate(config);
    if (*demo) return cg::cli::demo(config, demo_args);
    if (*user_add) return cg::cli::user_add(config, user_args);
    if (*import_res) return cg::cli::import_residents(config, import_args);
    if (*export_res) return cg::cli::export_residents(config, export_args);
  } catch (const CLI::Error& e) {
    return cli.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "civicgrid: %s\n", e.what());
    return 1;
  }
  return 0;
}
