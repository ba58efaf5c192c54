// The write ceiling for the `case-submit` scenario: how many cases a second
// SQLite itself can take on this machine when nothing but SQLite runs.
//
// It writes exactly the rows one filed case writes (the daily number counter,
// the case, its title/description bigrams (one search document), the `create` timeline event, the
// Idempotency-Key record and the audit record) into a copy of the benchmark
// database — same schema, indexes and triggers, same pragmas as the server
// (WAL, synchronous=NORMAL or FULL, foreign_keys=ON) — with prepared
// statements, many cases per transaction (the best batching SQLite allows:
// one fsync-bearing commit per batch), for a fixed time.
//
// Usage: sqlite_ceiling DB_FILE [--seconds N] [--batch N] [--full]
// Prints one JSON line: {"cases_per_s": …, "cases": …, "seconds": …, …}.
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Args {
  std::string db;
  double seconds = 5;
  int batch = 1000;
  bool full = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--seconds" && i + 1 < argc) {
      a.seconds = std::atof(argv[++i]);
    } else if (s == "--batch" && i + 1 < argc) {
      a.batch = std::atoi(argv[++i]);
    } else if (s == "--full") {
      a.full = true;
    } else if (a.db.empty()) {
      a.db = s;
    } else {
      throw std::runtime_error("unexpected argument " + s);
    }
  }
  if (a.db.empty() || a.batch < 1) {
    throw std::runtime_error("usage: sqlite_ceiling DB_FILE [--seconds N] [--batch N] [--full]");
  }
  return a;
}

class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) fail("open");
  }
  ~Db() {
    for (sqlite3_stmt* s : statements_) sqlite3_finalize(s);
    sqlite3_close(db_);
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      fail(sql);
    statements_.push_back(s);
    return s;
  }
  // Runs a bound statement to completion; returns the first column of the
  // first row (0 when none).
  sqlite3_int64 run(sqlite3_stmt* s) {
    sqlite3_int64 first = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) first = sqlite3_column_int64(s, 0);
    if (rc != SQLITE_DONE) fail(sqlite3_sql(s));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return first;
  }
  sqlite3_int64 scalar(const char* sql) { return run(prepare(sql)); }
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;
};

