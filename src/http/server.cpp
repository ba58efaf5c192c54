// The one translation unit that includes Boost.Beast and Asio.
#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <chrono>
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

// A header value with CR or LF would end the header early (response
// splitting); handlers never mean to send one, so such bytes become spaces.
void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ");
  std::size_t start = out.size();
  out.append(value);
  for (std::size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  }
  out.append("\r\n");
}

void append_status_line(std::string& out, int status, unsigned version) {
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(status)).push_back(' ');
  out.append(bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
  out.append("\r\n");
}

// 1xx, 204 and 304 answers never carry a body, and RFC 9110 (8.6) forbids
// Content-Length on 204 and on a 304 unless it equals the 200's, which is not
// known here: such an answer gets neither.
bool has_no_body(int status) {
  return status < 200 || status == 204 || status == 304;
}

// The status line and headers of an ordinary response, written straight into
// `out` (kept by the connection, so its capacity is reused): what Beast's
// serializer wrote before, without a field container per response.
void response_head(std::string& out, const Response& res, unsigned version, bool keep_alive,
                   std::size_t content_length) {
  out.clear();
  append_status_line(out, res.status, version);
  out.append("Server: CivicGrid\r\n");
  if (!res.content_type.empty()) append_header(out, "Content-Type", res.content_type);
  for (const auto& [name, value] : res.headers) append_header(out, name, value);
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (version == 10) {
    out.append("Connection: keep-alive\r\n");
  }
  if (has_no_body(res.status)) {
    out.append("\r\n");
    return;
  }
  out.append("Content-Length: ").append(std::to_string(content_length)).append("\r\n\r\n");
}

