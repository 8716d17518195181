#include "admin/bootstrap.hpp"

#include "core/crypto.hpp"
#include "core/error.hpp"
#include "store/tenants.hpp"

#include <date/tz.h>

namespace pbx::admin {

namespace {

// The bootstrap token is printed by a one-off command, so it also lands in terminal scrollback,
// CI logs and `docker compose` output, where it outlives its purpose: getting the owner started.
// A day is enough to sign in and make the first users; from then on the owner signs in with the
// password, and a leaked copy of the printout stops opening the tenant after a day.
constexpr std::chrono::hours kBootstrapTokenLifetime{24};

void validate(const BootstrapRequest& r) {
  Error::FieldErrors errors;
  if (r.domain.empty() || r.domain.size() > 253 ||
      r.domain.find_first_of(" /@") != std::string::npos) {
    errors.emplace_back("domain", "must be a Cloudonix domain name such as acme.cloudonix.net");
  }
  if (r.owner_email.find('@') == std::string::npos || r.owner_email.size() > 254) {
    errors.emplace_back("owner_email", "must be an e-mail address");
  }
  if (r.owner_password && r.owner_password->size() < 10) {
    errors.emplace_back("owner_password", "must have at least 10 characters");
  }
  try {
    date::locate_zone(r.timezone);
  } catch (const std::exception&) {
    errors.emplace_back("timezone", "must be an IANA time zone such as Europe/Berlin");
  }
  if (r.public_base_url.rfind("http://", 0) != 0 && r.public_base_url.rfind("https://", 0) != 0) {
    errors.emplace_back("public_base_url", "must start with http:// or https://");
  }
  if (!errors.empty()) throw Error::validation(errors);
}

}  // namespace

BootstrapResult bootstrap_tenant(pqxx::connection& conn, const BootstrapRequest& request) {
  validate(request);
  BootstrapResult result;
  std::string password = request.owner_password.value_or("");
  if (!request.owner_password) {
    password = crypto::base64url(crypto::random_bytes(15));
    result.generated_password = password;
  }
  result.admin_token = crypto::random_token(kAdminTokenPrefix);
  result.requests_api_key = crypto::random_token(kRequestsKeyPrefix);
  result.webhook_secret = crypto::random_token(kWebhookSecretPrefix);
  result.webhook_token = crypto::random_token(kWebhookTokenPrefix);

  pqxx::work tx(conn);
  if (store::tenant_by_domain(tx, request.domain)) {
    throw Error::conflict("a tenant for domain " + request.domain + " already exists");
  }
  store::NewTenant t{request.name.empty() ? request.domain : request.name, request.domain,
                     request.domain_uuid, request.timezone, request.public_base_url};
  try {
    result.tenant_id = store::insert_tenant(tx, t);
    store::set_requests_key_hash(tx, result.tenant_id, crypto::sha256(result.requests_api_key));
    store::add_webhook_secret(tx, result.tenant_id, result.webhook_secret);
    store::add_webhook_token(tx, result.tenant_id, crypto::sha256(result.webhook_token));
    auto user_id = store::insert_user(tx, result.tenant_id, request.owner_email, request.owner_name,
                                      "owner", crypto::hash_password(password));
    store::insert_admin_token(tx, result.tenant_id, user_id, crypto::sha256(result.admin_token),
                              kBootstrapTokenLifetime);
  } catch (const pqxx::unique_violation&) {
    throw Error::conflict("the domain or domain uuid is already in use");
  }
  tx.commit();
  return result;
}

}  // namespace pbx::admin
