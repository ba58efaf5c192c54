#include "app/periodic.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <exception>
#include <mutex>

namespace cg {

namespace {

void loop(std::stop_token stop, const std::string& name, std::chrono::seconds period,
          const std::function<void()>& run) {
  std::mutex m;
  std::condition_variable_any wake;
  std::unique_lock lock(m);
  // Waits out each period; a stop request ends the wait (and the loop) at once.
  while (!wake.wait_for(lock, stop, period, [&stop] { return stop.stop_requested(); })) {
    try {
      run();
    } catch (const std::exception& e) {
      spdlog::warn("{}失败：{}", name, e.what());
    }
  }
}

}  // namespace

Periodic::Periodic(std::string name, std::chrono::seconds period, std::function<void()> run)
    : thread_([name = std::move(name), period, run = std::move(run)](std::stop_token stop) {
        loop(stop, name, period, run);
      }) {}

}  // namespace cg
