#include "app/cli.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>

#include <iostream>

#include "app/app.hpp"
#include "app/demo.hpp"
#include "core/password.hpp"
#include "core/text.hpp"
#include "db/db.hpp"
#include "db/migrate.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "modules/auth/service.hpp"
#include "modules/org/service.hpp"
#include "modules/people/service.hpp"

#include <fstream>
#include <sstream>

namespace cg::cli {
namespace {

// Log lines to stdout through stdio's buffer, written out once a second, at
// every warning or error, and at exit. spdlog's console sink flushes after
// each line: with one line per request (http::Dispatcher) that was a write(2)
// and a turn on the console mutex per request, ~5 % of resident-search's
// server CPU. A crash loses at most the last second of info lines.
class BufferedStdoutSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush_() override { std::fflush(stdout); }
};

void setup_logging(const Config& config) {
  // On a terminal, keep the coloured sink (and its flush per line).
  if (!isatty(fileno(stdout))) {
    // One write(2) per 64 KiB of lines (~500 requests) rather than per 4 KiB.
    static char buffer[64 * 1024];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    auto logger = std::make_shared<spdlog::logger>("", std::make_shared<BufferedStdoutSink>());
    spdlog::set_default_logger(std::move(logger));
    spdlog::flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
  }
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(config.log_level));
}

