// Request counters and latency histograms per route, rendered in the
// Prometheus text format at /metrics.
//
// Thread safety: observe() and render() may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace cg::http {

class Metrics {
 public:
  Metrics();
  void observe(const std::string& method, const std::string& route, int status, double seconds);
  // Adds text produced at render time (e.g. database pool gauges).
  void add_source(std::function<std::string()> source);
  std::string render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::vector<std::function<std::string()>> sources_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace cg::http
