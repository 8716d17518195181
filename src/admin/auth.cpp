#include "admin/auth.hpp"

#include "admin/bootstrap.hpp"
#include "admin/checks.hpp"
#include "core/crypto.hpp"
#include "core/error.hpp"
#include "http/auth.hpp"
#include "http/json_body.hpp"

#include <algorithm>
#include <map>

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

// The request's bearer token as admin_tokens keeps it.
std::string token_hash(const http::Request& req) {
  return crypto::to_hex(crypto::sha256(http::bearer_token(req)));
}

// The per-account login limit's key: the e-mail as the lookup folds it.
std::string account_key(const std::string& folded_email) {
  return "login-account:" + crypto::to_hex(crypto::sha256(folded_email));
}

// Longest domain name (RFC 1035).
constexpr size_t kMaxDomainName = 253;

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
      // At least one row: the e-mail as the lookup folds it, then the accounts it names in the
      // tenant of the domain $2 (any tenant when $2 is null; none when no tenant holds $2). Two
      // are enough to tell one account from several.
      {"auth_login_accounts",
       "SELECT lower($1), u.id::text, u.tenant_id::text, u.email, u.name, u.role, u.password_hash"
       " FROM (VALUES (1)) AS one (x) LEFT JOIN LATERAL (SELECT * FROM users"
       "  WHERE lower(email) = lower($1) AND ($2::text IS NULL OR tenant_id ="
       "   (SELECT tenant_id FROM tenant_domain_keys WHERE key = pbx_domain_key($2)))"
       "  ORDER BY id LIMIT 2) u ON true"},
      {"auth_token_revoke",
       "UPDATE admin_tokens SET revoked_at = now() WHERE token_hash = decode($1, 'hex')"
       " AND revoked_at IS NULL"},
      {"auth_user_tokens_revoke",
       "UPDATE admin_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"
       " AND expires_at > now() AND token_hash <> decode($2, 'hex')"},
      {"auth_user_secret", "SELECT lower(email), password_hash FROM users WHERE id = $1"},
      {"auth_user_update",
       "UPDATE users SET email = coalesce($2, email), name = coalesce($3, name),"
       " password_hash = coalesce($4, password_hash), updated_at = now()"
       " WHERE id = $1 AND ($5::text IS NULL OR password_hash = $5)"
       " RETURNING id::text, tenant_id::text, email, name, role"},
      {"auth_tenant_summary",
       "SELECT id::text, name, domain_name, timezone FROM tenants WHERE id = $1"},
  };
}

Principal authenticate(store::PgPool& pg, const http::Request& req) {
  if (http::bearer_token(req).empty()) throw Error::unauthorized("a bearer token is required");
  auto hash = token_hash(req);
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

const LoginAccount* login_account(const std::vector<LoginAccount>& matches) {
  return matches.size() == 1 ? &matches.front() : nullptr;
}

nlohmann::json login(store::PgPool& pg, store::RateLimiter& limiter, const LoginLimits& limits,
                     const http::Request& req, std::chrono::seconds token_lifetime) {
  auto body = http::json_body(req);
  Error::FieldErrors errors;
  if (!body.is_object()) throw Error::validation({{"body", "must be a JSON object"}});
  for (const auto& [k, v] : body.items()) {
    if (k != "email" && k != "password" && k != "domain") errors.emplace_back(k, "unknown field");
  }
  if (!body.contains("email") || !body["email"].is_string())
    errors.emplace_back("email", "required");
  if (!body.contains("password") || !body["password"].is_string())
    errors.emplace_back("password", "required");
  std::optional<std::string> domain;
  if (auto d = body.find("domain"); d != body.end() && !d->is_null()) {
    if (!d->is_string() || d->get_ref<const std::string&>().size() > kMaxDomainName) {
      errors.emplace_back("domain", "must be the domain name of your tenant");
    } else if (auto t = trimmed(d->get<std::string>()); !t.empty()) {
      domain = t;
    }
  }
  if (!errors.empty()) throw Error::validation(errors);
  auto email = trimmed(body["email"].get<std::string>());
  auto password = body["password"].get<std::string>();

  auto by_ip =
      limiter.hit("login-ip:" + req.remote_ip, limits.per_ip_per_minute, std::chrono::seconds(60));
  if (!by_ip.allowed) throw Error::rate_limited(by_ip.retry_after_seconds);

  struct Lookup {
    std::string folded_email;
    std::vector<LoginAccount> matches;
  };
  auto found = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("auth_login_accounts", email, domain);
    Lookup out{rows[0][0].as<std::string>(), {}};
    for (const auto& r : rows) {
      if (r[1].is_null()) continue;
      out.matches.push_back(
          {{r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
            r[4].as<std::string>(), r[5].as<std::string>()},
           r[6].as<std::string>()});
    }
    return out;
  });
  // Keyed on the e-mail alone: any spelling of it, with or without a domain, counts.
  auto account = account_key(found.folded_email);
  auto by_account = limiter.hit(account, limits.per_account_per_minute, std::chrono::seconds(60));
  int waiting = limiter.blocked_for(account);
  if (!by_account.allowed || waiting > 0) {
    throw Error::rate_limited(std::max(by_account.retry_after_seconds, waiting));
  }

  const auto* user = login_account(found.matches);
  bool ok = crypto::verify_password(password, user ? user->password_hash : dummy_hash());
  if (!user || !ok) {
    limiter.fail(account, limits.account_failures);
    throw Error::unauthorized("wrong e-mail or password");
  }
  limiter.forgive(account);

  auto token = crypto::random_token(kAdminTokenPrefix);
  pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0("admin_token_insert", user->user.tenant_id, user->user.user_id,
                      crypto::to_hex(crypto::sha256(token)),
                      static_cast<double>(token_lifetime.count()));
    tx.commit();
  });
  return {{"access_token", token},
          {"token_type", "Bearer"},
          {"expires_in", token_lifetime.count()},
          {"user", user_json(user->user)}};
}

