// The one clock of the application, so every timestamp is epoch milliseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace cg {

inline std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace cg
