// A write the server acknowledged survives `kill -9`, and SIGTERM shuts the
// server down cleanly with exit code 0. Runs the real civicgrid binary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "app/app.hpp"
#include "db/db.hpp"
#include "support/test_app.hpp"

namespace cg::test {
namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The civicgrid binary serving `db_url` on a free port; its stdout and stderr
// go to `log_path` when one is given.
class ServerProcess {
 public:
  ServerProcess(const std::string& db_url, const std::string& data_dir,
                const std::string& log_path = "")
      : port_(free_port()) {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!log_path.empty()) {
        int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::string port = std::to_string(port_);
      ::execl(CIVICGRID_BINARY, CIVICGRID_BINARY, "serve", "--db", db_url.c_str(), "--data-dir",
              data_dir.c_str(), "--port", port.c_str(), "--web-dir", "/nonexistent", nullptr);
      ::_exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      try {
        if (Client(port_).get("/healthz").status == 200) return;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "server did not start";
  }
  ~ServerProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }
  int port() const { return port_; }
  int stop(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

std::int64_t count_buildings(TestApp& app) {
  auto opened = open_app(app.app().config);
  auto n = opened->db->read(
      [](db::Conn& c) { return c.query("SELECT COUNT(*) FROM buildings").front().i64(0); });
  opened->db->close();
  return n;
}

TEST(Durability, AcknowledgedWritesSurviveKill9) {
  TestApp app;
  std::int64_t before = count_buildings(app);
  int acknowledged = 0;
  {
    ServerProcess server(app.db_url(), app.data_dir());
    Client c(server.port());
    c.login("bachang_worker");
    for (int i = 0; i < 40; ++i) {
      auto res = c.post("/api/v1/buildings", {{"grid_id", app.world().grid1},
                                              {"name", "持久" + std::to_string(i) + "幢"}});
      if (res.status == 201) ++acknowledged;
    }
    ASSERT_EQ(acknowledged, 40);
    int status = server.stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  EXPECT_EQ(count_buildings(app), before + acknowledged);
}

std::int64_t count_rows(TestApp& app, const std::string& sql) {
  auto opened = open_app(app.app().config);
  auto n = opened->db->read([&](db::Conn& c) { return c.query(sql).front().i64(0); });
  opened->db->close();
  return n;
}

// A resident's report acknowledged with 201 is there after kill -9, with its
// timeline entry and its idempotency key (a retry after the crash finds it).
TEST(Durability, AcknowledgedCasesSurviveKill9) {
  TestApp app;
  const std::int64_t category =
      count_rows(app, "SELECT MIN(id) FROM case_categories WHERE parent_id IS NOT NULL");
  int acknowledged = 0;
  {
    ServerProcess server(app.db_url(), app.data_dir());
    Client c(server.port());
    c.login("grid1_worker");
    for (int i = 0; i < 30; ++i) {
      auto res = c.send(
          "POST", "/api/v1/cases",
          boost::json::serialize(boost::json::object{{"title", "楼道堆物" + std::to_string(i)},
                                                     {"category_id", category},
                                                     {"grid_id", app.world().grid1}}),
          "application/json", {{"Idempotency-Key", "kill9-" + std::to_string(i)}});
      if (res.status == 201) ++acknowledged;
    }
    ASSERT_EQ(acknowledged, 30);
    int status = server.stop(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  EXPECT_EQ(count_rows(app, "SELECT COUNT(*) FROM cases"), acknowledged);
  EXPECT_EQ(count_rows(app, "SELECT COUNT(*) FROM case_events WHERE action = 'create'"),
            acknowledged);
  EXPECT_EQ(count_rows(app, "SELECT COUNT(*) FROM case_idempotency"), acknowledged);
}

TEST(Durability, SigtermFinishesGracefullyWithExitCodeZero) {
  TestApp app;
  ServerProcess server(app.db_url(), app.data_dir());
  Client c(server.port());
  c.login("bachang_worker");
  EXPECT_EQ(c.get("/api/v1/me").status, 200);
  int status = server.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Written to a file (not a terminal), log lines are buffered: the start-up
// line is there as soon as the server answers, a request's line within about
// a second, and the last lines at a SIGTERM.
TEST(Durability, LogLinesReachAFileWithinASecondAndAllAtSigterm) {
  TestApp app;
  const std::string log = app.data_dir() + "/serve.log";
  ServerProcess server(app.db_url(), app.data_dir(), log);
  EXPECT_NE(read_file(log).find("已启动"), std::string::npos) << read_file(log);
  Client c(server.port());
  auto res = c.send("GET", "/api/v1/no-such-thing", "", "", {{"X-Request-Id", "log-test-1"}});
  EXPECT_EQ(res.status, 404);
  bool seen = false;
  for (int i = 0; i < 30 && !seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen = read_file(log).find("id=log-test-1") != std::string::npos;
  }
  EXPECT_TRUE(seen) << "the request's line did not reach the file in 3 s: " << read_file(log);
  c.send("GET", "/api/v1/no-such-thing", "", "", {{"X-Request-Id", "log-test-2"}});
  const int status = server.stop(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status));
  const std::string all = read_file(log);
  EXPECT_NE(all.find("id=log-test-2"), std::string::npos) << all;
  EXPECT_NE(all.find("已停止"), std::string::npos) << all;
}

// A deployment lists its primary and standby; libpq skips the host that does
// not answer and keeps the writable one.
TEST(Storage, MultiHostPostgresUrlFindsTheWritableServer) {
  if (!testing_postgres()) GTEST_SKIP() << "PostgreSQL only";
  TestApp app;
  const std::string& url = app.db_url();  // postgresql://user@host:port/db
  std::size_t at = url.find('@') + 1;
  std::string dead_first = url.substr(0, at) + "127.0.0.1:1," + url.substr(at);
  dead_first += (dead_first.find('?') == std::string::npos ? "?" : "&");
  dead_first += "target_session_attrs=read-write&connect_timeout=2";
  auto db = db::Database::open(dead_first);
  std::int64_t n = db->write([](db::Conn& c) {
    c.exec("INSERT INTO tags (name, community_id, created_at) VALUES ('多主机', NULL, 1)");
    return c.query("SELECT COUNT(*) FROM tags WHERE name = '多主机'").front().i64(0);
  });
  EXPECT_EQ(n, 1);
  db->close();
}

}  // namespace
}  // namespace cg::test
