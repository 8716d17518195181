#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

namespace pbx::store {

struct Migration {
  std::string name;  // "0001_tenants.sql": applied in name order
  std::string sql;
};

// migrations/*.sql, compiled in by cmake/EmbedMigrations.cmake.
const std::vector<Migration>& embedded_migrations();

// Applies, in order, each migration not yet recorded in schema_migrations, each in its own
// transaction, under a session advisory lock so that instances starting together take turns.
// Refuses to run when an applied migration's text has changed since. Returns the names applied.
std::vector<std::string> migrate(pqxx::connection& conn, const std::vector<Migration>& migrations);

// Names of embedded migrations not applied yet (empty when the schema is current).
std::vector<std::string> pending_migrations(pqxx::connection& conn,
                                            const std::vector<Migration>& migrations);

}  // namespace pbx::store
