#pragma once

#include "admin/resource.hpp"
#include "core/secret_box.hpp"

namespace pbx::admin {

class CloudonixLink;

struct WebhookUrls {
  std::string voice_route, session_update, cdr;
};

// The service's URLs for this base; the webhook ones carry `token` in their query string.
WebhookUrls urls_of(const std::string& base, const std::string& token);

std::vector<store::Statement> settings_statements();

// The members PATCH /api/v1/settings takes, with their limits; only those sent are checked
// (null clears the optional ones).
const std::vector<Field>& settings_fields();
void check_settings_patch(const Json& body, Errors& errors);

// /api/v1/settings (GET, PATCH), the one-time display of a new requests API key, webhook secret
// or webhook token (POST /api/v1/settings/requests-key, /webhook-secret, /webhook-token), and
// the revocation of the previous webhook secret or token (DELETE .../previous). Webhook secrets
// are stored sealed by `secrets`. A new requests key or webhook token is kept sealed by
// `cloudonix` (when given) and, on a tenant paired with Cloudonix, queued in the same
// transaction for the sync worker to push to its domain profile.
void add_settings_routes(http::Router& router, ResourceDeps deps, const crypto::SecretBox& secrets,
                         CloudonixLink* cloudonix = nullptr);

}  // namespace pbx::admin
