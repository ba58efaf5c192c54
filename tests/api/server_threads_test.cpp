// The HTTP server's threading, seen from clients over real sockets, with
// handlers of the test's own (no application behind them): a handler that
// blocks holds its own connection only, stop() lets a request in flight answer,
// event streams get what their source sends and the heartbeat, keep-alive and
// pipelining, answers larger than the socket's buffer, timeouts.
//
// Nothing here asserts on durations: a blocked handler is held by a gate the
// test opens, and every wait is for an event (with a generous limit so that a
// failure fails instead of hanging).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "http/server.hpp"

namespace cg::test {
namespace {

using namespace std::chrono_literals;

// A closed gate that handlers wait at until the test opens it; counts who
// arrived so the test can wait until a handler is really inside.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    ++arrived_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  bool wait_arrivals(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return arrived_ >= n; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int arrived_ = 0;
  bool open_ = false;
};

// A plain blocking client socket; every receive gives up after 30 s so a bug
// fails the test rather than hanging it.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval limit{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  void get(const std::string& path) { send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n"); }

  // Reads until `text` has arrived (true) or the peer closed / 30 s passed.
  bool read_until(const std::string& text) {
    while (received_.find(text) == std::string::npos) {
      if (!read_some()) return false;
    }
    return true;
  }
  // Reads until the peer closes the connection; false if it did not within 30 s.
  bool read_until_closed() {
    char buffer[65536];
    for (;;) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
      received_.append(buffer, static_cast<std::size_t>(n));
    }
  }
  // One whole response with a Content-Length body; "" if none came.
  std::string next_response() {
    if (!read_until("\r\n\r\n")) return "";
    std::size_t head_end = received_.find("\r\n\r\n") + 4;
    std::size_t at = received_.find("Content-Length: ");
    std::size_t length = at < head_end ? std::stoul(received_.substr(at + 16)) : std::string::npos;
    while (length != std::string::npos && received_.size() < head_end + length) {
      if (!read_some()) return "";
    }
    std::size_t end = length == std::string::npos ? head_end : head_end + length;
    std::string response = received_.substr(0, end);
    received_.erase(0, end);
    return response;
  }
  const std::string& received() const { return received_; }

 private:
  bool read_some() {
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

std::string body_of(const std::string& response) {
  std::size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

http::Response text(std::string body) {
  http::Response res;
  res.content_type = "text/plain; charset=utf-8";
  res.body = std::move(body);
  return res;
}

// An event source that remembers its sink so the test can send through it.
class TestSource : public http::EventSource {
 public:
  void start(Sink sink) override {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
    changed_.notify_all();
  }
  void stop() override {
    std::lock_guard lock(mutex_);
    ++stops_;
    changed_.notify_all();
  }
  bool send(std::string bytes) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 30s, [&] { return static_cast<bool>(sink_); });
    return sink_ && sink_(std::move(bytes));
  }
  bool wait_stopped() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 30s, [&] { return stops_ > 0; });
  }
  int stops() {
    std::lock_guard lock(mutex_);
    return stops_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  Sink sink_;
  int stops_ = 0;
};

class ServerThreads : public ::testing::Test {
 protected:
  // /slow waits at the gate, /fast answers at once, /big answers `big_size`
  // bytes, /events opens an event stream on `source`.
  void start(int threads, http::ServerOptions options = {}) {
    options.port = 0;
    options.threads = threads;
    server_ = std::make_unique<http::Server>(options, [this](http::Request& req) {
      if (req.path == "/slow") {
        gate.wait();
        return text("slow done");
      }
      if (req.path == "/big") return text(std::string(big_size, 'x'));
      if (req.path == "/no-content" || req.path == "/not-modified") {
        // A handler that leaves a body behind: the server must not send it.
        http::Response res = text("stray body");
        res.status = req.path == "/no-content" ? 204 : 304;
        return res;
      }
      if (req.path == "/events") {
        http::Response res;
        res.events = source;
        return res;
      }
      return text("fast " + req.path);
    });
    server_->start();
  }
  void TearDown() override {
    gate.open();
    if (server_) server_->stop();
  }
  int port() const { return server_->port(); }

  Gate gate;
  std::size_t big_size = 0;
  std::shared_ptr<TestSource> source = std::make_shared<TestSource>();
  std::unique_ptr<http::Server> server_;
};

TEST_F(ServerThreads, ASlowHandlerHoldsItsOwnConnectionOnly) {
  start(2);
  Connection slow(port());
  slow.get("/slow");
  ASSERT_TRUE(gate.wait_arrivals(1));

  // The slow handler is still at the gate: other connections are answered,
  // one after the other, by the thread that is left.
  for (int i = 0; i < 3; ++i) {
    Connection fast(port());
    fast.get("/fast" + std::to_string(i));
    std::string res = fast.next_response();
    EXPECT_EQ(body_of(res), "fast /fast" + std::to_string(i)) << res;
  }
  EXPECT_EQ(slow.received(), "");

  gate.open();
  EXPECT_EQ(body_of(slow.next_response()), "slow done");
}

TEST_F(ServerThreads, WithAllButOneThreadBlockedTheLastStillServes) {
  start(3);
  Connection slow1(port()), slow2(port());
  slow1.get("/slow");
  slow2.get("/slow");
  ASSERT_TRUE(gate.wait_arrivals(2));

  Connection fast(port());
  fast.get("/a");
  fast.get("/b");  // the same connection, after its first answer
  EXPECT_EQ(body_of(fast.next_response()), "fast /a");
  EXPECT_EQ(body_of(fast.next_response()), "fast /b");

  gate.open();
  EXPECT_EQ(body_of(slow1.next_response()), "slow done");
  EXPECT_EQ(body_of(slow2.next_response()), "slow done");
}

