// Specification of the storage layer, run on every engine: SQLite on a temp
// file, SQLite in memory, and PostgreSQL when CIVICGRID_TEST_PG_URL is set
// (start one with scripts/pg-test-server). Every test gets a fresh database.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <expected>
#include <filesystem>
#include <functional>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "db/backends.hpp"
#include "db/db.hpp"
#include "db/migrate.hpp"

namespace cg::db {
namespace {

namespace fs = std::filesystem;

const char* pg_url_from_env() {
  return std::getenv("CIVICGRID_TEST_PG_URL");
}

std::string unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + std::to_string(getpid()) + "_" + std::to_string(++counter);
}

// Runs one statement outside any transaction (CREATE/DROP DATABASE need that).
void pg_admin(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* res = PQexec(conn, sql.c_str());
  std::string error = PQresultStatus(res) == PGRES_COMMAND_OK ? "" : PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
}

// The same URL pointing at database `name`.
std::string with_database(const std::string& url, const std::string& name) {
  std::size_t authority = url.find("://") + 3;
  std::size_t slash = url.find('/', authority);
  std::size_t query = url.find('?', authority);
  if (slash == std::string::npos || slash > query) {
    return url.substr(0, query) + "/" + name +
           (query == std::string::npos ? "" : url.substr(query));
  }
  return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

// A database that exists for one test.
class FreshDatabase {
 public:
  explicit FreshDatabase(const std::string& engine) : engine_(engine) {
    if (engine == "sqlite") {
      dir_ = fs::temp_directory_path() / unique_name("cg_db_test_");
      url_ = "sqlite:" + (dir_ / "sub" / "test.db").string();
    } else if (engine == "sqlite_memory") {
      url_ = "sqlite::memory:";
    } else {
      name_ = unique_name("cgtest_");
      pg_admin(pg_url_from_env(), "CREATE DATABASE " + name_);
      url_ = with_database(pg_url_from_env(), name_);
    }
  }
  ~FreshDatabase() {
    if (!dir_.empty()) fs::remove_all(dir_);
    if (!name_.empty()) pg_admin(pg_url_from_env(), "DROP DATABASE " + name_ + " WITH (FORCE)");
  }
  const std::string& url() const { return url_; }
  const fs::path& dir() const { return dir_; }

 private:
  std::string engine_, url_, name_;
  fs::path dir_;
};

std::vector<std::string> engines() {
  std::vector<std::string> out{"sqlite", "sqlite_memory"};
  if (pg_url_from_env() != nullptr) out.push_back("postgres");
  return out;
}

class DbTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    fresh_ = std::make_unique<FreshDatabase>(GetParam());
    db_ = Database::open(fresh_->url());
  }
  void TearDown() override {
    if (db_) db_->close();
    db_.reset();
    fresh_.reset();
  }

  Database& db() { return *db_; }
  bool is(std::string_view engine) const { return GetParam() == engine; }
  void ddl(std::string_view sql) {
    db().write([&](Conn& c) { c.exec_script(render_ddl(sql, c.engine())); });
  }
  std::int64_t count(std::string_view table) {
    return db().read(
        [&](Conn& c) { return c.query_one("SELECT COUNT(*) FROM " + std::string(table))->i64(0); });
  }

  std::unique_ptr<FreshDatabase> fresh_;
  std::unique_ptr<Database> db_;
};

// Runs body(t, i) for i in [0, each) on `threads` threads at once, and waits
// for them all: the concurrent writers of the tests below.
void on_threads(int threads, int each, const std::function<void(int, int)>& body) {
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&body, each, t] {
      for (int i = 0; i < each; ++i) body(t, i);
    });
  }
  for (std::thread& th : running) th.join();
}

// --- values and placeholders -------------------------------------------------

