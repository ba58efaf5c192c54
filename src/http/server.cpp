// The one translation unit that includes Boost.Beast and Asio.
#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

namespace cg::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

void parse_query(std::string_view qs, std::multimap<std::string, std::string>& out) {
  while (!qs.empty()) {
    std::size_t amp = qs.find('&');
    std::string_view pair = qs.substr(0, amp);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string key = percent_decode(pair.substr(0, eq), true);
      std::string value =
          eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
      out.emplace(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    qs.remove_prefix(amp + 1);
  }
}

Request to_request(bhttp::request<bhttp::string_body>&& in, const std::string& remote) {
  Request req;
  req.method = std::string(in.method_string());
  req.target = std::string(in.target());
  std::string_view target = in.target();
  std::size_t q = target.find('?');
  req.path = percent_decode(target.substr(0, q), false);
  if (q != std::string_view::npos) parse_query(target.substr(q + 1), req.query);
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  req.body = std::move(in.body());
  req.remote_address = remote;
  return req;
}

bhttp::response<bhttp::string_body> to_beast(Response&& res, unsigned version, bool keep_alive,
                                             bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "CivicGrid");
  if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
  for (auto& [name, value] : res.headers) out.insert(name, value);
  std::size_t length = res.body.size();
  if (!head) out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.content_length(length);
  return out;
}

// The headers of an event stream: chunked, never cached or buffered by a
// proxy, and the connection closes when the stream ends.
bhttp::response<bhttp::empty_body> event_stream_header(Response& res, unsigned version) {
  bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(res.status), version};
  out.set(bhttp::field::server, "CivicGrid");
  out.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
  out.set(bhttp::field::cache_control, "no-cache");
  out.set("X-Accel-Buffering", "no");
  for (auto& [name, value] : res.headers) out.insert(name, value);
  out.keep_alive(false);
  out.chunked(true);
  return out;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  asio::thread_pool workers;
  std::vector<std::thread> io_threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  int bound_port = 0;

  class Session;
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;

  Impl(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        workers(static_cast<std::size_t>(std::max(1, options.workers))) {}

  void accept();
  void close_idle_sessions();
};

