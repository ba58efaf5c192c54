#include "http/metrics.hpp"

#include <fmt/format.h>

namespace cg::http {

Metrics::Metrics() : started_(std::chrono::steady_clock::now()) {}

void Metrics::observe(const std::string& method, const std::string& route, int status,
                      double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::add_source(std::function<std::string()> source) {
  std::lock_guard lock(mutex_);
  sources_.push_back(std::move(source));
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP civicgrid_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE civicgrid_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format(
        "civicgrid_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method,
        route, status, n);
  }
  out += "# HELP civicgrid_http_request_duration_seconds Request latency by route.\n";
  out += "# TYPE civicgrid_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const auto& [method, route] = key;
    std::string labels = fmt::format("method=\"{}\",route=\"{}\"", method, route);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("civicgrid_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, kBuckets[i], h.buckets[i]);
    }
    out += fmt::format("civicgrid_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       labels, h.count);
    out += fmt::format("civicgrid_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("civicgrid_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  out += "# HELP civicgrid_uptime_seconds Seconds since the server started.\n";
  out += "# TYPE civicgrid_uptime_seconds gauge\n";
  out += fmt::format("civicgrid_uptime_seconds {:.3f}\n", uptime);
  for (const auto& source : sources_) out += source();
  return out;
}

}  // namespace cg::http
