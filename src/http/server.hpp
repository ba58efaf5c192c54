// The HTTP/1.1 server: Boost.Beast on a few I/O threads, with every handler
// run synchronously on a separate worker pool, so a slow database call never
// stalls the sockets. This header is free of Beast and Asio on purpose.
//
// Thread safety: start(), stop() and wait() are for the owning thread; the
// handler is called concurrently from the worker threads.
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
  int io_threads = 2;
  int workers = 8;
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
