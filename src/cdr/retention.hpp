#pragma once

#include "store/pg.hpp"
#include "store/retention.hpp"

#include <vector>

namespace pbx::cdr {

// A tenant's CDRs age out after keep_days, or the tenant's own cdr_retention_days, counted from
// the call's start; the call's row (calls) and its session updates (session_events) go with
// its CDR. The rollups follow the CDRs (their trigger takes the removed CDRs back), and the
// rollup rows of expired hours, then empty, are removed too.
store::AgedRows cdr_rows(int keep_days);

std::vector<store::Statement> cdr_retention_statements();

}  // namespace pbx::cdr
