#include "cdr/retention.hpp"

#include "cdr/query.hpp"
#include "core/metrics.hpp"

#include <optional>
#include <string>

namespace pbx::cdr {

namespace {

// Rollup rows of hours before the cutoff in which no call is left.
std::string make_empty_rollups_sql() {
  std::string sql =
      "DELETE FROM cdr_rollups WHERE tenant_id = $1"
      " AND hour + interval '1 hour' <= now() - make_interval(days => $2)";
  for (const auto& d : dispositions()) sql += " AND " + d + "_calls = 0";
  return sql;
}

}  // namespace

std::vector<store::Statement> cdr_retention_statements() {
  static const std::string empty_rollups = make_empty_rollups_sql();
  return {
      {"retention_cdr_scopes",
       "SELECT id::text, coalesce(cdr_retention_days, $1) FROM tenants ORDER BY id"},
      // The oldest expired CDRs first, through (tenant_id, started_at, id); their calls and
      // session updates by their session token, through those tables' own indexes.
      {"retention_cdrs",
       "WITH gone AS (DELETE FROM cdrs WHERE id IN (SELECT id FROM cdrs"
       " WHERE tenant_id = $1 AND started_at < now() - make_interval(days => $2)"
       " ORDER BY started_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING session_token),"
       " calls_gone AS (DELETE FROM calls WHERE tenant_id = $1"
       " AND session_token IN (SELECT session_token FROM gone)),"
       " events_gone AS (DELETE FROM session_events WHERE tenant_id = $1"
       " AND session_token IN (SELECT session_token FROM gone))"
       " SELECT count(*) FROM gone"},
      {"retention_empty_cdr_rollups", empty_rollups.c_str()},
  };
}

store::AgedRows cdr_rows(int keep_days) {
  static auto& removed = metrics::registry().counter(
      "pbx_cdr_removed_total", "CDRs removed after the retention period, with their calls");
  static auto& failures = metrics::registry().counter("pbx_cdr_retention_errors_total",
                                                      "CDR retention batches that failed");
  return {
      "CDRs",
      keep_days,
      "retention_cdr_scopes",
      [](pqxx::work& tx, const std::optional<std::string>& tenant, int days, int batch) {
        auto n = tx.exec_prepared1("retention_cdrs", *tenant, days, batch)[0].as<std::uint64_t>();
        // The trigger took the CDRs back from their rollup rows when the statement ended.
        if (n > 0) tx.exec_prepared0("retention_empty_cdr_rollups", *tenant, days);
        return n;
      },
      &removed,
      &failures,
  };
}

}  // namespace pbx::cdr