TEST_P(DbTest, RoundTripsEveryValueType) {
  ddl("CREATE TABLE vals (id {{ID}}, i {{BIGINT}}, r {{REAL}}, t TEXT, b {{BLOB}}, n TEXT)");
  const std::string bytes("\0\x01\xff\0abc\0", 8);
  const std::string chinese = "路灯不亮，垃圾没人收";
  const std::int64_t big = 9007199254740993;  // not representable as a double

  auto [first, second] = db().write([&](Conn& c) {
    const char* insert =
        "INSERT INTO vals (i, r, t, b, n) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    auto a = c.query_one(insert, {big, 0.1, chinese, Blob{bytes}, std::nullopt})->i64(0);
    auto b = c.query_one(insert, {INT64_MIN, -2.5, "", Blob{""}, true})->i64(0);
    return std::pair(a, b);
  });

  Rows rows = db().read([&](Conn& c) {
    return c.query("SELECT i, r, t, b, n FROM vals WHERE id IN ($1, $2) ORDER BY id",
                   {first, second});
  });
  ASSERT_EQ(rows.size(), 2u);
  const Row& a = rows[0];
  EXPECT_EQ(a.i64(0), big);
  EXPECT_TRUE(std::holds_alternative<std::int64_t>(a.value(0)));
  EXPECT_EQ(a.f64(1), 0.1);
  EXPECT_EQ(a.text(2), chinese);
  EXPECT_EQ(a.blob(3), bytes);
  EXPECT_TRUE(std::holds_alternative<Blob>(a.value(3)));
  EXPECT_TRUE(a.is_null(4));
  EXPECT_EQ(a.opt_text(4), std::nullopt);
  EXPECT_EQ(a.i64(4), 0);
  EXPECT_EQ(a.text(4), "");

  const Row& b = rows[1];
  EXPECT_EQ(b.i64(0), INT64_MIN);
  EXPECT_EQ(b.f64(1), -2.5);
  EXPECT_FALSE(b.is_null(2));  // empty text is not NULL
  EXPECT_EQ(b.opt_text(2), "");
  EXPECT_FALSE(b.is_null(3));
  EXPECT_EQ(b.blob(3), "");
  EXPECT_EQ(b.text(4), "1");  // bool binds as 1
}

TEST_P(DbTest, PlaceholdersBindByNumberInAnyOrderAndRepeat) {
  ddl("CREATE TABLE pairs (a TEXT, b {{BIGINT}})");
  db().write([](Conn& c) {
    c.exec("INSERT INTO pairs (a, b) VALUES ($2, $1)", {7, "x"});
    c.exec("INSERT INTO pairs (a, b) VALUES ($2, $1)", {8, "y"});
  });
  auto row = db().read([](Conn& c) {
    return c.query_one("SELECT a, b FROM pairs WHERE a = $1 AND (b = $2 OR a = $1)", {"x", 7});
  });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->text(0), "x");
  EXPECT_EQ(row->i64(1), 7);
}

TEST_P(DbTest, WrongParameterCountIsAnError) {
  ddl("CREATE TABLE pairs (a TEXT, b {{BIGINT}})");
  EXPECT_THROW(
      db().write([](Conn& c) { c.exec("INSERT INTO pairs (a, b) VALUES ($1, $2)", {"x"}); }),
      DbError);
  EXPECT_EQ(count("pairs"), 0);
}

TEST_P(DbTest, CastParameterWhenConcatenating) {
  ddl("CREATE TABLE names (t TEXT)");
  db().write([](Conn& c) {
    for (const char* name : {"路灯", "路面", "垃圾"})
      c.exec("INSERT INTO names (t) VALUES ($1)", {name});
  });
  auto rows = db().read([](Conn& c) {
    return c.query("SELECT t FROM names WHERE t LIKE CAST($1 AS TEXT) || '%' ORDER BY t", {"路"});
  });
  EXPECT_EQ(rows.size(), 2u);
}

TEST_P(DbTest, ReturningGivesGeneratedValues) {
  ddl("CREATE TABLE items (id {{ID}}, name TEXT NOT NULL)");
  auto [a, b] = db().write([](Conn& c) {
    auto first = c.query("INSERT INTO items (name) VALUES ($1) RETURNING id, name", {"one"});
    auto second = c.query("INSERT INTO items (name) VALUES ($1) RETURNING id, name", {"two"});
    return std::pair(first.at(0), second.at(0));
  });
  EXPECT_EQ(a.text(1), "one");
  EXPECT_EQ(b.text(1), "two");
  EXPECT_GT(b.i64(0), a.i64(0));
  auto renamed = db().write([&](Conn& c) {
    return c.query_one("UPDATE items SET name = $1 WHERE id = $2 RETURNING name",
                       {"uno", a.i64(0)});
  });
  EXPECT_EQ(renamed->text(0), "uno");
}

