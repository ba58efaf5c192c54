#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "app/api.hpp"
#include "app/embedded.hpp"
#include "core/pii.hpp"
#include "db/db.hpp"
#include "db/migrate.hpp"
#include "modules/audit/model.hpp"
#include "modules/auth/service.hpp"
#include "modules/files/service.hpp"
#include "modules/notify/service.hpp"
#include "modules/org/service.hpp"

namespace cg {
namespace {

// Migrations for `engine`: shared files plus those named NNNN_x.<engine>.sql.
std::vector<db::Migration> embedded_migrations(db::Engine engine) {
  std::string_view mine = engine == db::Engine::sqlite ? ".sqlite" : ".postgres";
  std::string_view other = engine == db::Engine::sqlite ? ".postgres" : ".sqlite";
  std::vector<db::Migration> out;
  for (const auto& file : embedded::migration_files()) {
    std::string name = file.name;
    if (name.ends_with(other)) continue;
    if (name.ends_with(mine)) name.resize(name.size() - mine.size());
    out.push_back({std::stoi(name.substr(0, name.find('_'))), name, file.module, file.sql});
  }
  return out;
}

std::string pool_metrics(const db::Database& db) {
  db::PoolStats s = db.stats();
  return fmt::format(
      "# HELP civicgrid_db_connections Database connections open.\n"
      "# TYPE civicgrid_db_connections gauge\ncivicgrid_db_connections {}\n"
      "# HELP civicgrid_db_connections_in_use Database connections handed out now.\n"
      "# TYPE civicgrid_db_connections_in_use gauge\ncivicgrid_db_connections_in_use {}\n"
      "# HELP civicgrid_db_connection_waits_total Times a request waited for a connection.\n"
      "# TYPE civicgrid_db_connection_waits_total counter\ncivicgrid_db_connection_waits_total "
      "{}\n"
      "# HELP civicgrid_db_write_groups_total Write transactions committed by SQLite's group "
      "commit.\n"
      "# TYPE civicgrid_db_write_groups_total counter\ncivicgrid_db_write_groups_total {}\n"
      "# HELP civicgrid_db_grouped_writes_total Writes those transactions held.\n"
      "# TYPE civicgrid_db_grouped_writes_total counter\ncivicgrid_db_grouped_writes_total {}\n",
      s.size, s.in_use, s.waits, s.write_groups, s.grouped_writes);
}

void add_openapi_route(http::Router& router) {
  router.get("/api/v1/openapi.json", [](http::Request&) {
    http::Response res;
    res.body = std::string(embedded::openapi_json());
    res.set_header("Cache-Control", "no-cache");
    return res;
  });
}

}  // namespace

App::~App() = default;

db::MigrationReport migrate_database(db::Database& db) {
  return db::migrate(db, embedded_migrations(db.engine()));
}

std::unique_ptr<App> open_app(const Config& config) {
  auto app = std::make_unique<App>();
  app->config = config;
  db::Options options;
  options.readers = std::max(2, config.db_readers);
  options.synchronous_full = config.synchronous_full;
  options.writer_threads = config.workers;
  app->db = db::Database::open(config.db_url, options);
  auto report = migrate_database(*app->db);
  for (const auto& name : report.applied) spdlog::info("applied migration {}", name);

  std::string key_file = config.secret_key_file.empty()
                             ? (std::filesystem::path(config.data_dir) / "secret.key").string()
                             : config.secret_key_file;
  std::filesystem::create_directories(std::filesystem::path(key_file).parent_path());
  auto key = PiiCipher::load_or_create_key(key_file);
  if (!key) throw std::runtime_error("PII key: " + key.error().detail);
  app->pii = std::make_unique<PiiCipher>(*key);

  app->audit = std::make_unique<audit::AuditLog>();
  app->org = std::make_unique<org::OrgService>(*app->db, *app->audit);
  app->auth = std::make_unique<auth::AuthService>(*app->db, *app->pii, *app->audit, *app->org);
  app->files = std::make_unique<files::FileStore>(*app->db,
                                                  std::filesystem::path(config.data_dir) / "files");
  app->notify = std::make_unique<notify::Notifier>(*app->db);
  app->modules = make_modules(*app);
  for (auto& module : app->modules) module->add_routes(app->router);
  add_openapi_route(app->router);
  db::Database* database = app->db.get();
  app->metrics.add_source([database] { return pool_metrics(*database); });
  notify::Notifier* notifier = app->notify.get();
  app->metrics.add_source([notifier] {
    return fmt::format(
        "# HELP civicgrid_event_streams Open live-notification streams.\n"
        "# TYPE civicgrid_event_streams gauge\ncivicgrid_event_streams {}\n",
        notifier->open_streams());
  });
  return app;
}

}  // namespace cg
