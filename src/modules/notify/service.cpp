#include "modules/notify/service.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "db/db.hpp"
#include "modules/notify/store.hpp"

namespace cg::notify {
namespace {

namespace json = boost::json;

// How many missed notices a reconnecting page is sent at most; it lists the
// rest through the API.
constexpr int kReplayLimit = 50;

Status signed_in_user(const auth::Actor& actor) {
  if (actor.who.user_id <= 0) return fail(errors::forbidden("只有登录用户才有消息"));
  return {};
}

std::string unread_frame(std::int64_t count) {
  return fmt::format("event: unread\ndata: {{\"unread_count\":{}}}\n\n", count);
}

}  // namespace

std::string notice_json(const Notice& n) {
  json::object o{{"id", n.id},
                 {"kind", n.kind},
                 {"title", n.title},
                 {"body", n.body},
                 {"subject_type", n.subject_type},
                 {"created_at", n.created_at}};
  o["subject_id"] = n.subject_id ? json::value(*n.subject_id) : nullptr;
  o["read_at"] = n.read_at ? json::value(*n.read_at) : nullptr;
  return json::serialize(o);
}

std::string event_frame(const Notice& n) {
  return fmt::format("id: {}\nevent: notification\ndata: {}\n\n", n.id, notice_json(n));
}

// One open page of one user: registered with the notifier while the
// connection lasts.
class Notifier::Stream : public http::EventSource {
 public:
  Stream(Notifier& owner, std::int64_t user_id, std::string first_bytes)
      : owner_(owner), user_id_(user_id), first_bytes_(std::move(first_bytes)) {}

  void start(Sink sink) override {
    // What the page missed goes first; a notice published meanwhile may come
    // twice, and pages drop an id they have already seen.
    sink(std::move(first_bytes_));
    token_ = owner_.subscribe(user_id_, std::move(sink));
  }
  void stop() override {
    if (token_) owner_.unsubscribe(user_id_, token_);
    token_ = 0;
  }

 private:
  Notifier& owner_;
  std::int64_t user_id_;
  std::string first_bytes_;
  std::uint64_t token_ = 0;
};

Notifier::Notifier(db::Database& db) : db_(db) {}
Notifier::~Notifier() = default;

std::vector<Notice> Notifier::record(db::Conn& conn, std::vector<Notice> notices,
                                     std::int64_t now) const {
  for (Notice& n : notices) {
    n.created_at = now;
    n.id = store::insert(conn, n);
  }
  return notices;
}

void Notifier::publish(const std::vector<Notice>& notices) {
  for (const Notice& n : notices) {
    std::vector<std::pair<std::uint64_t, http::EventSource::Sink>> targets;
    {
      std::lock_guard lock(mutex_);
      auto [from, to] = sinks_.equal_range(n.user_id);
      for (auto it = from; it != to; ++it) targets.push_back(it->second);
    }
    const std::string frame = event_frame(n);
    for (auto& [token, sink] : targets) {
      if (!sink(frame)) unsubscribe(n.user_id, token);
    }
  }
}

Result<Page> Notifier::list(const auth::Actor& actor, const Query& query) const {
  if (auto ok = signed_in_user(actor); !ok) return fail(ok.error());
  return db_.read([&](db::Conn& conn) {
    Page page;
    page.items = store::page(conn, actor.who.user_id, query);
    if (static_cast<int>(page.items.size()) > query.limit) {
      page.items.resize(static_cast<std::size_t>(query.limit));
      page.next_before = page.items.back().id;
    }
    page.unread_count = store::unread_count(conn, actor.who.user_id);
    return page;
  });
}

Result<std::int64_t> Notifier::mark_read(const auth::Actor& actor,
                                         const std::vector<std::int64_t>& ids, bool all) const {
  if (auto ok = signed_in_user(actor); !ok) return fail(ok.error());
  return db_.write([&](db::Conn& conn) {
    if (all)
      store::mark_all_read(conn, actor.who.user_id, now_ms());
    else
      store::mark_read(conn, actor.who.user_id, ids, now_ms());
    return store::unread_count(conn, actor.who.user_id);
  });
}

Result<std::shared_ptr<http::EventSource>> Notifier::open_stream(
    const auth::Actor& actor, std::optional<std::int64_t> last_seen) {
  if (auto ok = signed_in_user(actor); !ok) return fail(ok.error());
  const std::int64_t user = actor.who.user_id;
  {
    std::lock_guard lock(mutex_);
    if (sinks_.count(user) >= kMaxStreamsPerUser)
      return fail(errors::rate_limited("打开的实时消息页面过多，请关闭一些页面后重试"));
  }
  // "retry" tells the browser how soon to reconnect after a drop.
  std::string first = "retry: 5000\n\n";
  db_.read([&](db::Conn& conn) {
    if (last_seen) {
      for (const Notice& n : store::after(conn, user, *last_seen, kReplayLimit))
        first += event_frame(n);
    }
    first += unread_frame(store::unread_count(conn, user));
  });
  return std::make_shared<Stream>(*this, user, std::move(first));
}

std::size_t Notifier::open_streams() const {
  std::lock_guard lock(mutex_);
  return sinks_.size();
}

std::uint64_t Notifier::subscribe(std::int64_t user_id, http::EventSource::Sink sink) {
  std::lock_guard lock(mutex_);
  const std::uint64_t token = next_token_++;
  sinks_.emplace(user_id, std::pair{token, std::move(sink)});
  return token;
}

void Notifier::unsubscribe(std::int64_t user_id, std::uint64_t token) {
  std::lock_guard lock(mutex_);
  auto [from, to] = sinks_.equal_range(user_id);
  for (auto it = from; it != to; ++it) {
    if (it->second.first == token) {
      sinks_.erase(it);
      return;
    }
  }
}

}  // namespace cg::notify
