#include "core/metrics.hpp"

#include <fmt/format.h>

namespace pbx::metrics {

void Histogram::observe(std::chrono::nanoseconds d) {
  double seconds = std::chrono::duration<double>(d).count();
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(d.count()), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out +=
        fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBounds[i], cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {:.9f}\n", name, braces,
                     static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  out += fmt::format("{}_count{} {}\n", name, braces, count_.load(std::memory_order_relaxed));
}

Counter& Registry::counter(const std::string& name, const std::string& help,
                           const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& family = families_[name];
  family.help = help;
  auto& slot = family.counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& family = families_[name];
  family.help = help;
  family.type = "histogram";
  auto& slot = family.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help,
                       const std::string& labels) {
  std::lock_guard lock(mutex_);
  auto& family = families_[name];
  family.help = help;
  family.type = "gauge";
  auto& slot = family.gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name, family.type);
    // An init-capture: clang cannot capture a structured binding.
    auto sample = [&out, &metric = name](const std::string& labels, auto value) {
      out += labels.empty() ? fmt::format("{} {}\n", metric, value)
                            : fmt::format("{}{{{}}} {}\n", metric, labels, value);
    };
    for (const auto& [labels, c] : family.counters) sample(labels, c->value());
    for (const auto& [labels, g] : family.gauges) sample(labels, g->value());
    for (const auto& [labels, h] : family.histograms) h->render(out, name, labels);
  }
  return out;
}

Registry& registry() {
  static Registry r;
  return r;
}

std::string label(const std::string& key, const std::string& value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      escaped.push_back('\\');
      escaped.push_back(c);
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped.push_back(c);
    }
  }
  return key + "=\"" + escaped + "\"";
}

}  // namespace pbx::metrics
