#pragma once

#include "http/message.hpp"
#include "store/pg.hpp"
#include "store/rate_limiter.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <initializer_list>
#include <string>

namespace pbx::admin {

// The caller of an admin request, from its bearer token.
struct Principal {
  std::string user_id;
  std::string tenant_id;
  std::string email;
  std::string name;
  std::string role;  // owner, admin, user, reporter
};

std::vector<store::Statement> auth_statements();

// 401 unless the request carries a live (unexpired, unrevoked) admin token.
Principal authenticate(store::PgPool& pg, const http::Request& req);

// 403 unless the principal has one of the roles.
void require_role(const Principal& p, std::initializer_list<const char*> roles);
void require_role(const Principal& p, const std::vector<std::string>& roles);

struct LoginLimits {
  int per_ip_per_minute = 20;
  int per_account_per_minute = 10;
  // Failed logins on one account, known or not: from the 10th the account waits a minute, then
  // twice as long after each further failure, at most an hour (forgotten an hour after the last
  // failure, or at a successful login). A waiting account is refused without a password check.
  store::RateLimiter::Backoff account_failures{10, std::chrono::minutes(1), std::chrono::hours(1)};
};

// An account a login may be for: the user and its password hash.
struct LoginAccount {
  Principal user;
  std::string password_hash;
};

// The account a login is for, among those its e-mail (and its domain, when one was given)
// matches: the only one, or none. An e-mail used in several tenants names no account without a
// domain, so that the answer is the one a wrong password gets and tells nothing of the others.
const LoginAccount* login_account(const std::vector<LoginAccount>& matches);

// POST /api/v1/auth/login: `{email, password}` and an optional `domain` (the tenant's domain
// name, uuid or alias, in any spelling) that chooses among tenants sharing the e-mail. Rate
// limited per client address and per e-mail (trimmed and case-folded as the lookup folds it, so
// that no spelling escapes the limit, whatever the domain); every failure costs one password
// check, whether the account exists, is ambiguous or its password is wrong.
nlohmann::json login(store::PgPool& pg, store::RateLimiter& limiter, const LoginLimits& limits,
                     const http::Request& req, std::chrono::seconds token_lifetime);

// POST /api/v1/auth/logout: revokes the request's own (already authenticated) token.
void revoke(store::PgPool& pg, const http::Request& req);

// POST /api/v1/auth/logout-all: revokes every token of the caller, this one too.
void revoke_all(store::PgPool& pg, const Principal& p);

// Revokes every live token of the user but the one whose SHA-256 is `keep_hash_hex` (empty:
// none). Tokens are checked in Postgres on every request, so this holds from the next request
// on every instance.
void revoke_user_tokens(pqxx::transaction_base& tx, const std::string& user_id,
                        const std::string& keep_hash_hex = {});

// GET /api/v1/auth/me.
nlohmann::json me(store::PgPool& pg, const Principal& p);

// PATCH /api/v1/auth/me: any of `name`, `email`, `password`; a new e-mail or password needs
// `current_password` (checked under the account's login limits, a wrong one counting as a failed
// login, so that a stolen token guesses it no faster than a login could) and signs out every
// other session of the caller, while the one making the change stays signed in.
nlohmann::json update_me(store::PgPool& pg, store::RateLimiter& limiter, const LoginLimits& limits,
                         const Principal& p, const http::Request& req);

// What a write to a user changes of how it signs in and what it may do.
struct CredentialChange {
  bool email = false;
  bool password = false;
  bool role = false;
  // A new e-mail or password ends the user's sessions.
  bool ends_sessions() const { return email || password; }
  bool any() const { return email || password || role; }
};

// From the stored user (null on create) and the user as the write leaves it, which holds
// "password" only when the write gives one.
CredentialChange credential_change(const nlohmann::json& current, const nlohmann::json& merged);

// Throws unless `who` may make `change` to the stored user `target_id` of role `target_role`
// through the users collection: only an owner changes another admin's or an owner's e-mail,
// password or role (throws 403), and one's own e-mail or password changes through PATCH
// /api/v1/auth/me, which asks for the current password (added to `errors`, a 422).
void check_credential_change(const Principal& who, const std::string& target_id,
                             const std::string& target_role, const CredentialChange& change,
                             Error::FieldErrors& errors);

nlohmann::json user_json(const Principal& p);

}  // namespace pbx::admin
