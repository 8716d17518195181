#pragma once

#include "core/secret_box.hpp"

#include "store/pg.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pbx::store {

struct TenantRow {
  std::string id;
  std::string name;
  std::string domain_name;
  std::optional<std::string> domain_uuid;
  std::string timezone;
  std::string public_base_url;
  std::string webhook_auth;
  bool allow_untimestamped = false;
  int default_ring_timeout = 30;
  std::optional<std::string> default_caller_id;
  long long config_version = 1;
};

struct NewTenant {
  std::string name;
  std::string domain_name;
  std::optional<std::string> domain_uuid;
  std::string timezone = "UTC";
  std::string public_base_url;
};

std::vector<Statement> tenant_statements();

std::string insert_tenant(pqxx::transaction_base& tx, const NewTenant& t);
void set_requests_key_hash(pqxx::transaction_base& tx, const std::string& tenant_id,
                           const std::string& key_hash);
// The first webhook secret and token of a new tenant. The secret is stored sealed by `box` (HMAC
// needs it back); token_hash is the raw SHA-256 of the token (the token itself is never stored).
void add_webhook_secret(pqxx::transaction_base& tx, const crypto::SecretBox& box,
                        const std::string& tenant_id, const std::string& secret);
void add_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                       const std::string& token_hash);

// At most this many webhook secrets, and as many webhook tokens, are valid at once: the current
// one and the previous one within its grace period. A webhook thus computes at most two HMACs.
inline constexpr int kMaxValidWebhookCredentials = 2;

// Makes `secret` the tenant's current webhook secret. The current one becomes the previous one,
// valid for `grace` more (an SQL interval such as "24 hours"); any earlier one ends at once.
void rotate_webhook_secret(pqxx::transaction_base& tx, const crypto::SecretBox& box,
                           const std::string& tenant_id, const std::string& secret,
                           const std::string& grace);
// The same for a webhook token, given by its raw SHA-256.
void rotate_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                          const std::string& token_hash, const std::string& grace);
// Ends every webhook secret (token) but the current one, at once.
void revoke_previous_webhook_secret(pqxx::transaction_base& tx, const std::string& tenant_id);
void revoke_previous_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id);
// Makes the key of this raw SHA-256 the tenant's requests key. The current one becomes the
// previous one, valid for `grace` more (an SQL interval), so that callers holding it (a paired
// domain, until the new key is pushed to it) are not refused meanwhile; any earlier one ends.
void rotate_requests_key(pqxx::transaction_base& tx, const std::string& tenant_id,
                         const std::string& key_hash, const std::string& grace);
// Ends the previous requests key at once; the current one stays.
void revoke_previous_requests_key(pqxx::transaction_base& tx, const std::string& tenant_id);
std::string insert_user(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& email, const std::string& name, const std::string& role,
                        const std::string& password_hash);
void insert_admin_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& user_id, const std::string& token_hash,
                        std::chrono::seconds lifetime);

// The columns a TenantRow is read from, in order (for a SELECT list), and the reading of them:
// the first columns of `r`, so a query may select more after them.
extern const char* const kTenantColumns;
TenantRow tenant_from(const pqxx::row& r);

std::optional<TenantRow> tenant_by_domain(pqxx::transaction_base& tx, const std::string& domain);
std::optional<TenantRow> tenant_by_requests_key_hash(pqxx::transaction_base& tx,
                                                     const std::string& key_hash);

// The named service key (32 random bytes), shared by every instance: made by the first one that
// asks, and kept sealed by `box`. A key stored plain by an earlier version, or sealed under an
// earlier key of a rotation, is sealed again under the current key when read. Throws ConfigError
// when none of the box's keys opens it.
std::string service_key(pqxx::connection& conn, const crypto::SecretBox& box,
                        const std::string& name);

}  // namespace pbx::store
