#pragma once

#include <pqxx/pqxx>

#include <optional>
#include <string>

namespace pbx::admin {

struct BootstrapRequest {
  std::string domain;
  std::optional<std::string> domain_uuid;
  std::string name;  // defaults to the domain
  std::string timezone = "UTC";
  std::string public_base_url;
  std::string owner_email;
  std::string owner_name = "Owner";
  std::optional<std::string> owner_password;  // generated when absent
};

// The secrets exist in clear only here, once; the database keeps hashes (except the webhook
// secret, which HMAC needs).
struct BootstrapResult {
  std::string tenant_id;
  std::optional<std::string> generated_password;
  std::string admin_token;
  std::string requests_api_key;
  std::string webhook_secret;
  std::string webhook_token;  // for the query string of the webhook URLs given to Cloudonix
};

// Creates a tenant for a Cloudonix domain with its owner, an admin token, a requests API key,
// a webhook secret and a webhook token, in one transaction; the admin token lives a day.
// Error::conflict when the domain exists; Error::validation for bad input.
BootstrapResult bootstrap_tenant(pqxx::connection& conn, const BootstrapRequest& request);

constexpr const char* kAdminTokenPrefix = "pbxa_";
constexpr const char* kRequestsKeyPrefix = "pbxk_";
constexpr const char* kWebhookSecretPrefix = "pbxw_";
constexpr const char* kWebhookTokenPrefix = "pbxt_";

}  // namespace pbx::admin
