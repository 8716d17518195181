#include "admin/auth.hpp"

#include "admin/bootstrap.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "http/auth.hpp"
#include "http/json_body.hpp"

#include <algorithm>

namespace pbx::admin {

namespace {

// Verified when the e-mail is unknown, so that both failure paths take the same time.
const std::string& dummy_hash() {
  static const std::string hash = crypto::hash_password(crypto::random_token(""));
  return hash;
}

std::string trimmed(const std::string& s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

Principal principal_from(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
          r[3].as<std::string>(), r[4].as<std::string>()};
}

}  // namespace

std::vector<store::Statement> auth_statements() {
  return {
      {"auth_token_principal",
       "SELECT u.id::text, u.tenant_id::text, u.email, u.name, u.role FROM admin_tokens t"
       " JOIN users u ON u.id = t.user_id"
       " WHERE t.token_hash = decode($1, 'hex') AND t.revoked_at IS NULL AND t.expires_at > now()"},
      // One row whether or not the user exists: the e-mail as the lookup folds it comes last.
      {"auth_user_by_email",
       "SELECT u.id::text, u.tenant_id::text, u.email, u.name, u.role, u.password_hash, lower($1)"
       " FROM (VALUES (1)) AS one (x) LEFT JOIN users u ON lower(u.email) = lower($1)"},
      {"auth_token_revoke",
       "UPDATE admin_tokens SET revoked_at = now() WHERE token_hash = decode($1, 'hex')"
       " AND revoked_at IS NULL"},
      {"auth_tenant_summary",
       "SELECT id::text, name, domain_name, timezone FROM tenants WHERE id = $1"},
  };
}

Principal authenticate(store::PgPool& pg, const http::Request& req) {
  auto token = http::bearer_token(req);
  if (token.empty()) throw Error::unauthorized("a bearer token is required");
  auto hash = crypto::to_hex(crypto::sha256(token));
  auto found = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("auth_token_principal", hash);
    return rows.empty() ? std::optional<Principal>{} : principal_from(rows[0]);
  });
  if (!found) throw Error::unauthorized("the token is invalid or expired");
  return *found;
}

void require_role(const Principal& p, std::initializer_list<const char*> roles) {
  for (const char* r : roles) {
    if (p.role == r) return;
  }
  throw Error::forbidden("your role (" + p.role + ") may not do this");
}

void require_role(const Principal& p, const std::vector<std::string>& roles) {
  if (std::find(roles.begin(), roles.end(), p.role) == roles.end()) {
    throw Error::forbidden("your role (" + p.role + ") may not do this");
  }
}

nlohmann::json user_json(const Principal& p) {
  return {{"id", p.user_id},
          {"email", p.email},
          {"name", p.name},
          {"role", p.role},
          {"tenant_id", p.tenant_id}};
}

nlohmann::json login(store::PgPool& pg, store::RateLimiter& limiter, const LoginLimits& limits,
                     const http::Request& req, std::chrono::seconds token_lifetime) {
  auto body = http::json_body(req);
  Error::FieldErrors errors;
  if (!body.is_object()) throw Error::validation({{"body", "must be a JSON object"}});
  for (const auto& [k, v] : body.items()) {
    if (k != "email" && k != "password") errors.emplace_back(k, "unknown field");
  }
  if (!body.contains("email") || !body["email"].is_string())
    errors.emplace_back("email", "required");
  if (!body.contains("password") || !body["password"].is_string())
    errors.emplace_back("password", "required");
  if (!errors.empty()) throw Error::validation(errors);
  auto email = trimmed(body["email"].get<std::string>());
  auto password = body["password"].get<std::string>();

  auto by_ip =
      limiter.hit("login-ip:" + req.remote_ip, limits.per_ip_per_minute, std::chrono::seconds(60));
  if (!by_ip.allowed) throw Error::rate_limited(by_ip.retry_after_seconds);

  struct Lookup {
    std::string folded_email;
    std::optional<std::pair<Principal, std::string>> user;
  };
  auto found = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto r = tx.exec_prepared1("auth_user_by_email", email);
    Lookup out{r[6].as<std::string>(), std::nullopt};
    if (!r[0].is_null()) out.user.emplace(principal_from(r), r[5].as<std::string>());
    return out;
  });
  // Keyed on the e-mail as the lookup folds it: any spelling that finds the account counts.
  auto account = "login-account:" + crypto::to_hex(crypto::sha256(found.folded_email));
  auto by_account = limiter.hit(account, limits.per_account_per_minute, std::chrono::seconds(60));
  int waiting = limiter.blocked_for(account);
  if (!by_account.allowed || waiting > 0) {
    throw Error::rate_limited(std::max(by_account.retry_after_seconds, waiting));
  }

  const auto& user = found.user;
  bool ok = crypto::verify_password(password, user ? user->second : dummy_hash());
  if (!user || !ok) {
    limiter.fail(account, limits.account_failures);
    throw Error::unauthorized("wrong e-mail or password");
  }
  limiter.forgive(account);

  auto token = crypto::random_token(kAdminTokenPrefix);
  pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0("admin_token_insert", user->first.tenant_id, user->first.user_id,
                      crypto::to_hex(crypto::sha256(token)),
                      static_cast<double>(token_lifetime.count()));
    tx.commit();
  });
  return {{"access_token", token},
          {"token_type", "Bearer"},
          {"expires_in", token_lifetime.count()},
          {"user", user_json(user->first)}};
}

void revoke(store::PgPool& pg, const http::Request& req) {
  auto hash = crypto::to_hex(crypto::sha256(http::bearer_token(req)));
  pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared("auth_token_revoke", hash);
    tx.commit();
    return 0;
  });
}

nlohmann::json me(store::PgPool& pg, const Principal& p) {
  auto tenant = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto r = tx.exec_prepared1("auth_tenant_summary", p.tenant_id);
    return nlohmann::json{{"id", r[0].as<std::string>()},
                          {"name", r[1].as<std::string>()},
                          {"domain_name", r[2].as<std::string>()},
                          {"timezone", r[3].as<std::string>()}};
  });
  return {{"user", user_json(p)}, {"tenant", tenant}};
}

}  // namespace pbx::admin
