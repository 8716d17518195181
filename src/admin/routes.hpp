#pragma once

#include "core/secret_box.hpp"
#include "http/router.hpp"
#include "provisioning/sync_pacer.hpp"
#include "store/pg.hpp"
#include "store/rate_limiter.hpp"
#include "store/replica.hpp"
#include "webhooks/writer.hpp"

#include <functional>

namespace pbx::admin {

class CloudonixLink;

struct AdminDeps {
  store::PgPool& pg;
  store::ReportReads& reports;  // where CDR lists, stats and exports read
  store::RateLimiter& limiter;
  webhooks::Writer& writer;
  const crypto::SecretBox& secrets;  // seals what the admin API stores and must read back
  std::function<void()> applied;     // as ResourceDeps::applied
  int rate_per_token = 600;          // admin requests per minute
  int rate_per_ip = 1200;
  CloudonixLink* cloudonix = nullptr;    // the settings/cloudonix routes, when given
  provisioning::Pacer* pacer = nullptr;  // the Cloudonix sync's routes, when given
  std::string cloudonix_api_url;
};

std::vector<store::Statement> admin_statements();

// Registers the /api/v1 routes.
void add_admin_routes(http::Router& router, AdminDeps deps);

}  // namespace pbx::admin