bool database_healthy(db::Database& db) {
  try {
    return db.read([](db::Conn& c) { return !c.query("SELECT 1").empty(); });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

int serve(Config config, const ServeArgs& args) {
  if (!args.host.empty()) config.host = args.host;
  if (args.port >= 0) config.port = args.port;
  if (!args.web_dir.empty()) config.web_dir = args.web_dir;
  if (args.workers > 0) config.workers = args.workers;
  setup_logging(config);
  auto app = open_app(config);
  if (args.demo) {
    DemoSummary s = seed_demo(*app, DemoOptions{});
    if (s.created) {
      spdlog::info(
          "演示数据已生成：{} 个区域、{} 幢楼、{} 户、{} 位居民、{} 件民情工单，用时 {:.1f} 秒",
          s.areas, s.buildings, s.households, s.residents, s.cases, s.seconds);
    }
  }
  http::StaticFiles web(config.web_dir);
  http::Dispatcher dispatcher(app->router, &web, app->metrics,
                              [&app] { return database_healthy(*app->db); });
  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.workers;
  http::Server server(options,
                      [&dispatcher](http::Request& req) { return dispatcher.handle(req); });
  server.start();
  spdlog::info("CivicGrid 社区网格治理平台已启动：http://{}:{}（数据库 {}）",
               config.host == "0.0.0.0" ? "localhost" : config.host, server.port(),
               app->db->url_for_log());
  spdlog::default_logger()->flush();  // whoever waits for the line above sees it now
  if (args.demo) print_demo_accounts(std::cout);
  std::cout.flush();
  server.run_until_signal();
  // Modules own background work (the cases supervision thread): stop it
  // before the database it uses goes away.
  app->modules.clear();
  app->db->close();
  spdlog::info("已停止，数据库已关闭");
  spdlog::default_logger()->flush();
  return 0;
}

int migrate(const Config& config) {
  setup_logging(config);
  auto db = db::Database::open(config.db_url);
  auto report = migrate_database(*db);
  for (const auto& name : report.applied) std::cout << "applied " << name << "\n";
  std::cout << "database at version " << report.current_version << "\n";
  db->close();
  return 0;
}

int demo(const Config& config, const DemoArgs& args) {
  setup_logging(config);
  DemoOptions options;
  options.scale = args.scale;
  if (!args.preset.empty()) {
    auto preset = demo_preset(args.preset);
    if (!preset) {
      std::cerr << "unknown preset: " << args.preset << " (street, district, city)\n";
      return 2;
    }
    options = *preset;
  }
  options.seed = args.seed;
  if (args.cases > 0) options.cases = args.cases;
  if (args.bulk) options.bulk = true;
  Config one_shot = config;
  one_shot.background_jobs = false;
  auto app = open_app(one_shot);
  DemoSummary s = seed_demo(*app, options);
  if (!s.created) {
    std::cout << "数据库中已有数据，未生成演示数据 / the database already holds data\n";
  } else {
    std::cout << "demo: " << s.areas << " areas, " << s.buildings << " buildings, " << s.households
              << " households, " << s.residents << " residents, " << s.cases << " cases, "
              << s.users << " accounts in " << s.seconds << " s (people " << s.people_seconds
              << " s, of which areas " << s.areas_seconds << " s; cases " << s.cases_seconds
              << " s; volunteers " << s.volunteers_seconds << " s)\n";
    print_demo_accounts(std::cout);
  }
  app->db->close();
  return 0;
}

int user_add(const Config& config, const UserArgs& args) {
  setup_logging(config);
  auto role = auth::role_from_name(args.role);
  if (!role || *role == auth::Role::resident) {
    std::cerr << "unknown staff role: " << args.role << "\n";
    return 2;
  }
  if (auto quality = check_password_quality(args.password, args.username); !quality) {
    for (const FieldError& f : quality.error().errors) std::cerr << f.message << "\n";
    return 2;
  }
  auto app = open_app(config);
  auto area =
      app->db->read([&](db::Conn& conn) { return app->org->area_by_code(conn, args.area_code); });
  if (!area) {
    std::cerr << "no area with code " << args.area_code << "\n";
    return 2;
  }
  auto hash = hash_password(args.password);
  if (!hash) return 1;
  auth::NewUser user{args.username, args.display_name, args.password, {{*role, area->id}}};
  std::int64_t id = app->db->write(
      [&](db::Conn& conn) { return app->auth->create_user_unchecked(conn, user, *hash); });
  std::cout << "created user " << args.username << " (id " << id << ") as " << args.role << " on "
            << area->name << "\n";
  app->db->close();
  return 0;
}

int import_residents(const Config& config, const ImportArgs& args) {
  setup_logging(config);
  auto file = FileByteSource::open(args.file);
  if (!file) {
    std::cerr << file.error().errors.at(0).message << "\n";
    return 1;
  }
  auto app = open_app(config);
  auto report = people::import_residents(*app, **file, args.community_code, args.dry_run);
  int code = 0;
  if (!report) {
    std::cerr << report.error().title << "：" << report.error().detail << "\n";
    for (const FieldError& f : report.error().errors) {
      std::cerr << "  " << f.field << "  " << f.message << "\n";
    }
    code = 1;
  } else {
    std::cout << (report->dry_run ? "检查完成（未写入）" : "导入完成") << "：编码 "
              << report->encoding << "，共 " << report->total_rows << " 行，有效 "
              << report->valid_rows << " 行，导入 " << report->imported << " 行\n";
    for (const auto& e : report->errors) {
      std::cout << "  第 " << e.row << " 行 " << e.field << "：" << e.message << "\n";
    }
    code = report->errors.empty() ? 0 : 1;
  }
  app->db->close();
  return code;
}

int export_residents(const Config& config, const ExportArgs& args) {
  setup_logging(config);
  auto app = open_app(config);
  people::SearchQuery query;
  if (!args.query.empty()) query.q = args.query;
  if (!args.tag.empty()) query.tags.push_back(args.tag);
  if (!args.area_code.empty()) {
    auto area =
        app->db->read([&](db::Conn& conn) { return app->org->area_by_code(conn, args.area_code); });
    if (!area) {
      std::cerr << "no area with code " << args.area_code << "\n";
      return 2;
    }
    query.area_id = area->id;
  }
  auto format = args.format == "csv" ? people::ExportFormat::csv : people::ExportFormat::xlsx;
  auto file = people::export_residents(*app, format, query);
  app->db->close();
  if (!file) {
    std::cerr << file.error().title << "：" << file.error().detail << "\n";
    return 1;
  }
  std::ofstream out(args.out, std::ios::binary);
  out << file->bytes;
  std::cout << "wrote " << args.out << " (" << file->bytes.size() << " bytes)\n";
  return out ? 0 : 1;
}

}  // namespace cg::cli
