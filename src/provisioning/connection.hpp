#pragma once

// A tenant's connection to its Cloudonix domain as the sync needs it: whether it is paired, the
// domain, the domain API key and our voice application.

#include "core/secret_box.hpp"
#include "provisioning/rest_client.hpp"
#include "store/pg.hpp"

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>

namespace pbx::provisioning {

// SQL: whether the tenant `tenant` (an SQL expression of its id) is paired.
std::string paired_sql(const std::string& tenant);
// SQL: the Cloudonix domain name of the tenant (the paired one, else its own domain name).
std::string domain_sql(const std::string& tenant);

struct Connection {
  std::string tenant_id;
  std::string domain;
  std::string api_key;
  std::optional<std::int64_t> application_id;  // our voice application, once created
};

std::vector<store::Statement> connection_statements();

// The tenant's connection, when it is paired and its key opens.
std::optional<Connection> load_connection(pqxx::transaction_base& tx, const std::string& tenant_id,
                                          const crypto::SecretBox& secrets);

}  // namespace pbx::provisioning
