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
void add_webhook_secret(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& secret);
// token_hash: the raw SHA-256 of the webhook token (the token itself is never stored).
void add_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                       const std::string& token_hash);
std::string insert_user(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& email, const std::string& name, const std::string& role,
                        const std::string& password_hash);
void insert_admin_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& user_id, const std::string& token_hash,
                        std::chrono::seconds lifetime);

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
