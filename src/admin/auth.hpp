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

// POST /api/v1/auth/login: rate limited per client address and per account (the e-mail trimmed
// and case-folded as the lookup folds it, so that no spelling escapes the limit); the failure
// path costs the same whether or not the account exists.
nlohmann::json login(store::PgPool& pg, store::RateLimiter& limiter, const LoginLimits& limits,
                     const http::Request& req, std::chrono::seconds token_lifetime);

// POST /api/v1/auth/logout: revokes the request's own (already authenticated) token.
void revoke(store::PgPool& pg, const http::Request& req);

// GET /api/v1/auth/me.
nlohmann::json me(store::PgPool& pg, const Principal& p);

nlohmann::json user_json(const Principal& p);

}  // namespace pbx::admin
