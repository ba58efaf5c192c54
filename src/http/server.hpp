// The HTTP/1.1 server: Boost.Beast on one Asio event loop run by `threads`
// threads. A request is read, handled and answered on the same thread, on its
// connection's strand: no hand-off to another thread on the way. A handler may
// block (a database write waiting for its group commit, an import): it holds
// its thread and its connection only; the other threads go on serving the
// other connections. This header is free of Beast and Asio on purpose.
//
// Thread safety: start(), stop() and wait() are for the owning thread; the
// handler is called concurrently from the server's threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http/message.hpp"

namespace cg::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port; see Server::port()
  // Threads that read, handle and write: as many handlers as this run at
  // once (a handler blocked on the database keeps its thread).
  int threads = 8;
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 12 * 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds idle_timeout{75};
  // A comment line on every open event stream this often, so proxies keep
  // it open and a vanished client is noticed by the failed write.
  std::chrono::milliseconds event_heartbeat{20'000};
};

class Server {
 public:
  using Handler = std::function<Response(Request&)>;
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads; throws when the address cannot be bound.
  void start();
  int port() const;
  // Stops accepting, lets in-flight requests finish and answer, closes idle
  // connections, and joins every thread. Safe to call more than once.
  void stop();
  // Blocks until SIGINT or SIGTERM, then stops.
  void run_until_signal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cg::http