TEST_P(DbTest, OnConflictDoNothingAndDoUpdate) {
  ddl("CREATE TABLE kv (k TEXT PRIMARY KEY, v {{BIGINT}} NOT NULL)");
  auto changes = db().write([](Conn& c) {
    std::vector<std::int64_t> n;
    n.push_back(c.exec("INSERT INTO kv (k, v) VALUES ($1, $2)", {"a", 1}));
    n.push_back(
        c.exec("INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING", {"a", 2}));
    n.push_back(
        c.exec("INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
               {"a", 3}));
    return n;
  });
  EXPECT_EQ(changes, (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(db().read([](Conn& c) {
    return c.query_one("SELECT v FROM kv WHERE k = $1", {"a"})->i64(0);
  }),
            3);
}

// --- transactions --------------------------------------------------------------

TEST_P(DbTest, WriteCommitsWhenFnReturns) {
  ddl("CREATE TABLE t (x {{BIGINT}})");
  db().write([](Conn& c) { c.exec("INSERT INTO t (x) VALUES ($1)", {1}); });
  std::expected<int, std::string> ok = db().write([](Conn& c) -> std::expected<int, std::string> {
    c.exec("INSERT INTO t (x) VALUES ($1)", {2});
    return 42;
  });
  EXPECT_EQ(ok, 42);
  EXPECT_EQ(count("t"), 2);
}

TEST_P(DbTest, WriteRollsBackOnException) {
  ddl("CREATE TABLE t (x {{BIGINT}})");
  EXPECT_THROW(db().write([](Conn& c) {
    c.exec("INSERT INTO t (x) VALUES ($1)", {1});
    throw std::runtime_error("validation failed");
  }),
               std::runtime_error);
  EXPECT_EQ(count("t"), 0);
}

TEST_P(DbTest, WriteRollsBackOnReturnedError) {
  ddl("CREATE TABLE t (x {{BIGINT}})");
  auto result = db().write([](Conn& c) -> std::expected<int, std::string> {
    c.exec("INSERT INTO t (x) VALUES ($1)", {1});
    return std::unexpected("duplicate case");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), "duplicate case");
  EXPECT_EQ(count("t"), 0);
}

TEST_P(DbTest, UniqueViolationHasItsOwnKindAndRollsBack) {
  ddl("CREATE TABLE users (id {{ID}}, email TEXT NOT NULL UNIQUE)");
  db().write([](Conn& c) { c.exec("INSERT INTO users (email) VALUES ($1)", {"a@example.cn"}); });
  try {
    db().write([](Conn& c) {
      c.exec("INSERT INTO users (email) VALUES ($1)", {"b@example.cn"});
      c.exec("INSERT INTO users (email) VALUES ($1)", {"a@example.cn"});
    });
    FAIL() << "expected a unique violation";
  } catch (const DbError& e) {
    EXPECT_TRUE(e.unique_violation()) << e.what();
  }
  EXPECT_EQ(count("users"), 1);  // b@ was rolled back with the failed statement
  db().write([](Conn& c) { c.exec("INSERT INTO users (email) VALUES ($1)", {"c@example.cn"}); });
  EXPECT_EQ(count("users"), 2);
}

TEST_P(DbTest, ForeignKeyViolationHasItsOwnKind) {
  ddl("CREATE TABLE parents (id {{ID}});"
      "CREATE TABLE children (id {{ID}}, parent_id {{BIGINT}} NOT NULL REFERENCES parents(id))");
  try {
    db().write([](Conn& c) { c.exec("INSERT INTO children (parent_id) VALUES ($1)", {99}); });
    FAIL() << "expected a foreign key violation";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::foreign_key_violation) << e.what();
  }
}

// PostgreSQL aborts the whole transaction on a failed statement; SQLite only
// undoes that statement. A write that swallows the error must not pretend
// everything committed on PostgreSQL.
TEST_P(DbTest, SwallowedStatementErrorOnPostgresFailsTheCommit) {
  ddl("CREATE TABLE t (x {{BIGINT}} PRIMARY KEY)");
  auto attempt = [&] {
    db().write([](Conn& c) {
      c.exec("INSERT INTO t (x) VALUES ($1)", {1});
      try {
        c.exec("INSERT INTO t (x) VALUES ($1)", {1});
      } catch (const DbError&) {
      }
    });
  };
  if (is("postgres")) {
    EXPECT_THROW(attempt(), DbError);
    EXPECT_EQ(count("t"), 0);
  } else {
    attempt();
    EXPECT_EQ(count("t"), 1);
  }
}

TEST_P(DbTest, ConcurrentWritersLoseNothing) {
  ddl("CREATE TABLE counter (id {{BIGINT}} PRIMARY KEY, n {{BIGINT}} NOT NULL)");
  db().write([](Conn& c) { c.exec("INSERT INTO counter (id, n) VALUES (1, 0)"); });
  on_threads(4, 250, [&](int, int) {
    db().write([](Conn& c) { c.exec("UPDATE counter SET n = n + 1 WHERE id = $1", {1}); });
  });
  EXPECT_EQ(db().read([](Conn& c) { return c.query_one("SELECT n FROM counter")->i64(0); }), 1000);
}

// SQLite groups concurrent writes into one transaction (each in a savepoint):
// a write that throws or returns an error must still roll back alone, and
// every write that returned must be visible at once.
TEST_P(DbTest, ConcurrentWritesThatFailRollBackAloneAndTheRestCommit) {
  ddl("CREATE TABLE t (x {{BIGINT}} PRIMARY KEY)");
  std::atomic<int> committed{0}, refused{0}, thrown{0}, unseen{0};
  on_threads(8, 100, [&](int t, int i) {
    const int x = t * 1000 + i;
    try {
      auto r = db().write([&](Conn& c) -> std::expected<int, std::string> {
        c.exec("INSERT INTO t (x) VALUES ($1)", {x});
        if (i % 10 == 3) return std::unexpected("refused");
        if (i % 10 == 7) c.exec("INSERT INTO t (x) VALUES ($1)", {x});  // duplicate: throws
        return x;
      });
      if (!r) {
        ++refused;
        return;
      }
      ++committed;
      // Acknowledged means committed: a reader sees it right away.
      if (!db().read([&](Conn& c) { return c.query_one("SELECT x FROM t WHERE x = $1", {x}); }))
        ++unseen;
    } catch (const DbError& e) {
      EXPECT_TRUE(e.unique_violation()) << e.what();
      ++thrown;
    }
  });
  EXPECT_EQ(committed, 640);
  EXPECT_EQ(refused, 80);
  EXPECT_EQ(thrown, 80);
  EXPECT_EQ(unseen, 0);
  EXPECT_EQ(count("t"), 640);
}

// Conn::after_commit: the callbacks of a write run once its transaction has
// committed, before write() returns, and those of a write that rolls back
// (alone, in SQLite's grouped transaction) never run.
TEST_P(DbTest, AfterCommitRunsOnlyForCommittedWrites) {
  ddl("CREATE TABLE t (x {{BIGINT}} PRIMARY KEY)");
  std::atomic<int> ran{0}, ran_uncommitted{0}, ran_after_return{0}, committed{0};
  on_threads(4, 50, [&](int t, int i) {
    const int x = t * 1000 + i;
    std::atomic<bool> returned{false};
    try {
      auto r = db().write([&](Conn& c) -> std::expected<int, std::string> {
        EXPECT_EQ(c.database(), &db());
        c.after_commit([&, x] {
          ++ran;
          if (returned) ++ran_after_return;
          // Committed: a reader sees the row already.
          if (!db().read([&](Conn& rc) {
                return rc.query_one("SELECT x FROM t WHERE x = $1", {x}).has_value();
              }))
            ++ran_uncommitted;
        });
        c.exec("INSERT INTO t (x) VALUES ($1)", {x});
        if (i % 5 == 1) return std::unexpected("refused");
        if (i % 5 == 2) c.exec("INSERT INTO t (x) VALUES ($1)", {x});  // throws
        return x;
      });
      if (r) ++committed;
    } catch (const DbError&) {
    }
    returned = true;
  });
  EXPECT_EQ(committed, 120);
  EXPECT_EQ(ran, 120);
  EXPECT_EQ(ran_uncommitted, 0);
  EXPECT_EQ(ran_after_return, 0);
  EXPECT_EQ(count("t"), 120);
}

// Conn::before_commit: the work of every kept write lands with its COMMIT (on
// SQLite after the group's SAVEPOINTs), the work of a write that rolls back
// never does.
TEST_P(DbTest, WorkDeferredToCommitLandsOnlyWithTheWritesThatCommit) {
  ddl("CREATE TABLE t (x {{BIGINT}} PRIMARY KEY)");
  ddl("CREATE TABLE later (x {{BIGINT}} PRIMARY KEY)");
  std::atomic<int> committed{0}, unseen{0};
  on_threads(8, 50, [&](int t, int i) {
    const int x = t * 1000 + i;
    try {
      auto r = db().write([&](Conn& c) -> std::expected<int, std::string> {
        c.before_commit([x](Conn& late) {
          // Runs after the write itself, so its row is there already.
          late.exec("INSERT INTO later (x) SELECT x FROM t WHERE x = $1", {x});
        });
        c.exec("INSERT INTO t (x) VALUES ($1)", {x});
        if (i % 10 == 3) return std::unexpected("refused");
        if (i % 10 == 7) c.exec("INSERT INTO t (x) VALUES ($1)", {x});  // duplicate: throws
        return x;
      });
      if (!r) return;
      ++committed;
      if (!db().read([&](Conn& c) { return c.query_one("SELECT x FROM later WHERE x = $1", {x}); }))
        ++unseen;
    } catch (const DbError& e) {
      EXPECT_TRUE(e.unique_violation()) << e.what();
    }
  });
  EXPECT_EQ(committed, 320);
  EXPECT_EQ(unseen, 0);
  EXPECT_EQ(count("later"), 320);
  EXPECT_EQ(count("t"), 320);
}

// One write that changes more pages than any statement journal kept in memory
// (a CSV import, a rollup rebuild): SQLite keeps the original of every page the
// write's SAVEPOINT changes, and must spill them to a file rather than fail.
// An 8 MiB in-memory statement journal (SQLITE_CONFIG_STMTJRNL_SPILL) made
// exactly this fail with "database or disk is full".
TEST_P(DbTest, AWriteThatChangesTensOfMegabytesCommits) {
  ddl("CREATE TABLE big (x {{BIGINT}} PRIMARY KEY, pad TEXT NOT NULL)");
  const std::string pad(400, 'a');
  db().write([&](Conn& c) {
    for (int x = 0; x < 60000; ++x) c.exec("INSERT INTO big (x, pad) VALUES ($1, $2)", {x, pad});
  });
  const std::string other(400, 'b');
  db().write([&](Conn& c) { c.exec("UPDATE big SET pad = $1", {other}); });
  EXPECT_EQ(count("big"), 60000);
  EXPECT_EQ(db().read([](Conn& c) {
    return c.query("SELECT COUNT(*) FROM big WHERE pad LIKE 'b%'").at(0).i64(0);
  }),
            60000);
}

TEST_P(DbTest, DeferredWorkThatFailsFailsItsWrite) {
  ddl("CREATE TABLE t (x {{BIGINT}} PRIMARY KEY)");
  db().write([](Conn& c) { c.exec("INSERT INTO t (x) VALUES (1)"); });
  EXPECT_THROW(db().write([](Conn& c) {
    c.exec("INSERT INTO t (x) VALUES (2)");
    c.before_commit([](Conn& late) { late.exec("INSERT INTO t (x) VALUES (1)"); });
  }),
               DbError);
  EXPECT_EQ(count("t"), 1);
  // The connection carries nothing over into the next write.
  db().write([](Conn& c) { c.exec("INSERT INTO t (x) VALUES (3)"); });
  EXPECT_EQ(count("t"), 2);
}

TEST_P(DbTest, ReadersSeeCommittedData) {
  ddl("CREATE TABLE t (x {{BIGINT}})");
  EXPECT_EQ(count("t"), 0);
  db().write([](Conn& c) { c.exec("INSERT INTO t (x) VALUES ($1)", {1}); });
  EXPECT_EQ(count("t"), 1);
}

TEST_P(DbTest, ReadSeesOneSnapshot) {
  // An in-memory SQLite database has no WAL: its writer waits for readers.
  if (is("sqlite_memory")) GTEST_SKIP() << "no snapshot isolation without WAL";
  ddl("CREATE TABLE t (x {{BIGINT}})");
  auto [before, after] = db().read([&](Conn& c) {
    auto first = c.query_one("SELECT COUNT(*) FROM t")->i64(0);
    std::thread([&] {
      db().write([](Conn& w) { w.exec("INSERT INTO t (x) VALUES ($1)", {1}); });
    }).join();
    return std::pair(first, c.query_one("SELECT COUNT(*) FROM t")->i64(0));
  });
  EXPECT_EQ(before, 0);
  EXPECT_EQ(after, 0);
  EXPECT_EQ(count("t"), 1);
}

TEST_P(DbTest, ReaderCannotWrite) {
  ddl("CREATE TABLE t (x {{BIGINT}})");
  EXPECT_THROW(db().read([](Conn& c) { c.exec("INSERT INTO t (x) VALUES ($1)", {1}); }), DbError);
  EXPECT_EQ(count("t"), 0);
}

TEST_P(DbTest, PoolWaitsWhenAllReadersAreBusy) {
  db().close();
  db_ = Database::open(fresh_->url(), Options{.readers = 2});
  std::atomic<bool> go{false};
  auto hold = [&] {
    db().read([&](Conn&) {
      while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  };
  std::vector<std::thread> threads;
  threads.emplace_back(hold);
  threads.emplace_back(hold);
  while (db().stats().in_use < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  threads.emplace_back(hold);  // finds no free reader
  while (db().stats().waits < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(db().stats().in_use, 0);
  EXPECT_GE(db().stats().waits, 1);
}

// --- migrations ----------------------------------------------------------------

std::vector<Migration> sample_migrations() {
  return {
      {2, "0002_case", "cases",
       "CREATE TABLE cases (id {{ID}}, org_id {{BIGINT}} NOT NULL REFERENCES orgs(id), "
       "title TEXT NOT NULL, photo {{BLOB}}, score {{REAL}}, path {{TEXT_C}})"},
      {1, "0001_org", "orgs", "CREATE TABLE orgs (id {{ID}}, name TEXT NOT NULL)"},
  };
}

TEST_P(DbTest, MigrationsApplyInOrderAndAreRecorded) {
  MigrationReport report = migrate(db(), sample_migrations());
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0001_org", "0002_case"}));
  EXPECT_EQ(report.current_version, 2);
  Rows rows = db().read([](Conn& c) {
    return c.query(
        "SELECT version, name, module, applied_at FROM schema_migrations ORDER BY version");
  });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text(1), "0001_org");
  EXPECT_EQ(rows[1].text(2), "cases");
  EXPECT_GT(rows[1].i64(3), 1'600'000'000'000);  // epoch milliseconds
  db().write([](Conn& c) {
    auto org =
        c.query_one("INSERT INTO orgs (name) VALUES ($1) RETURNING id", {"东湖街道"})->i64(0);
    c.exec("INSERT INTO cases (org_id, title) VALUES ($1, $2)", {org, "路灯不亮"});
  });
  EXPECT_EQ(count("cases"), 1);
}

TEST_P(DbTest, RerunningMigrationsIsANoOp) {
  migrate(db(), sample_migrations());
  MigrationReport again = migrate(db(), sample_migrations());
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(again.current_version, 2);
  EXPECT_EQ(count("schema_migrations"), 2);
}

TEST_P(DbTest, FailingMigrationLeavesNothingBehind) {
  auto migrations = sample_migrations();
  migrations.push_back({3, "0003_broken", "cases",
                        "CREATE TABLE doomed (id {{ID}});"
                        "INSERT INTO no_such_table (x) VALUES (1);"});
  EXPECT_THROW(migrate(db(), migrations), DbError);
  EXPECT_THROW(count("doomed"), DbError);
  EXPECT_EQ(db().read([](Conn& c) {
    return c.query_one("SELECT MAX(version) FROM schema_migrations")->i64(0);
  }),
            2);

  migrations.back().sql = "CREATE TABLE doomed (id {{ID}})";
  EXPECT_EQ(migrate(db(), migrations).applied, (std::vector<std::string>{"0003_broken"}));
  EXPECT_EQ(count("doomed"), 0);
}

TEST_P(DbTest, DuplicateMigrationVersionsAreRejected) {
  auto migrations = sample_migrations();
  migrations.push_back({2, "0002_other", "other", "CREATE TABLE other (id {{ID}})"});
  EXPECT_THROW(migrate(db(), migrations), DbError);
  EXPECT_THROW(count("orgs"), DbError);  // rejected before anything ran
}

TEST_P(DbTest, ConcurrentServersApplyEachMigrationOnce) {
  if (is("sqlite_memory")) GTEST_SKIP() << "each open of sqlite::memory: is a new database";
  auto other = Database::open(fresh_->url());
  MigrationReport a, b;
  std::thread t([&] { a = migrate(*other, sample_migrations()); });
  b = migrate(db(), sample_migrations());
  t.join();
  other->close();
  EXPECT_EQ(a.applied.size() + b.applied.size(), 2u);
  EXPECT_EQ(a.current_version, 2);
  EXPECT_EQ(b.current_version, 2);
  EXPECT_EQ(count("schema_migrations"), 2);
}

// --- engine specifics ----------------------------------------------------------

TEST_P(DbTest, SqliteFileSurvivesCloseAndReopen) {
  if (!is("sqlite")) GTEST_SKIP() << "file databases only";
  ddl("CREATE TABLE t (x TEXT)");
  db().write([](Conn& c) { c.exec("INSERT INTO t (x) VALUES ($1)", {"留下来"}); });
  db().close();
  std::string path = fresh_->url().substr(7);
  // The checkpoint on close folds the WAL into the file.
  EXPECT_TRUE(!fs::exists(path + "-wal") || fs::file_size(path + "-wal") == 0);
  db_ = Database::open(fresh_->url());
  EXPECT_EQ(db().read([](Conn& c) { return c.query_one("SELECT x FROM t")->text(0); }), "留下来");
}

TEST_P(DbTest, SqliteCheckpointsTheWalWhileWritesGoOn) {
  if (!is("sqlite")) GTEST_SKIP() << "file databases only";
  ddl("CREATE TABLE t (x BLOB)");
  const std::string path = fresh_->url().substr(7);
  const auto main_size_before = fs::file_size(path);
  // ~2,500 pages of WAL in commits of 10 rows: past the 1,000-page mark the
  // background checkpointer copies pages into the database file.
  const std::string page(4000, 'x');
  for (int i = 0; i < 250; ++i) {
    db().write([&](Conn& c) {
      for (int j = 0; j < 10; ++j) c.exec("INSERT INTO t (x) VALUES ($1)", {Blob{page}});
    });
  }
  bool copied = false;
  for (int i = 0; i < 100 && !copied; ++i) {
    copied = fs::file_size(path) > main_size_before + 2'000'000;
    if (!copied) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(copied) << "database file " << fs::file_size(path) << " bytes";
  EXPECT_EQ(count("t"), 2500);
  db().close();
  db_ = Database::open(fresh_->url());
  EXPECT_EQ(count("t"), 2500);
}

TEST_P(DbTest, SqliteWalIsCutBackOnceNoReaderHoldsItAnyMore) {
  if (!is("sqlite")) GTEST_SKIP() << "file databases only";
  db().close();
  Options options;
  options.wal_limit_pages = 2000;  // 8 MiB
  db_ = Database::open(fresh_->url(), options);
  ddl("CREATE TABLE t (x BLOB)");
  const std::string wal = fresh_->url().substr(7) + "-wal";
  const std::uintmax_t limit_bytes = 2000 * 4096;
  const std::string page(4000, 'x');
  auto write_rows = [&] {
    db().write([&](Conn& c) {
      for (int j = 0; j < 50; ++j) c.exec("INSERT INTO t (x) VALUES ($1)", {Blob{page}});
    });
  };

  // A reader (another process's, say) holds a snapshot from before the writes:
  // no checkpoint may copy past it, so the WAL grows far beyond the limit.
  auto other = Database::open(fresh_->url());
  std::promise<void> holding, release;
  std::thread reader([&] {
    other->read([&](Conn& c) {
      c.query_one("SELECT COUNT(*) FROM t");
      holding.set_value();
      release.get_future().wait();
    });
  });
  holding.get_future().wait();
  for (int i = 0; i < 140; ++i) write_rows();
  EXPECT_GT(fs::file_size(wal), 3 * limit_bytes);
  release.set_value();
  reader.join();

  // Once the reader is gone, writes going on find the WAL restarted and its
  // file cut back to the limit (with a group's frames of slack).
  bool cut_back = false;
  int writes = 0;
  while (writes < 400 && !cut_back) {
    write_rows();
    ++writes;
    cut_back = fs::file_size(wal) <= limit_bytes + 1'000'000;
  }
  EXPECT_TRUE(cut_back) << "WAL " << fs::file_size(wal) << " bytes";
  EXPECT_EQ(count("t"), (140 + writes) * 50);
  other->close();  // last: its close checkpoints with TRUNCATE
}

TEST_P(DbTest, PostgresConnectionIsResetAfterItBreaks) {
  if (!is("postgres")) GTEST_SKIP() << "PostgreSQL only";
  try {
    db().write([](Conn& c) { c.query("SELECT pg_terminate_backend(pg_backend_pid())"); });
    FAIL() << "expected the connection to break";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::connection) << e.what();
  }
  for (int i = 0; i < 10; ++i) {  // every pooled connection works again
    EXPECT_EQ(db().write([](Conn& c) { return c.query_one("SELECT 1")->i64(0); }), 1);
  }
}

TEST_P(DbTest, ReportsItsEngine) {
  EXPECT_EQ(db().engine(), is("postgres") ? Engine::postgres : Engine::sqlite);
  EXPECT_EQ(db().read([](Conn& c) { return c.engine(); }), db().engine());
}

INSTANTIATE_TEST_SUITE_P(Engines, DbTest, ::testing::ValuesIn(engines()),
                         [](const auto& info) { return info.param; });

// --- engine-independent pieces -------------------------------------------------

TEST(DbRowTest, ReadsTextAsNumbersAndNumbersAsText) {
  Row row({std::string("42"), std::string("2.5"), std::int64_t{7}, 1.5, std::string("héllo"),
           std::monostate{}, std::string("-9223372036854775808")});
  EXPECT_EQ(row.i64(0), 42);
  EXPECT_EQ(row.f64(1), 2.5);
  EXPECT_EQ(row.text(2), "7");
  EXPECT_EQ(row.f64(2), 7.0);
  EXPECT_EQ(row.text(3), "1.5");
  EXPECT_EQ(row.blob(4), "héllo");
  EXPECT_EQ(row.i64(5), 0);
  EXPECT_EQ(row.opt_i64(5), std::nullopt);
  EXPECT_EQ(row.i64(6), INT64_MIN);
  EXPECT_THROW(row.i64(4), DbError);
}

TEST(DbRenderDdlTest, ReplacesMacrosPerEngine) {
  const char* sql =
      "CREATE TABLE x (id {{ID}}, n {{BIGINT}}, b {{BLOB}}, p {{TEXT_C}}, r {{REAL}})";
  EXPECT_EQ(render_ddl(sql, Engine::sqlite),
            "CREATE TABLE x (id INTEGER PRIMARY KEY, n INTEGER, b BLOB, p TEXT, r REAL)");
  EXPECT_EQ(render_ddl(sql, Engine::postgres),
            "CREATE TABLE x (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT, "
            "b BYTEA, p TEXT COLLATE \"C\", r DOUBLE PRECISION)");
  EXPECT_THROW(render_ddl("CREATE TABLE y (a {{UUID}})", Engine::sqlite), DbError);
}

TEST(DbUrlTest, LogUrlHidesPassword) {
  EXPECT_EQ(
      redact_url("postgresql://cg:s3cret@db1:5432,db2:5432/cg?target_session_attrs=read-write"),
      "postgresql://cg:***@db1:5432,db2:5432/cg?target_session_attrs=read-write");
  EXPECT_EQ(redact_url("postgres://cg@db/cg?password=s3cret&sslmode=require"),
            "postgres://cg@db/cg?password=***&sslmode=require");
  EXPECT_EQ(redact_url("postgresql://cg@db/cg"), "postgresql://cg@db/cg");
  EXPECT_EQ(redact_url("sqlite:data/civicgrid.db"), "sqlite:data/civicgrid.db");
}

TEST(DbOpenTest, UnknownSchemeIsAClearError) {
  try {
    Database::open("mysql://root:hunter2@localhost/cg");
    FAIL() << "expected DbError";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported database URL"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

TEST(DbOpenTest, UnreachablePostgresIsAConnectionError) {
  try {
    Database::open("postgresql://cg:hunter2@127.0.0.1:1/cg?connect_timeout=2");
    FAIL() << "expected DbError";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::connection);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace cg::db
