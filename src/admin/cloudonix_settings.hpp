#pragma once

// A tenant's connection to its Cloudonix domain: the domain API key (sealed at rest), pairing
// (docs/connecting-cloudonix.md), the domain profile values pbxd manages, and what Cloudonix
// holds differently (drift).
//
// Routes: GET, PUT /api/v1/settings/cloudonix and POST /api/v1/settings/cloudonix/pair.

#include "admin/resource.hpp"
#include "client/http_client.hpp"
#include "core/secret_box.hpp"
#include "provisioning/rest_client.hpp"
#include "provisioning/sync_worker.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pbx::admin {

// Our CXML voice application's name in the domain (the domain belongs to one tenant).
inline constexpr const char* kVoiceApplicationName = "pbxd";

struct PairingStep {
  int number = 0;
  std::string name;     // verify, profile, application, default_application, numbers
  std::string outcome;  // ok, changed, unchanged, created, updated, failed, skipped
  std::string detail;
  std::optional<provisioning::Failure> failure;

  Json to_json() const;
};

// Step 5 of pairing (the phone numbers' DNIDs), given by the number sync: a client for the
// domain and our voice application's id. Unset, step 5 answers "skipped".
using NumbersStep = std::function<PairingStep(
    provisioning::Client& client, const std::string& tenant_id, std::int64_t application_id)>;

// The domain profile values pbxd manages, plain (they hold the requests key and the token).
Json managed_profile(const std::string& public_base_url, const std::string& requests_key,
                     const std::string& webhook_token, int call_timeout);
// A profile value as it may be shown: keys as "[secret]", tokens in URLs as [redacted].
Json shown_profile_value(const std::string& key, const Json& value);
// Each managed value Cloudonix holds differently: [{"key", "ours", "cloudonix"}], shown values.
// `application` is ours as found in the domain's list (none: missing).
Json profile_drift(const Json& ours, const provisioning::Domain& domain,
                   const std::optional<provisioning::Application>& application,
                   const std::string& voice_url);

class CloudonixLink {
 public:
  struct Timeouts {
    // Pairing (profile pushes are the sync worker's, with its own).
    client::ClientTimeouts calls{std::chrono::milliseconds(3000), std::chrono::milliseconds(10000)};
    // The live look behind GET /api/v1/settings/cloudonix.
    client::ClientTimeouts status{std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)};
  };

  CloudonixLink(store::PgPool& pg, const crypto::SecretBox& box, std::string api_url,
                Timeouts timeouts);
  static std::vector<store::Statement> statements();

  void set_numbers_step(NumbersStep step) { numbers_ = std::move(step); }

  // PUT: stores the key sealed; a different key than before makes the tenant unpaired.
  void set_api_key(const std::string& tenant_id, const std::string& api_key);
  // GET: {configured, paired, domain, voice_application, profile, drift, drift_source,
  // checked_at, last_error}, from a live look at Cloudonix when `live` (and it answers), else
  // from the last one.
  Json status(const std::string& tenant_id, bool live);
  // POST .../pair: {"paired": true, "steps": [...]}. When a step fails, Error::unavailable
  // (503) if trying again later may help (429, 5xx, no answer), else Error::conflict (409: the
  // key is refused, or Cloudonix refuses what we send), with the steps in its details.
  Json pair(const std::string& tenant_id);
  // The sync worker's ProfilePush: pushes the managed profile values (after a new requests key
  // or webhook token) to a paired tenant's domain with `client`, in the worker's transaction
  // `tx`. A failure is also kept as last_error, until a push succeeds.
  provisioning::Outcome push_profile(pqxx::transaction_base& tx, provisioning::Client& client,
                                     const std::string& tenant_id);
  // Inside the transaction that makes a new requests key or webhook token: keeps the sealed
  // copy that push_profile sends (for a tenant with a Cloudonix API key).
  void remember_requests_key(pqxx::transaction_base& tx, const std::string& tenant_id,
                             const std::string& key) const;
  void remember_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                              const std::string& token) const;
  // A client of a tenant's domain, or nullopt when it has no usable API key.
  std::optional<provisioning::Client> client_for(const std::string& tenant_id,
                                                 client::ClientTimeouts timeouts);
  bool paired(const std::string& tenant_id);

 private:
  struct Row;
  Row load(const std::string& tenant_id);
  Row load(pqxx::transaction_base& tx, const std::string& tenant_id);
  void fail(const std::string& tenant_id, const std::string& error);

  store::PgPool& pg_;
  const crypto::SecretBox& box_;
  std::string api_url_;
  Timeouts timeouts_;
  NumbersStep numbers_;
};

void add_cloudonix_settings_routes(http::Router& router, const ResourceDeps& deps,
                                   CloudonixLink& link);

}  // namespace pbx::admin
