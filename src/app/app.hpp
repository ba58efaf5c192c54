// One running CivicGrid: configuration, the database, the shared services
// that modules use (auth, audit, org, PII cipher), and the HTTP routes of
// every module. Built by open_app(); the CLI, the tests and the benchmarks all
// start from here.
//
// Thread safety: built once; afterwards the services are used concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "app/config.hpp"
#include "app/module.hpp"
#include "core/clock.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace cg {
namespace db {
class Database;
}
class PiiCipher;
namespace auth {
class AuthService;
class SmsSender;
}  // namespace auth
namespace audit {
class AuditLog;
}
namespace org {
class OrgService;
}
namespace files {
class FileStore;
}
namespace notify {
class Notifier;
}

class App {
 public:
  ~App();
  Config config;
  std::unique_ptr<db::Database> db;
  std::unique_ptr<PiiCipher> pii;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<org::OrgService> org;
  std::unique_ptr<files::FileStore> files;
  std::unique_ptr<notify::Notifier> notify;
  std::vector<std::unique_ptr<Module>> modules;
  http::Router router;
  http::Metrics metrics;
};

// Opens the database, applies pending migrations, loads (or creates) the PII
// key and builds every service and route. Throws on a fatal problem.
std::unique_ptr<App> open_app(const Config& config);

namespace db {
struct MigrationReport;
}
// Applies the migrations compiled into the binary.
db::MigrationReport migrate_database(db::Database& db);

}  // namespace cg
