#include "admin/idempotency.hpp"

#include "core/crypto.hpp"

namespace pbx::admin {

std::vector<store::Statement> idempotency_statements() {
  return {
      {"idem_claim",
       "INSERT INTO idempotency_keys (tenant_id, key, request_hash)"
       " VALUES ($1, $2, decode($3, 'hex')) ON CONFLICT DO NOTHING RETURNING 1"},
      {"idem_get",
       "SELECT encode(request_hash, 'hex'), status, response FROM idempotency_keys"
       " WHERE tenant_id = $1 AND key = $2"},
      {"idem_store",
       "UPDATE idempotency_keys SET status = $3, response = $4"
       " WHERE tenant_id = $1 AND key = $2"},
      {"idem_release", "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2"},
      // Keys are kept for a day, as clients retry within minutes.
      {"idem_expire", "DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'"},
  };
}

http::Response run_idempotent(store::PgPool& pg, const Principal& who, const http::Request& req,
                              const std::function<http::Response()>& fn,
                              const crypto::SecretBox* secrets) {
  auto header = req.header("idempotency-key");
  if (!header) return fn();
  std::string key(*header);
  if (key.empty() || key.size() > 255) {
    throw Error::validation({{"Idempotency-Key", "must be 1 to 255 characters"}});
  }
  auto hash = crypto::to_hex(crypto::sha256(req.method + " " + req.path + "\n" + req.body));
  auto context = "idempotent_response:" + who.tenant_id + ":" + key;
  auto replay = pg.with([&](pqxx::connection& conn) -> std::optional<http::Response> {
    pqxx::work tx(conn);
    tx.exec_prepared("idem_expire");
    if (!tx.exec_prepared("idem_claim", who.tenant_id, key, hash).empty()) {
      tx.commit();
      return std::nullopt;
    }
    auto row = tx.exec_prepared1("idem_get", who.tenant_id, key);
    if (row[0].as<std::string>() != hash) {
      throw Error::validation({{"Idempotency-Key", "already used with a different request"}});
    }
    if (row[1].is_null()) throw Error::conflict("a request with this Idempotency-Key is running");
    std::string kept = row[2].as<std::string>();
    // Answers kept before they were sealed are plain.
    if (secrets && crypto::SecretBox::is_sealed(kept)) {
      auto opened = secrets->open(kept, context);
      if (!opened) throw Error::conflict("the kept answer of this Idempotency-Key cannot be read");
      kept = *opened;
    }
    auto r = http::Response::json(row[1].as<int>(), nlohmann::json::parse(kept));
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
  });
  if (replay) return *replay;
  auto release = [&] {
    pg.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      tx.exec_prepared("idem_release", who.tenant_id, key);
      tx.commit();
      return 0;
    });
  };
  http::Response response;
  try {
    response = fn();
  } catch (...) {
    try {
      release();
    } catch (const std::exception&) {
      // The original error matters more; the key expires in a day anyway.
    }
    throw;
  }
  pg.with([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared("idem_store", who.tenant_id, key, response.status,
                     secrets ? secrets->seal(response.body, context) : response.body);
    tx.commit();
    return 0;
  });
  return response;
}

}  // namespace pbx::admin