// The headers of an event stream: chunked, never cached or buffered by a
// proxy, and the connection closes when the stream ends.
void event_stream_head(std::string& out, const Response& res, unsigned version) {
  out.clear();
  append_status_line(out, res.status, version);
  out.append(
      "Server: CivicGrid\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n");
  for (const auto& [name, value] : res.headers) append_header(out, name, value);
  out.append("Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<bool> stopped{false};
  int bound_port = 0;

  class Session;
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<Session>> sessions;

  Impl(ServerOptions o, Handler h)
      : options(std::move(o)), handler(std::move(h)), ioc(std::max(1, options.threads)) {}

  void accept();
  void close_idle_sessions();
};

// One TCP connection, on a strand of its own: read a request, run the handler
// right there (on whichever of the server's threads completed the read), write
// the answer, repeat while keep-alive holds.
class Server::Impl::Session : public std::enable_shared_from_this<Session> {
  using clock = std::chrono::steady_clock;

 public:
  Session(Impl& server, tcp::socket socket) : server_(server), socket_(std::move(socket)) {
    beast::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    // Answers are written whole in one call; never hold the last segment of
    // one back waiting for an ACK (event stream chunks are small).
    socket_.set_option(tcp::no_delay(true), ec);
    // Writes are tried at once and fall back to an asynchronous write only
    // when the socket's buffer is full; reads stay asynchronous.
    socket_.non_blocking(true, ec);
  }

  void start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Called from another thread at shutdown: closes the socket unless a request
  // is being handled (that one finishes, answers and then closes).
  void close_if_idle() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (self->events_) return self->end_events();
      if (!self->busy_) self->close();
    });
  }

 private:
  // ---- timeouts: one timer per connection, armed rarely. An operation moves
  // the deadline (a plain member, all on this strand); the timer, when it
  // fires, closes the connection if the deadline has passed and otherwise
  // waits again until it. (A timer started and cancelled around every read
  // and write cost two more completions per request.)

  void expire_in(clock::duration timeout) {
    deadline_ = clock::now() + timeout;
    if (timer_waiting_ || closed_) return;
    timer_waiting_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_timer(ec); });
  }

  void never_expire() { deadline_ = clock::time_point::max(); }

  void on_timer(beast::error_code ec) {
    timer_waiting_ = false;
    if (ec || closed_ || deadline_ == clock::time_point::max()) return;
    if (clock::now() >= deadline_) return close();  // the pending read or write ends aborted
    timer_waiting_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_timer(ec); });
  }

  // ---- requests

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    parser_->body_limit(server_.options.body_limit);
    expire_in(first_ ? server_.options.read_timeout : server_.options.idle_timeout);
    bhttp::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    first_ = false;
    if (closed_ || ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return close();
    }
    if (ec == bhttp::error::body_limit) return reject(413, "请求内容过大");
    if (ec == bhttp::error::header_limit) return reject(431, "请求头过大");
    if (ec) return reject(400, "无法解析的 HTTP 请求");
    busy_ = true;
    never_expire();
    auto beast_req = parser_->release();
    unsigned version = beast_req.version();
    bool keep_alive = beast_req.keep_alive();
    bool head = beast_req.method() == bhttp::verb::head;
    Request req = to_request(std::move(beast_req), remote_);
    // The handler runs here, on this connection's strand: a slow one holds
    // this thread and this connection only; the server's other threads go on
    // serving the other connections.
    Response res = run_handler(req);
    if (res.events && !head && !server_.stopping) return start_events(std::move(res), version);
    respond(std::move(res), version, keep_alive && !server_.stopping, head);
  }

  Response run_handler(Request& req) {
    try {
      return server_.handler(req);
    } catch (...) {
      // The dispatcher answers exceptions itself; this is for a handler that
      // does not, so that a thread of the server never dies of one.
      Response res;
      res.status = 500;
      res.content_type = "application/problem+json; charset=utf-8";
      res.body = R"({"type":"/problems/internal","title":"服务器内部错误","status":500})";
      return res;
    }
  }

  // Answers a request that could not be read, then closes the connection.
  void reject(int status, const char* title) {
    busy_ = true;
    Response res;
    res.status = status;
    res.content_type = "application/problem+json; charset=utf-8";
    res.body = std::string("{\"type\":\"/problems/bad-http\",\"title\":\"") + title +
               "\",\"status\":" + std::to_string(status) + "}";
    respond(std::move(res), 11, false, false);
  }

  // Writes head and body with one gather write straight away; only what the
  // socket does not take at once is left to an asynchronous write.
  void respond(Response&& res, unsigned version, bool keep_alive, bool head) {
    keep_alive_ = keep_alive;
    response_head(head_, res, version, keep_alive, res.body.size());
    if (has_no_body(res.status)) head = true;
    body_ = std::move(res.body);
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                              asio::buffer(head ? std::string_view{} : body_)};
    std::size_t total = asio::buffer_size(buffers);
    beast::error_code ec;
    std::size_t written = socket_.write_some(buffers, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      written = 0;
    }
    if (ec) return close();
    if (written == total) return after_write();
    beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(buffers);
    rest.consume(written);
    expire_in(server_.options.write_timeout);
    asio::async_write(socket_, rest,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->close();
                        self->after_write();
                      });
  }

  void after_write() {
    busy_ = false;
    body_.clear();
    // stop() may have begun while this answer was being written (then
    // close_if_idle found the connection busy and left it to us).
    if (!keep_alive_ || server_.stopping) return close();
    read();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    socket_.close(ec);
  }

  // ---- event streams: the headers, then chunks from the source's sink and
  // the heartbeat, written one at a time in order, until either side ends.

  void start_events(Response&& res, unsigned version) {
    events_ = res.events;
    auto header = std::make_shared<std::string>();
    event_stream_head(*header, res, version);
    expire_in(server_.options.write_timeout);
    asio::async_write(socket_, asio::buffer(*header),
                      [self = shared_from_this(), header](beast::error_code ec, std::size_t) {
                        self->busy_ = false;
                        self->never_expire();
                        if (ec) return self->end_events();
                        std::weak_ptr<Session> weak = self;
                        self->events_->start([weak](std::string bytes) {
                          auto s = weak.lock();
                          if (!s || s->events_ended_) return false;
                          asio::post(s->socket_.get_executor(),
                                     [s, bytes = std::move(bytes)]() mutable {
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
      never_expire();
      return;
    }
    writing_ = true;
    auto bytes = std::make_shared<std::string>(std::move(outbox_.front()));
    outbox_.pop_front();
    expire_in(server_.options.write_timeout);
    asio::async_write(socket_, bhttp::make_chunk(asio::buffer(*bytes)),
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
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool busy_ = false;
  bool first_ = true;
  bool closed_ = false;
  // The answer being written: kept until the write completes.
  std::string head_;
  std::string body_;
  bool keep_alive_ = false;
  // Timeouts.
  asio::steady_timer timer_{socket_.get_executor()};
  clock::time_point deadline_ = clock::time_point::max();
  bool timer_waiting_ = false;
  // Event streams only.
  std::shared_ptr<EventSource> events_;
  asio::steady_timer heartbeat_{socket_.get_executor()};
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
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
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
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
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
