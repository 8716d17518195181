#include "store/migrations.hpp"

#include "core/crypto.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <stdexcept>

namespace pbx::store {

namespace {

// Any fixed number: every instance must use the same one.
constexpr long long kMigrationLock = 7270420013;

void ensure_table(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " name text PRIMARY KEY, checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
}

std::map<std::string, std::string> applied(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  std::map<std::string, std::string> out;
  for (const auto& row : tx.exec("SELECT name, checksum FROM schema_migrations")) {
    out.emplace(row[0].as<std::string>(), row[1].as<std::string>());
  }
  return out;
}

std::string checksum(const Migration& m) { return crypto::to_hex(crypto::sha256(m.sql)); }

class AdvisoryLock {
 public:
  explicit AdvisoryLock(pqxx::connection& conn) : conn_(conn) {
    pqxx::nontransaction(conn_).exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) +
                                     ")");
  }
  ~AdvisoryLock() {
    try {
      pqxx::nontransaction(conn_).exec("SELECT pg_advisory_unlock(" +
                                       std::to_string(kMigrationLock) + ")");
    } catch (const std::exception& e) {
      // The session ends soon after and Postgres releases the lock with it.
      spdlog::warn("migration lock release failed: {}", e.what());
    }
  }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  pqxx::connection& conn_;
};

}  // namespace

std::vector<std::string> migrate(pqxx::connection& conn, const std::vector<Migration>& migrations) {
  AdvisoryLock lock(conn);
  ensure_table(conn);
  auto done = applied(conn);
  std::vector<std::string> newly;
  for (const auto& m : migrations) {
    auto sum = checksum(m);
    if (auto it = done.find(m.name); it != done.end()) {
      if (it->second != sum) {
        throw std::runtime_error("migration " + m.name +
                                 " was changed after it was applied; add a new migration instead");
      }
      continue;
    }
    pqxx::work tx(conn);
    tx.exec(m.sql);
    tx.exec_params("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", m.name, sum);
    tx.commit();
    spdlog::info("migration applied: {}", m.name);
    newly.push_back(m.name);
  }
  return newly;
}

std::vector<std::string> pending_migrations(pqxx::connection& conn,
                                            const std::vector<Migration>& migrations) {
  ensure_table(conn);
  auto done = applied(conn);
  std::vector<std::string> out;
  for (const auto& m : migrations) {
    if (done.count(m.name) == 0) out.push_back(m.name);
  }
  return out;
}

}  // namespace pbx::store