TEST_F(ServerThreads, StopLetsTheRequestInFlightAnswerAndThenCloses) {
  start(2);
  Connection idle(port());
  idle.get("/fast");
  ASSERT_NE(idle.next_response(), "");
  Connection slow(port());
  slow.get("/slow");
  ASSERT_TRUE(gate.wait_arrivals(1));

  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  // The idle keep-alive connection is closed; stop() waits for the busy one.
  EXPECT_TRUE(idle.read_until_closed());
  EXPECT_EQ(stopped.wait_for(0s), std::future_status::timeout);

  gate.open();
  std::string res = slow.next_response();
  EXPECT_EQ(body_of(res), "slow done");
  EXPECT_NE(res.find("Connection: close"), std::string::npos) << res;
  EXPECT_TRUE(slow.read_until_closed());
  stopped.get();
}

TEST_F(ServerThreads, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  start(4);
  Connection c(port());
  c.send(
      "GET /one HTTP/1.1\r\nHost: t\r\n\r\n"
      "HEAD /two HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /three HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::string one = c.next_response();
  EXPECT_EQ(one.substr(0, 15), "HTTP/1.1 200 OK") << one;
  EXPECT_EQ(body_of(one), "fast /one");
  // HEAD: the length of the body it would have, and no body.
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  std::string two = c.received().substr(0, c.received().find("\r\n\r\n") + 4);
  EXPECT_NE(two.find("Content-Length: 9\r\n"), std::string::npos) << two;
  EXPECT_TRUE(c.read_until_closed());
  std::string rest = c.received().substr(two.size());
  EXPECT_EQ(rest.find("HTTP/1.1 200 OK"), 0u) << rest;
  EXPECT_NE(rest.find("Connection: close"), std::string::npos) << rest;
  EXPECT_EQ(body_of(rest), "fast /three");
}

TEST_F(ServerThreads, NoContentAndNotModifiedGoOutWithoutBodyOrContentLength) {
  start(2);
  Connection c(port());
  c.send(
      "GET /no-content HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /not-modified HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(c.read_until_closed());
  const std::string& all = c.received();
  std::size_t second = all.find("HTTP/1.1 304 Not Modified\r\n");
  std::size_t third = all.find("HTTP/1.1 200 OK\r\n");
  ASSERT_EQ(all.find("HTTP/1.1 204 No Content\r\n"), 0u) << all;
  ASSERT_NE(second, std::string::npos) << all;
  ASSERT_NE(third, std::string::npos) << all;
  std::string no_content = all.substr(0, second);
  std::string not_modified = all.substr(second, third - second);
  for (const std::string& answer : {no_content, not_modified}) {
    EXPECT_EQ(answer.find("Content-Length"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("stray body"), std::string::npos) << answer;
    EXPECT_EQ(answer.size(), answer.find("\r\n\r\n") + 4) << answer;
  }
  EXPECT_EQ(body_of(all.substr(third)), "fast /last");
}

TEST_F(ServerThreads, AnAnswerLargerThanTheSocketBufferArrivesWhole) {
  big_size = 24 * 1024 * 1024;
  start(2);
  Connection c(port());
  c.get("/big");
  c.get("/after");
  std::string res = c.next_response();
  EXPECT_EQ(body_of(res).size(), big_size);
  EXPECT_EQ(body_of(res).find_first_not_of('x'), std::string::npos);
  EXPECT_EQ(body_of(c.next_response()), "fast /after");
}

TEST_F(ServerThreads, EventStreamsCarryTheSourcesBytesAndTheHeartbeat) {
  http::ServerOptions options;
  options.event_heartbeat = 20ms;
  start(2, options);
  auto c = std::make_unique<Connection>(port());
  c->get("/events");
  ASSERT_TRUE(c->read_until("\r\n\r\n"));
  EXPECT_NE(c->received().find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(c->received().find("Transfer-Encoding: chunked"), std::string::npos);

  ASSERT_TRUE(source->send("event: hello\ndata: 1\n\n"));
  EXPECT_TRUE(c->read_until("event: hello\ndata: 1\n\n"));
  EXPECT_TRUE(c->read_until(": keep-alive\n\n"));
  // Other connections are served while the stream is open.
  Connection other(port());
  other.get("/x");
  EXPECT_EQ(body_of(other.next_response()), "fast /x");

  // The client goes: the next heartbeat fails and the source is stopped once.
  c.reset();
  EXPECT_TRUE(source->wait_stopped());
  EXPECT_EQ(source->stops(), 1);
  EXPECT_FALSE(source->send("event: late\n\n"));
}

TEST_F(ServerThreads, StopEndsOpenEventStreams) {
  start(2);
  Connection c(port());
  c.get("/events");
  ASSERT_TRUE(source->send("data: x\n\n"));
  ASSERT_TRUE(c.read_until("data: x\n\n"));
  server_->stop();
  EXPECT_EQ(source->stops(), 1);
  EXPECT_TRUE(c.read_until_closed());
}

TEST_F(ServerThreads, IdleAndSilentConnectionsAreClosedAtTheirTimeouts) {
  http::ServerOptions options;
  options.read_timeout = 1s;
  options.idle_timeout = 1s;
  start(2, options);
  Connection silent(port());  // never sends a request
  Connection idle(port());    // sends one, then nothing
  idle.get("/fast");
  EXPECT_EQ(body_of(idle.next_response()), "fast /fast");
  EXPECT_TRUE(silent.read_until_closed());
  EXPECT_TRUE(idle.read_until_closed());
  EXPECT_EQ(idle.received(), "");
}

}  // namespace
}  // namespace cg::test
