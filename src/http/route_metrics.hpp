#pragma once

// Per-route request counters and latency, resolved once so that requests never take a lock.

#include "core/metrics.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <string>

namespace pbx::http {

class RouteMetrics {
 public:
  // labels: the route's metric labels ('route="...",method="..."').
  explicit RouteMetrics(std::string labels);

  void observe(int status, std::chrono::nanoseconds elapsed);

 private:
  static constexpr int kMaxStatus = 600;
  std::string labels_;
  metrics::Histogram* latency_;
  // One counter per status, created on first sight.
  std::array<std::atomic<metrics::Counter*>, kMaxStatus> by_status_{};
};

}  // namespace pbx::http
