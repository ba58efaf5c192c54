// A background task run every `period` on a thread of its own: the first run
// one period after start, never while the previous one is still going. A run
// that throws is logged ("<name>失败：…") and the next one tries again, so one
// bad pass never stops the schedule. Destroying it wakes a sleeping wait and
// joins, so the task's owner may declare it last and be sure no run outlives
// what it uses.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace cg {

class Periodic {
 public:
  Periodic() = default;  // runs nothing
  Periodic(std::string name, std::chrono::seconds period, std::function<void()> run);

 private:
  std::jthread thread_;
};

}  // namespace cg
