#pragma once

#include "admin/resource.hpp"

namespace pbx::admin {

std::vector<store::Statement> settings_statements();

// The members PATCH /api/v1/settings takes, with their limits; only those sent are checked
// (null clears the optional ones).
const std::vector<Field>& settings_fields();
void check_settings_patch(const Json& body, Errors& errors);

// /api/v1/settings (GET, PATCH) and the one-time display of a new requests API key, webhook
// secret or webhook token (POST /api/v1/settings/requests-key, /webhook-secret,
// /webhook-token).
void add_settings_routes(http::Router& router, ResourceDeps deps);

}  // namespace pbx::admin
