#include "http/route_metrics.hpp"

#include <utility>

namespace pbx::http {

RouteMetrics::RouteMetrics(std::string labels)
    : labels_(std::move(labels)),
      latency_(&metrics::registry().histogram("pbx_http_request_duration_seconds",
                                              "HTTP request latency by route", labels_)) {}

void RouteMetrics::observe(int status, std::chrono::nanoseconds elapsed) {
  latency_->observe(elapsed);
  if (status < 0 || status >= kMaxStatus) status = 0;
  auto* counter = by_status_[status].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &metrics::registry().counter(
        "pbx_http_requests_total", "HTTP requests by route and status",
        labels_ + "," + metrics::label("status", std::to_string(status)));
    by_status_[status].store(counter, std::memory_order_release);
  }
  counter->inc();
}

}  // namespace pbx::http
