#pragma once

#include "store/pg.hpp"
#include "store/retention.hpp"

#include <vector>

namespace pbx::webhooks {

// The webhook log (webhook_events, refused samples included) ages out after keep_days, or the
// tenant's own webhook_log_retention_days; samples refused before a tenant was known after
// keep_days.
store::AgedRows webhook_log_rows(int keep_days);

std::vector<store::Statement> webhook_log_retention_statements();

}  // namespace pbx::webhooks
