#include "store/tenants.hpp"

#include "core/config.hpp"
#include "core/crypto.hpp"
#include "store/sealed_columns.hpp"

namespace pbx::store {

const char* const kTenantColumns =
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

namespace {

std::optional<TenantRow> one_tenant(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return tenant_from(r[0]);
}

// Webhook secrets and webhook tokens rotate alike; `table` is one of the two.
struct RotationSql {
  std::string keep_current, grace;
};

RotationSql rotation_sql(const std::string& table) {
  // The current credential is the newest valid one.
  return {"DELETE FROM " + table +
              " WHERE tenant_id = $1 AND id IS DISTINCT FROM (SELECT id FROM " + table +
              "  WHERE tenant_id = $1 AND (expires_at IS NULL OR expires_at > now())"
              "  ORDER BY created_at DESC, id DESC LIMIT 1)",
          "UPDATE " + table +
              " SET expires_at = clock_timestamp() + $2::interval WHERE tenant_id = $1"
              " AND (expires_at IS NULL OR expires_at > clock_timestamp() + $2::interval)"};
}

void rotate(pqxx::transaction_base& tx, const std::string& table, const std::string& tenant_id,
            const std::string& grace) {
  // One rotation of a tenant at a time: two at once would each keep their own "current" one.
  tx.exec_prepared1("tenant_lock", tenant_id);
  tx.exec_prepared0(table + "_keep_current", tenant_id);
  tx.exec_prepared0(table + "_grace", tenant_id, grace);
}

void revoke_previous(pqxx::transaction_base& tx, const std::string& table,
                     const std::string& tenant_id) {
  tx.exec_prepared1("tenant_lock", tenant_id);
  tx.exec_prepared0(table + "_keep_current", tenant_id);
}

}  // namespace

std::vector<Statement> tenant_statements() {
  static const std::string by_domain =
      std::string("SELECT ") + kTenantColumns +
      " FROM tenants WHERE id = (SELECT tenant_id FROM tenant_domain_keys"
      "  WHERE key = pbx_domain_key($1))";
  static const std::string by_key = std::string("SELECT ") + kTenantColumns +
                                    " FROM tenants WHERE requests_key_hash = decode($1, 'hex')";
  static const auto secrets = rotation_sql("webhook_secrets");
  static const auto tokens = rotation_sql("webhook_tokens");
  return {
      {"tenant_insert",
       "INSERT INTO tenants (name, domain_name, domain_uuid, timezone, public_base_url)"
       " VALUES ($1, $2, $3, $4, $5) RETURNING id::text"},
      {"tenant_set_requests_key",
       "UPDATE tenants SET requests_key_hash = decode($2, 'hex'), updated_at = now() WHERE id = "
       "$1"},
      // SET reads the row as it was, so the current hash becomes the previous one; the row's
      // lock orders concurrent rotations. Without a current key there is nothing to keep.
      {"tenant_rotate_requests_key",
       "UPDATE tenants SET requests_key_previous_hash = requests_key_hash,"
       " requests_key_previous_expires_at = CASE WHEN requests_key_hash IS NOT NULL"
       "  THEN clock_timestamp() + $3::interval END,"
       " requests_key_hash = decode($2, 'hex'), updated_at = now() WHERE id = $1"},
      {"tenant_revoke_previous_requests_key",
       "UPDATE tenants SET requests_key_previous_hash = NULL,"
       " requests_key_previous_expires_at = NULL, updated_at = now() WHERE id = $1"},
      {"tenant_lock", "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE"},
      {"webhook_secrets_keep_current", secrets.keep_current.c_str()},
      {"webhook_secrets_grace", secrets.grace.c_str()},
      {"webhook_tokens_keep_current", tokens.keep_current.c_str()},
      {"webhook_tokens_grace", tokens.grace.c_str()},
      // clock_timestamp(): under the tenant's lock, the later rotation is the newer one.
      {"webhook_secret_insert",
       "INSERT INTO webhook_secrets (id, tenant_id, secret, created_at)"
       " VALUES ($1, $2, $3, clock_timestamp())"},
      {"webhook_token_insert",
       "INSERT INTO webhook_tokens (tenant_id, token_hash, created_at)"
       " VALUES ($1, decode($2, 'hex'), clock_timestamp())"},
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

void add_webhook_secret(pqxx::transaction_base& tx, const crypto::SecretBox& box,
                        const std::string& tenant_id, const std::string& secret) {
  // The id is chosen here because the sealed value is bound to it.
  auto id = crypto::uuid_v4();
  tx.exec_prepared0("webhook_secret_insert", id, tenant_id,
                    box.seal(secret, webhook_secret_context(tenant_id, id)));
}

void add_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                       const std::string& token_hash) {
  tx.exec_prepared0("webhook_token_insert", tenant_id, crypto::to_hex(token_hash));
}

void rotate_webhook_secret(pqxx::transaction_base& tx, const crypto::SecretBox& box,
                           const std::string& tenant_id, const std::string& secret,
                           const std::string& grace) {
  rotate(tx, "webhook_secrets", tenant_id, grace);
  add_webhook_secret(tx, box, tenant_id, secret);
}

void rotate_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                          const std::string& token_hash, const std::string& grace) {
  rotate(tx, "webhook_tokens", tenant_id, grace);
  add_webhook_token(tx, tenant_id, token_hash);
}

void revoke_previous_webhook_secret(pqxx::transaction_base& tx, const std::string& tenant_id) {
  revoke_previous(tx, "webhook_secrets", tenant_id);
}

void revoke_previous_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id) {
  revoke_previous(tx, "webhook_tokens", tenant_id);
}

void rotate_requests_key(pqxx::transaction_base& tx, const std::string& tenant_id,
                         const std::string& key_hash, const std::string& grace) {
  tx.exec_prepared0("tenant_rotate_requests_key", tenant_id, crypto::to_hex(key_hash), grace);
}

void revoke_previous_requests_key(pqxx::transaction_base& tx, const std::string& tenant_id) {
  tx.exec_prepared0("tenant_revoke_previous_requests_key", tenant_id);
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
  const auto context = service_key_context(name);
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
