#pragma once

// The CDR report routes of the admin API: /api/v1/cdrs (JSON pages or CSV), /api/v1/cdrs/{id}
// and /api/v1/cdrs/stats.

#include "http/message.hpp"
#include "http/router.hpp"
#include "store/pg.hpp"
#include "store/replica.hpp"

#include <functional>
#include <string>

namespace pbx::cdr {

struct RouteDeps {
  store::PgPool& pg;
  store::ReportReads& reports;  // lists, stats and exports
  // Authenticates the caller, applies the admin rate limits, refuses a role that may not read
  // call records, and answers the caller's tenant id.
  std::function<std::string(const http::Request&)> reader_tenant;
};

void add_cdr_routes(http::Router& router, RouteDeps deps);

}  // namespace pbx::cdr