// One TCP connection: read a request, hand it to the worker pool, write the
// answer, repeat while keep-alive holds.
class Server::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Called from another thread at shutdown: closes the socket unless a request
  // is being handled (that one finishes and then closes).
  void close_if_idle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->events_) return self->end_events();
      if (!self->busy_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    parser_->body_limit(server_.options.body_limit);
    stream_.expires_after(first_ ? server_.options.read_timeout : server_.options.idle_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    first_ = false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return close();
    }
    if (ec == bhttp::error::body_limit) return reject(413, "请求内容过大");
    if (ec == bhttp::error::header_limit) return reject(431, "请求头过大");
    if (ec) return reject(400, "无法解析的 HTTP 请求");
    busy_ = true;
    auto beast_req = parser_->release();
    unsigned version = beast_req.version();
    bool keep_alive = beast_req.keep_alive();
    bool head = beast_req.method() == bhttp::verb::head;
    auto req = std::make_shared<Request>(to_request(std::move(beast_req), remote_));
    asio::post(server_.workers, [self = shared_from_this(), req, version, keep_alive, head] {
      Response res = self->server_.handler(*req);
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res), version, keep_alive, head]() mutable {
                   if (res.events && !head && !self->server_.stopping)
                     return self->start_events(std::move(res), version);
                   bool keep = keep_alive && !self->server_.stopping;
                   self->write(to_beast(std::move(res), version, keep, head));
                 });
    });
  }

  // Answers a request that could not be read, then closes the connection.
  void reject(int status, const char* title) {
    busy_ = true;
    Response res;
    res.status = status;
    res.content_type = "application/problem+json; charset=utf-8";
    res.body = std::string("{\"type\":\"/problems/bad-http\",\"title\":\"") + title +
               "\",\"status\":" + std::to_string(status) + "}";
    write(to_beast(std::move(res), 11, false, false));
  }

  void write(bhttp::response<bhttp::string_body>&& res) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(std::move(res));
    stream_.expires_after(server_.options.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                         self->busy_ = false;
                         if (ec || !msg->keep_alive()) return self->close();
                         self->read();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // ---- event streams: the headers, then chunks from the source's sink and
  // the heartbeat, written one at a time in order, until either side ends.

  void start_events(Response&& res, unsigned version) {
    events_ = res.events;
    auto header =
        std::make_shared<bhttp::response<bhttp::empty_body>>(event_stream_header(res, version));
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*header);
    stream_.expires_after(server_.options.write_timeout);
    bhttp::async_write_header(
        stream_, *serializer,
        [self = shared_from_this(), header, serializer](beast::error_code ec, std::size_t) {
          self->busy_ = false;
          if (ec) return self->end_events();
          std::weak_ptr<Session> weak = self;
          self->events_->start([weak](std::string bytes) {
            auto s = weak.lock();
            if (!s || s->events_ended_) return false;
            asio::post(s->stream_.get_executor(), [s, bytes = std::move(bytes)]() mutable {
              s->send_event(std::move(bytes));
            });
            return true;
          });
          self->heartbeat();
        });
  }

  void heartbeat() {
    heartbeat_.expires_after(server_.options.event_heartbeat);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->events_ended_) return;
      self->send_event(": keep-alive\n\n");
      self->heartbeat();
    });
  }

  void send_event(std::string bytes) {
    if (events_ended_) return;
    outbox_.push_back(std::move(bytes));
    if (!writing_) write_next_event();
  }

  void write_next_event() {
    if (outbox_.empty() || events_ended_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    auto bytes = std::make_shared<std::string>(std::move(outbox_.front()));
    outbox_.pop_front();
    stream_.expires_after(server_.options.write_timeout);
    asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*bytes)),
                      [self = shared_from_this(), bytes](beast::error_code ec, std::size_t) {
                        if (ec) return self->end_events();
                        self->write_next_event();
                      });
  }

  void end_events() {
    if (events_ended_) return;
    events_ended_ = true;
    heartbeat_.cancel();
    outbox_.clear();
    if (events_) events_->stop();
    close();
  }

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool busy_ = false;
  bool first_ = true;
  // Event streams only.
  std::shared_ptr<EventSource> events_;
  asio::steady_timer heartbeat_{stream_.get_executor()};
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool events_ended_ = false;
};

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!stopping) spdlog::warn("accept failed: {}", ec.message());
      if (ec == asio::error::operation_aborted || stopping) return;
    } else {
      auto session = std::make_shared<Session>(*this, std::move(socket));
      {
        std::lock_guard lock(sessions_mutex);
        sessions.remove_if([](const auto& w) { return w.expired(); });
        sessions.push_back(session);
      }
      session->start();
    }
    if (!stopping) accept();
  });
}

void Server::Impl::close_idle_sessions() {
  std::lock_guard lock(sessions_mutex);
  for (auto& weak : sessions) {
    if (auto s = weak.lock()) s->close_if_idle();
  }
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

void Server::start() {
  auto address = asio::ip::make_address(impl_->options.host);
  tcp::endpoint endpoint{address, static_cast<unsigned short>(impl_->options.port)};
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->bound_port = impl_->acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->accept();
  for (int i = 0; i < std::max(1, impl_->options.io_threads); ++i) {
    impl_->io_threads.emplace_back([this] { impl_->ioc.run(); });
  }
}

int Server::port() const {
  return impl_->bound_port;
}

void Server::stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->stopping = true;
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->close_idle_sessions();
  // Busy sessions finish their request; the work guard goes so that run()
  // returns once the last connection is gone.
  impl_->work.reset();
  for (auto& t : impl_->io_threads) t.join();
  impl_->io_threads.clear();
  impl_->workers.join();
}

void Server::run_until_signal() {
  asio::io_context signal_ioc;
  asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
  signals.async_wait([](beast::error_code, int sig) {
    spdlog::info("received signal {}, shutting down gracefully", sig);
  });
  signal_ioc.run();
  stop();
}

}  // namespace cg::http
