#include "webhooks/retention.hpp"

#include "core/metrics.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>

namespace pbx::webhooks {

namespace {

metrics::Counter& removed() {
  static auto& c = metrics::registry().counter(
      "pbx_webhook_log_removed_total", "Webhook log rows removed after the retention period");
  return c;
}

metrics::Counter& failures() {
  static auto& c = metrics::registry().counter("pbx_webhook_log_retention_errors_total",
                                               "Webhook log retention batches that failed");
  return c;
}

}  // namespace

std::vector<store::Statement> Retention::statements() {
  return {
      {"retention_tenants", "SELECT id::text FROM tenants ORDER BY id"},
      {"retention_webhook_events",
       "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events"
       " WHERE tenant_id = $1 AND received_at < now() - make_interval(days => $2)"
       " LIMIT $3 FOR UPDATE SKIP LOCKED)"},
      // Refusals sampled before a tenant was known.
      {"retention_untenanted_webhook_events",
       "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events"
       " WHERE tenant_id IS NULL AND received_at < now() - make_interval(days => $1)"
       " LIMIT $2 FOR UPDATE SKIP LOCKED)"},
  };
}

Retention::Retention(store::PgPool& pg, RetentionOptions options) : pg_(pg), options_(options) {}

Retention::~Retention() { stop(); }

void Retention::start() {
  thread_ = std::thread([this] {
    do {
      try {
        auto n = run_once();
        if (n > 0) spdlog::info("webhook log retention: {} rows removed", n);
      } catch (const std::exception& e) {
        failures().inc();
        spdlog::warn("webhook log retention: {}", e.what());
      }
    } while (wait(options_.interval));
  });
}

void Retention::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Retention::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

std::uint64_t Retention::remove_all(const std::optional<std::string>& tenant) {
  std::uint64_t total = 0;
  for (;;) {
    auto n = pg_.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto r = tenant ? tx.exec_prepared("retention_webhook_events", *tenant, options_.keep_days,
                                         options_.batch)
                      : tx.exec_prepared("retention_untenanted_webhook_events", options_.keep_days,
                                         options_.batch);
      tx.commit();
      return static_cast<std::uint64_t>(r.affected_rows());
    });
    total += n;
    removed().inc(n);
    if (n < static_cast<std::uint64_t>(options_.batch) || !wait(options_.pause)) return total;
  }
}

std::uint64_t Retention::run_once() {
  auto tenants = pg_.with([](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    std::vector<std::string> ids;
    for (const auto& row : tx.exec_prepared("retention_tenants")) ids.push_back(row[0].c_str());
    return ids;
  });
  std::uint64_t total = remove_all(std::nullopt);
  for (const auto& id : tenants) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    total += remove_all(id);
  }
  return total;
}

}  // namespace pbx::webhooks
