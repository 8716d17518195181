#pragma once

#include "admin/auth.hpp"
#include "http/router.hpp"
#include "store/pg.hpp"
#include "store/replica.hpp"

#include <functional>
#include <vector>

namespace pbx::admin {

struct ReportDeps {
  store::PgPool& pg;
  store::ReportReads& reports;
  // Authenticates and applies the admin rate limits.
  std::function<Principal(const http::Request&)> guard;
};

// The statements of the read-only report endpoints.
std::vector<store::Statement> report_statements();

// Registers the read-only reports: the CDR routes (cdr/routes.hpp), /api/v1/calls/active,
// /api/v1/calls/{session}, /api/v1/webhook-events and /api/v1/dead-letters.
void add_report_routes(http::Router& router, ReportDeps deps);

}  // namespace pbx::admin
