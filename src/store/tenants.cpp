#include "store/tenants.hpp"

#include "core/config.hpp"
#include "core/crypto.hpp"

namespace pbx::store {

namespace {

constexpr const char* kTenantColumns =
    "id::text, name, domain_name, domain_uuid, timezone, public_base_url, webhook_auth,"
    " allow_untimestamped, default_ring_timeout, default_caller_id, config_version";

TenantRow tenant_from(const pqxx::row& r) {
  TenantRow t;
  t.id = r[0].as<std::string>();
  t.name = r[1].as<std::string>();
  t.domain_name = r[2].as<std::string>();
  if (!r[3].is_null()) t.domain_uuid = r[3].as<std::string>();
  t.timezone = r[4].as<std::string>();
  t.public_base_url = r[5].as<std::string>();
  t.webhook_auth = r[6].as<std::string>();
  t.allow_untimestamped = r[7].as<bool>();
  t.default_ring_timeout = r[8].as<int>();
  if (!r[9].is_null()) t.default_caller_id = r[9].as<std::string>();
  t.config_version = r[10].as<long long>();
  return t;
}

std::optional<TenantRow> one_tenant(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return tenant_from(r[0]);
}

}  // namespace

std::vector<Statement> tenant_statements() {
  static const std::string by_domain =
      std::string("SELECT ") + kTenantColumns +
      " FROM tenants WHERE id = (SELECT tenant_id FROM tenant_domain_keys"
      "  WHERE key = pbx_domain_key($1))";
  static const std::string by_key = std::string("SELECT ") + kTenantColumns +
                                    " FROM tenants WHERE requests_key_hash = decode($1, 'hex')";
  return {
      {"tenant_insert",
       "INSERT INTO tenants (name, domain_name, domain_uuid, timezone, public_base_url)"
       " VALUES ($1, $2, $3, $4, $5) RETURNING id::text"},
      {"tenant_set_requests_key",
       "UPDATE tenants SET requests_key_hash = decode($2, 'hex'), updated_at = now() WHERE id = "
       "$1"},
      {"webhook_secret_insert", "INSERT INTO webhook_secrets (tenant_id, secret) VALUES ($1, $2)"},
      {"webhook_token_insert",
       "INSERT INTO webhook_tokens (tenant_id, token_hash) VALUES ($1, decode($2, 'hex'))"},
      {"user_insert",
       "INSERT INTO users (tenant_id, email, name, role, password_hash)"
       " VALUES ($1, $2, $3, $4, $5) RETURNING id::text"},
      {"admin_token_insert",
       "INSERT INTO admin_tokens (tenant_id, user_id, token_hash, expires_at)"
       " VALUES ($1, $2, decode($3, 'hex'), now() + make_interval(secs => $4))"},
      {"tenant_by_domain", by_domain.c_str()},
      {"tenant_by_requests_key", by_key.c_str()},
      {"service_key_insert",
       "INSERT INTO service_keys (name, value) VALUES ($1, decode($2, 'hex'))"
       " ON CONFLICT (name) DO NOTHING"},
      {"service_key_get",
       "SELECT encode(value, 'hex') FROM service_keys WHERE name = $1 FOR UPDATE"},
      {"service_key_set", "UPDATE service_keys SET value = decode($2, 'hex') WHERE name = $1"},
  };
}

std::string insert_tenant(pqxx::transaction_base& tx, const NewTenant& t) {
  return tx
      .exec_prepared1("tenant_insert", t.name, t.domain_name, t.domain_uuid, t.timezone,
                      t.public_base_url)[0]
      .as<std::string>();
}

void set_requests_key_hash(pqxx::transaction_base& tx, const std::string& tenant_id,
                           const std::string& key_hash) {
  tx.exec_prepared0("tenant_set_requests_key", tenant_id, crypto::to_hex(key_hash));
}

void add_webhook_secret(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& secret) {
  tx.exec_prepared0("webhook_secret_insert", tenant_id, secret);
}

void add_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                       const std::string& token_hash) {
  tx.exec_prepared0("webhook_token_insert", tenant_id, crypto::to_hex(token_hash));
}

std::string insert_user(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& email, const std::string& name, const std::string& role,
                        const std::string& password_hash) {
  return tx.exec_prepared1("user_insert", tenant_id, email, name, role, password_hash)[0]
      .as<std::string>();
}

void insert_admin_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                        const std::string& user_id, const std::string& token_hash,
                        std::chrono::seconds lifetime) {
  tx.exec_prepared0("admin_token_insert", tenant_id, user_id, crypto::to_hex(token_hash),
                    static_cast<double>(lifetime.count()));
}

std::optional<TenantRow> tenant_by_domain(pqxx::transaction_base& tx, const std::string& domain) {
  return one_tenant(tx.exec_prepared("tenant_by_domain", domain));
}

std::optional<TenantRow> tenant_by_requests_key_hash(pqxx::transaction_base& tx,
                                                     const std::string& key_hash) {
  return one_tenant(tx.exec_prepared("tenant_by_requests_key", crypto::to_hex(key_hash)));
}

std::string service_key(pqxx::connection& conn, const crypto::SecretBox& box,
                        const std::string& name) {
  const auto context = "service_key:" + name;
  pqxx::work tx(conn);
  tx.exec_prepared0("service_key_insert", name,
                    crypto::to_hex(box.seal(crypto::random_bytes(32), context)));
  auto stored = crypto::from_hex(tx.exec_prepared1("service_key_get", name)[0].as<std::string>())
                    .value_or("");
  std::string key = stored;
  if (crypto::SecretBox::is_sealed(stored)) {
    auto opened = box.open(stored, context);
    if (!opened) {
      throw ConfigError("the service key '" + name +
                        "' in the database was sealed under a key that PBX_SECRET_KEY and "
                        "PBX_SECRET_KEY_PREVIOUS do not hold");
    }
    key = *opened;
  }
  if (!box.is_current(stored)) {
    tx.exec_prepared0("service_key_set", name, crypto::to_hex(box.seal(key, context)));
  }
  tx.commit();
  return key;
}

}  // namespace pbx::store
