#pragma once

// CDR reads for the admin API: pages, one record, stats and the CSV export. Every read is
// scoped to one tenant, whose id is always a bound parameter.

#include "cdr/query.hpp"
#include "store/pg.hpp"
#include "store/replica.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbx::cdr {

// {"data": [...], "next_cursor": "..." | null}
nlohmann::json list_cdrs(store::ReportReads& reads, const std::string& tenant_id,
                         const CdrListQuery& q);

// The CDR item; Error::not_found for an unknown, malformed or other tenant's id.
nlohmann::json get_cdr(store::PgPool& pg, const std::string& tenant_id, const std::string& id);

// The CDR of one call, or null.
nlohmann::json cdr_of_session(pqxx::transaction_base& tx, const std::string& tenant_id,
                              const std::string& session_token);

// A number filter has no rollup: its stats read every CDR of the range. Beyond this many calls
// in the range that would take seconds, so such a request is refused.
inline constexpr std::int64_t kMaxNumberScan = 250'000;

// {"total", "answered", "missed", "average_duration", "average_billsec", "by_disposition",
//  "by_day": [{"date", "total", "answered"}]}, days in the tenant's time zone. Sums the hourly
// rollups, except for an extension or number filter. Error::validation, naming a from_date that
// would do, when a number filter meets more than max_number_scan calls.
nlohmann::json cdr_stats(store::ReportReads& reads, const std::string& tenant_id,
                         const CdrFilter& f, std::int64_t max_number_scan = kMaxNumberScan);

// Writes the header and then every matching row as CSV, in chunks fetched by keyset so that
// memory stays flat whatever the row count. Returns false when write refused a chunk.
bool export_csv(store::ReportReads& reads, const std::string& tenant_id, const CdrListQuery& q,
                const std::function<bool(std::string_view)>& write);

// The statements of every read above.
std::vector<store::Statement> cdr_statements();

// Report statements take optional filters as parameters: planning each call with the actual
// values lets Postgres pick the index that fits the filters given. JIT compilation is off for
// them: the planner's estimates for a statement that may read CDRs are large enough to trigger
// it, and compiling costs about a second where running takes milliseconds.
void plan_per_call(pqxx::transaction_base& tx);

}  // namespace pbx::cdr