void revoke(store::PgPool& pg, const http::Request& req) {
  auto hash = token_hash(req);
  pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared("auth_token_revoke", hash);
    tx.commit();
    return 0;
  });
}

void revoke_user_tokens(pqxx::transaction_base& tx, const std::string& user_id,
                        const std::string& keep_hash_hex) {
  tx.exec_prepared("auth_user_tokens_revoke", user_id, keep_hash_hex);
}

void revoke_all(store::PgPool& pg, const Principal& p) {
  pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    revoke_user_tokens(tx, p.user_id);
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

nlohmann::json update_me(store::PgPool& pg, store::RateLimiter& limiter, const LoginLimits& limits,
                         const Principal& p, const http::Request& req) {
  auto body = http::json_body(req);
  if (!body.is_object()) throw Error::validation({{"body", "must be a JSON object"}});
  Error::FieldErrors errors;
  std::map<std::string, checks::Check> fields{{"name", checks::text(100)},
                                              {"email", checks::email()},
                                              {"password", checks::password()},
                                              {"current_password", nullptr}};
  for (const auto& [k, v] : body.items()) {
    auto f = fields.find(k);
    if (f == fields.end()) {
      errors.emplace_back(k, "unknown field");
    } else if (!v.is_string()) {
      errors.emplace_back(k, "must be a string");
    } else if (f->second) {
      if (auto bad = f->second(v)) errors.emplace_back(k, *bad);
    }
  }
  auto given = [&](const char* k) { return body.contains(k) && body[k].is_string(); };
  bool credentials = body.contains("email") || body.contains("password");
  if (credentials && !given("current_password"))
    errors.emplace_back("current_password", "required");
  if (!errors.empty()) throw Error::validation(errors);
  auto value = [&](const char* k) {
    return given(k) ? std::optional(body[k].get<std::string>()) : std::nullopt;
  };

  std::optional<std::string> verified_hash;
  if (credentials) {
    auto [folded, hash] = pg.with([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      auto r = tx.exec_prepared1("auth_user_secret", p.user_id);
      return std::pair{r[0].as<std::string>(), r[1].as<std::string>()};
    });
    auto account = account_key(folded);
    auto by_account = limiter.hit(account, limits.per_account_per_minute, std::chrono::seconds(60));
    int waiting = limiter.blocked_for(account);
    if (!by_account.allowed || waiting > 0) {
      throw Error::rate_limited(std::max(by_account.retry_after_seconds, waiting));
    }
    if (!crypto::verify_password(body["current_password"].get<std::string>(), hash)) {
      limiter.fail(account, limits.account_failures);
      throw Error::validation({{"current_password", "is not your password"}});
    }
    verified_hash = hash;
  }
  auto new_hash = value("password");
  if (new_hash) new_hash = crypto::hash_password(*new_hash);

  auto updated = pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result rows;
    try {
      rows = tx.exec_prepared("auth_user_update", p.user_id, value("email"), value("name"),
                              new_hash, verified_hash);
    } catch (const pqxx::unique_violation&) {
      throw Error::validation({{"email", "already exists"}});
    }
    // The password changed between its check and this write.
    if (rows.empty()) throw Error::conflict("your password changed meanwhile; try again");
    // The session making the change stays; every other one ends.
    if (credentials) revoke_user_tokens(tx, p.user_id, token_hash(req));
    tx.commit();
    return principal_from(rows[0]);
  });
  return me(pg, updated);
}

CredentialChange credential_change(const nlohmann::json& current, const nlohmann::json& merged) {
  CredentialChange c;
  c.email = merged.value("email", nlohmann::json()) != current.value("email", nlohmann::json());
  c.password = merged.contains("password") && merged["password"].is_string();
  c.role = merged.value("role", nlohmann::json()) != current.value("role", nlohmann::json());
  return c;
}

void check_credential_change(const Principal& who, const std::string& target_id,
                             const std::string& target_role, const CredentialChange& change,
                             Error::FieldErrors& errors) {
  if (!change.any()) return;
  if (target_id == who.user_id) {
    // One's own role is refused by the users collection itself.
    if (change.email) errors.emplace_back("email", "change your own at PATCH /api/v1/auth/me");
    if (change.password) {
      errors.emplace_back("password", "change your own at PATCH /api/v1/auth/me");
    }
    return;
  }
  if (who.role != "owner" && (target_role == "owner" || target_role == "admin")) {
    throw Error::forbidden(
        "only an owner may change the e-mail, password or role of an owner or another admin");
  }
}

}  // namespace pbx::admin
