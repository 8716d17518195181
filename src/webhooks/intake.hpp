#pragma once

#include "core/error.hpp"
#include "http/message.hpp"
#include "store/tenant_directory.hpp"
#include "webhooks/job.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::webhooks {

// Why a delivery was refused: the `reason` of api.md's webhook log.
enum class Rejection {
  no_credentials,   // none presented, or none that the tenant's webhook_auth accepts
  bad_signature,    // a signature (or its timestamp) that does not verify
  stale_timestamp,  // an authentic signature made more than 300 s away from now
  unknown_key,      // a requests key or webhook token that belongs to no tenant
  wrong_domain,     // a signature naming no tenant, or credentials of another tenant than
                    // the one X-CX-Domain names
};
std::string_view to_string(Rejection r);  // the enumerator's name

// Which credentials a webhook_auth mode accepts (api.md, webhooks); none for an unknown mode.
struct AcceptedCredentials {
  bool signature = false;
  bool key = false;    // the requests API key
  bool token = false;  // the webhook token in the query string
};
AcceptedCredentials accepted_by(std::string_view webhook_auth);

// What a delivery presents, as received.
struct Credentials {
  std::string_view key;    // the requests key (Bearer or X-CX-APIKey); empty when absent
  std::string_view token;  // the `token` query parameter; empty when absent
  std::optional<std::string_view> signature;  // X-Cloudonix-Signature
  std::optional<std::string_view> timestamp;  // X-Cloudonix-cloudonix::Timestamp
  std::string domain_header;                  // X-CX-Domain; empty when absent
  std::string payload_domain;                 // claimed_domain of the body; empty when none
};
Credentials credentials_of(const http::Request& req, const std::optional<nlohmann::json>& body);

// How credentials find their tenant; each answers nullptr for no tenant.
struct TenantLookup {
  using Find = std::function<std::shared_ptr<const store::TenantEntry>(std::string_view)>;
  Find by_key;
  Find by_token;  // only tokens valid now
  Find by_domain;
};

struct AuthResult {
  std::shared_ptr<const store::TenantEntry> tenant;  // the sender's tenant when accepted
  Rejection reason = Rejection::no_credentials;      // why not, otherwise
  std::string message;

  bool accepted() const { return tenant != nullptr; }
  // The answer to a refusal: 401 unauthorized, or 400 stale_timestamp.
  Error error() const;
};

// A delivery is accepted when one credential that its tenant's webhook_auth accepts verifies:
// the requests key and the webhook token name their tenant (whatever the payload says); a
// signature is verified with the secrets of the tenant that X-CX-Domain names, or else the
// payload's domain. Every credential that verifies must be of the same tenant, and so must
// the one X-CX-Domain names, if any. When none verifies, the reason is the most telling
// failure: stale_timestamp, wrong_domain, bad_signature, unknown_key, no_credentials, in
// that order.
AuthResult authenticate(const Credentials& credentials, std::string_view raw_body,
                        const TenantLookup& lookup, std::chrono::system_clock::time_point now);

// The same for a request, with the directory's tenants.
AuthResult authenticate(const http::Request& req, const std::optional<nlohmann::json>& body,
                        const store::TenantDirectory& directory,
                        std::chrono::system_clock::time_point now);

// The domain name or uuid a payload says it comes from ("" when it names none).
std::string claimed_domain(const nlohmann::json& body);

// Turns an authenticated body into the rows to store: session updates or a CDR, and dead
// letters for what cannot be processed (not JSON, wrong shape, unidentifiable elements).
void fill_job(Job& job, std::string_view raw_body, const std::optional<nlohmann::json>& body);

}  // namespace pbx::webhooks
