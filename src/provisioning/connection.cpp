#include "provisioning/connection.hpp"

namespace pbx::provisioning {

std::string paired_sql(const std::string& tenant) {
  return "EXISTS (SELECT 1 FROM cloudonix_links cl WHERE cl.tenant_id = " + tenant +
         " AND cl.paired_at IS NOT NULL)";
}

std::string domain_sql(const std::string& tenant) {
  return "coalesce((SELECT cl.domain_name FROM cloudonix_links cl WHERE cl.tenant_id = " + tenant +
         " AND cl.paired_at IS NOT NULL), (SELECT t.domain_name FROM tenants t WHERE t.id = " +
         tenant + "))";
}

std::vector<store::Statement> connection_statements() {
  // The domain in paths is the tenant's, as pairing calls it.
  return {{"cx_connection",
           "SELECT t.domain_name, cl.api_key_sealed, cl.application_id FROM cloudonix_links cl"
           " JOIN tenants t ON t.id = cl.tenant_id"
           " WHERE cl.tenant_id = $1::uuid AND cl.paired_at IS NOT NULL"}};
}

std::optional<Connection> load_connection(pqxx::transaction_base& tx, const std::string& tenant_id,
                                          const crypto::SecretBox& secrets) {
  auto rows = tx.exec_prepared("cx_connection", tenant_id);
  if (rows.empty()) return std::nullopt;
  // Sealed by the Cloudonix settings under this context.
  auto key = secrets.open(rows[0][1].as<std::string>(), "cloudonix_api_key:" + tenant_id);
  if (!key) return std::nullopt;
  Connection c{tenant_id, rows[0][0].as<std::string>(), *key, std::nullopt};
  if (!rows[0][2].is_null()) c.application_id = rows[0][2].as<std::int64_t>();
  return c;
}

}  // namespace pbx::provisioning