void text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// The bigrams of a UTF-8 string of three-byte (CJK) characters, as the
// server indexes titles and descriptions.
std::vector<std::string> bigrams(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i + 6 <= s.size(); i += 3) out.push_back(s.substr(i, 6));
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  Db db(args.db);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec(args.full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA foreign_keys=ON");
  const sqlite3_int64 grid = db.scalar("SELECT id FROM areas WHERE level = 'grid' ORDER BY id");
  const sqlite3_int64 street =
      db.scalar("SELECT street_id FROM areas WHERE level = 'grid' ORDER BY id");
  const sqlite3_int64 category =
      db.scalar("SELECT id FROM case_categories WHERE parent_id IS NOT NULL ORDER BY id");
  sqlite3_stmt* path_q = db.prepare("SELECT path FROM areas WHERE id = $1");
  sqlite3_bind_int64(path_q, 1, grid);
  std::string path;
  if (sqlite3_step(path_q) == SQLITE_ROW)
    path = reinterpret_cast<const char*>(sqlite3_column_text(path_q, 0));
  sqlite3_reset(path_q);

  sqlite3_stmt* counter = db.prepare(
      "INSERT INTO case_counters (street_id, day, seq) VALUES ($1, $2, 1) "
      "ON CONFLICT (street_id, day) DO UPDATE SET seq = case_counters.seq + 1 RETURNING seq");
  sqlite3_stmt* insert_case = db.prepare(
      "INSERT INTO cases (number, street_id, path, grid_id, building_id, category_id, title, "
      "description, source, reporter_user_id, reporter_name, reporter_phone_enc, "
      "reporter_phone_masked, address, lat, lng, priority, status, level, handler_unit, "
      "handler_user_id, accept_deadline, handle_deadline, clock_start, version, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, 'hotline_12345', NULL, $8, $9, $10, "
      "$11, NULL, NULL, 'normal', 'reported', 'grid', '物业', NULL, $12, $13, $12, 1, $12, $12) "
      "RETURNING id");
  sqlite3_stmt* gram = db.prepare("INSERT INTO case_search (rowid, grams) VALUES ($1, $2)");
  sqlite3_stmt* event = db.prepare(
      "INSERT INTO case_events (case_id, street_id, at, actor_id, actor_name, role, action, "
      "from_status, to_status, note, data) VALUES ($1, $2, $3, NULL, '基准', 'community_worker', "
      "'create', '', 'reported', $4, $5)");
  sqlite3_stmt* idem = db.prepare(
      "INSERT INTO case_idempotency (owner, key, body_hash, case_id, created_at) "
      "VALUES ('ceiling', $1, $2, $3, $4)");
  sqlite3_stmt* audit = db.prepare(
      "INSERT INTO audit_log (at, user_id, user_name, role, action, target_type, target_id, "
      "detail, area_path, address, request_id) VALUES ($1, NULL, '基准', 'community_worker', "
      "'case.create', 'case', $2, $3, $4, '127.0.0.1', '')");

  const std::string title = "小区门口的充电桩坏了";
  const std::string description = "小区门口的充电桩插上没反应，晚上没法充电，请尽快派人修理";
  std::vector<std::string> grams = bigrams(title);
  for (std::string& g : bigrams(description)) grams.push_back(std::move(g));
  std::string gram_document;  // one FTS5 document per case, as the server writes it
  for (const std::string& g : grams) gram_document += (gram_document.empty() ? "" : " ") + g;
  const std::string phone_enc(56, 'x');  // secretbox of an 11-digit phone: nonce + MAC + text
  const std::string day = "20261123";
  const auto key_base = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());

  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(args.seconds);
  long cases = 0, batches = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    db.exec("BEGIN IMMEDIATE");
    for (int i = 0; i < args.batch; ++i, ++cases) {
      const sqlite3_int64 now = 1'790'000'000'000 + cases;
      sqlite3_bind_int64(counter, 1, street);
      text(counter, 2, day);
      const sqlite3_int64 seq = db.run(counter);
      text(insert_case, 1, "MQ" + day + "-" + std::to_string(seq));
      sqlite3_bind_int64(insert_case, 2, street);
      text(insert_case, 3, path);
      sqlite3_bind_int64(insert_case, 4, grid);
      sqlite3_bind_int64(insert_case, 5, category);
      text(insert_case, 6, title);
      text(insert_case, 7, description);
      text(insert_case, 8, "王秀英");
      sqlite3_bind_blob(insert_case, 9, phone_enc.data(), static_cast<int>(phone_enc.size()),
                        SQLITE_STATIC);
      text(insert_case, 10, "139****1234");
      text(insert_case, 11, "3幢2单元");
      sqlite3_bind_int64(insert_case, 12, now);
      sqlite3_bind_int64(insert_case, 13, now + 86'400'000);
      const sqlite3_int64 id = db.run(insert_case);
      sqlite3_bind_int64(gram, 1, id);
      text(gram, 2, gram_document);
      db.run(gram);
      sqlite3_bind_int64(event, 1, id);
      sqlite3_bind_int64(event, 2, street);
      sqlite3_bind_int64(event, 3, now);
      text(event, 4, title);
      text(event, 5, R"({"number":"MQ20261123-0001","source":"hotline_12345","category_id":3})");
      db.run(event);
      text(idem, 1, key_base + "-" + std::to_string(cases));
      text(idem, 2, std::string(64, 'a'));
      sqlite3_bind_int64(idem, 3, id);
      sqlite3_bind_int64(idem, 4, now);
      db.run(idem);
      sqlite3_bind_int64(audit, 1, now);
      sqlite3_bind_int64(audit, 2, id);
      text(audit, 3, "number=MQ" + day + "-" + std::to_string(seq));
      text(audit, 4, path);
      db.run(audit);
    }
    db.exec("COMMIT");
    ++batches;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
                        usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  std::printf(
      "{\"cases_per_s\": %.1f, \"cases\": %ld, \"batches\": %ld, \"batch\": %d, \"seconds\": "
      "%.2f, \"cpu_us_per_case\": %.1f, \"synchronous\": \"%s\"}\n",
      cases / seconds, cases, batches, args.batch, seconds, cpu_us / cases,
      args.full ? "FULL" : "NORMAL");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "sqlite_ceiling: %s\n", e.what());
  return 1;
}
