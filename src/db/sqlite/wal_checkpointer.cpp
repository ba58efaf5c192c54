#include "db/sqlite/wal_checkpointer.hpp"

namespace cg::db {

WalCheckpointer::WalCheckpointer(const std::string& filename, const Options& options,
                                 SqliteConn& writer)
    : writer_(writer), conn_(std::make_unique<SqliteConn>(filename, options, false)) {
  // Replaces the automatic checkpoint, which is itself a WAL hook.
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

WalCheckpointer::~WalCheckpointer() {
  stop();
}

void WalCheckpointer::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
  sqlite3_wal_autocheckpoint(writer_.handle(), kPages);
  conn_->close();
}

// Runs on the writer's thread inside COMMIT: only note that work is due.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
  if (wal_pages >= kPages) {
    auto* me = static_cast<WalCheckpointer*>(self);
    {
      std::lock_guard lock(me->mutex_);
      me->due_ = true;
    }
    me->wake_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (wake_.wait(lock, stop, [this] { return due_; })) {
    due_ = false;
    lock.unlock();
    // PASSIVE copies what no reader still needs and never waits; what it
    // leaves is copied next time. A busy or failed attempt is retried then.
    sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
    lock.lock();
  }
}

}  // namespace cg::db
