#pragma once

#include "admin/resource.hpp"

namespace pbx::admin {

std::vector<store::Statement> settings_statements();

// /api/v1/settings (GET, PATCH) and the one-time display of a new requests API key, webhook
// secret or webhook token (POST /api/v1/settings/requests-key, /webhook-secret,
// /webhook-token).
void add_settings_routes(http::Router& router, ResourceDeps deps);

}  // namespace pbx::admin
