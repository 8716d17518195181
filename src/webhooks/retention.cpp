#include "webhooks/retention.hpp"

#include "core/metrics.hpp"

#include <optional>
#include <string>

namespace pbx::webhooks {

std::vector<store::Statement> webhook_log_retention_statements() {
  return {
      {"retention_webhook_log_scopes",
       "SELECT NULL::text, $1::int UNION ALL"
       " (SELECT id::text, coalesce(webhook_log_retention_days, $1) FROM tenants ORDER BY id)"},
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

store::AgedRows webhook_log_rows(int keep_days) {
  static auto& removed = metrics::registry().counter(
      "pbx_webhook_log_removed_total", "Webhook log rows removed after the retention period");
  static auto& failures = metrics::registry().counter("pbx_webhook_log_retention_errors_total",
                                                      "Webhook log retention batches that failed");
  return {
      "webhook log rows",
      keep_days,
      "retention_webhook_log_scopes",
      [](pqxx::work& tx, const std::optional<std::string>& tenant, int days, int batch) {
        auto r = tenant ? tx.exec_prepared("retention_webhook_events", *tenant, days, batch)
                        : tx.exec_prepared("retention_untenanted_webhook_events", days, batch);
        return static_cast<std::uint64_t>(r.affected_rows());
      },
      &removed,
      &failures,
  };
}

}  // namespace pbx::webhooks
