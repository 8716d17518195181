#pragma once

#include "admin/resource.hpp"

namespace pbx::admin {

class CloudonixLink;

struct WebhookUrls {
  std::string voice_route, session_update, cdr;
};

// The service's URLs for this base; the webhook ones carry `token` in their query string.
WebhookUrls urls_of(const std::string& base, const std::string& token);

std::vector<store::Statement> settings_statements();

// /api/v1/settings (GET, PATCH) and the one-time display of a new requests API key, webhook
// secret or webhook token (POST /api/v1/settings/requests-key, /webhook-secret,
// /webhook-token).
// A new requests key or webhook token on a tenant paired with Cloudonix is pushed to its domain
// profile through `cloudonix` (when given).
void add_settings_routes(http::Router& router, ResourceDeps deps,
                         CloudonixLink* cloudonix = nullptr);

}  // namespace pbx::admin
