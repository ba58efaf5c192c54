// In-app notifications (消息通知): what the people concerned by a case (or,
// later, an activity) are told, kept in the database and delivered live to
// their open pages as server-sent events.
//
// Writers record notices inside their own write transaction — so a notice
// exists exactly when the change it reports does — and publish them after the
// commit. A notice published to nobody (no page open, or the server crashed
// between commit and publish) is not lost: it is listed, and a reconnecting
// page asks for what came after the last id it saw (Last-Event-ID).
//
// Thread safety: safe from any thread; the table of open streams is behind a
// mutex and sinks are called outside it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"
#include "modules/auth/model.hpp"

namespace cg::db {
class Conn;
class Database;
}  // namespace cg::db

namespace cg::notify {

struct Notice {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string kind;  // case.reported | case.dispatched | case.progress | case.overdue | …
  std::string title;
  std::string body;
  std::string subject_type;  // "case"
  std::optional<std::int64_t> subject_id;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> read_at;
};

struct Query {
  bool unread_only = false;
  std::optional<std::int64_t> before_id;  // keyset cursor
  int limit = 20;
  // Only kinds starting with this ("volunteer."); empty: every kind. Used by
  // modules that list their own notices (not a query parameter of the API).
  std::string kind_prefix;
};

struct Page {
  std::vector<Notice> items;
  std::optional<std::int64_t> next_before;
  std::int64_t unread_count = 0;
};

class Notifier {
 public:
  explicit Notifier(db::Database& db);
  ~Notifier();

  // Stores `notices` in the caller's transaction (ids and times filled in).
  std::vector<Notice> record(db::Conn& conn, std::vector<Notice> notices, std::int64_t now) const;
  // Sends recorded notices to the open streams of their users.
  void publish(const std::vector<Notice>& notices);

  Result<Page> list(const auth::Actor& actor, const Query& query) const;
  // Marks the caller's notices read (the given ids, or all); the unread count after.
  Result<std::int64_t> mark_read(const auth::Actor& actor, const std::vector<std::int64_t>& ids,
                                 bool all) const;
  // A live stream for the caller, starting with what came after `last_seen`
  // (or the unread count only). 429 beyond kMaxStreamsPerUser open streams.
  Result<std::shared_ptr<http::EventSource>> open_stream(const auth::Actor& actor,
                                                         std::optional<std::int64_t> last_seen);
  std::size_t open_streams() const;

  static constexpr std::size_t kMaxStreamsPerUser = 6;

 private:
  class Stream;
  std::uint64_t subscribe(std::int64_t user_id, http::EventSource::Sink sink);
  void unsubscribe(std::int64_t user_id, std::uint64_t token);

  db::Database& db_;
  mutable std::mutex mutex_;
  std::uint64_t next_token_ = 1;
  std::multimap<std::int64_t, std::pair<std::uint64_t, http::EventSource::Sink>> sinks_;
};

// The SSE frame of a notice ("id:", "event: notification", "data: {json}").
std::string event_frame(const Notice& n);
std::string notice_json(const Notice& n);

}  // namespace cg::notify
