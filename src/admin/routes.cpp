#include "admin/routes.hpp"

#include "admin/auth.hpp"
#include "admin/cloudonix_settings.hpp"
#include "admin/cloudonix_sync.hpp"
#include "admin/idempotency.hpp"
#include "admin/report_routes.hpp"
#include "admin/resources.hpp"
#include "admin/settings.hpp"
#include "core/crypto.hpp"
#include "http/auth.hpp"
#include "webhooks/replay.hpp"

namespace pbx::admin {

namespace {

constexpr std::chrono::hours kLoginTokenLifetime{12};

// Counts the request against the address's per-minute limit, authenticates, then counts it
// against the token's (limits held in Redis, so they apply across instances). The address is
// counted first so that a flood of made-up tokens is refused before any database lookup.
Principal guard(const AdminDeps& deps, const http::Request& req) {
  auto by_ip =
      deps.limiter.hit("admin-ip:" + req.remote_ip, deps.rate_per_ip, std::chrono::seconds(60));
  if (!by_ip.allowed) throw Error::rate_limited(by_ip.retry_after_seconds);
  auto p = authenticate(deps.pg, req);
  auto token = crypto::to_hex(crypto::sha256(http::bearer_token(req))).substr(0, 32);
  auto by_token =
      deps.limiter.hit("admin-token:" + token, deps.rate_per_token, std::chrono::seconds(60));
  if (!by_token.allowed) throw Error::rate_limited(by_token.retry_after_seconds);
  return p;
}

}  // namespace

std::vector<store::Statement> admin_statements() {
  auto out = routing_resource_statements();
  for (auto&& group : {idempotency_statements(), settings_statements(), report_statements(),
                       CloudonixLink::statements(), cloudonix_sync_statements()}) {
    out.insert(out.end(), group.begin(), group.end());
  }
  return out;
}

void add_admin_routes(http::Router& router, AdminDeps deps) {
  router.add(
      "POST", "/api/v1/auth/login",
      http::Doc{
          "auth",
          "Log in with e-mail and password (and the domain, for an e-mail used in several tenants)",
          http::Access::none},
      [deps](http::Request& req) {
        return http::Response::json(
            200, login(deps.pg, deps.limiter, LoginLimits{}, req, kLoginTokenLifetime));
      });
  router.add("GET", "/api/v1/auth/me",
             http::Doc{"auth", "The caller and its tenant", http::Access::admin},
             [deps](http::Request& req) {
               return http::Response::json(200, me(deps.pg, guard(deps, req)));
             });
  router.add(
      "PATCH", "/api/v1/auth/me",
      http::Doc{
          "auth",
          "Change your own name, e-mail or password (the latter two with the current password)",
          http::Access::admin},
      [deps](http::Request& req) {
        auto p = guard(deps, req);
        return http::Response::json(200, update_me(deps.pg, deps.limiter, LoginLimits{}, p, req));
      });
  router.add("POST", "/api/v1/auth/logout",
             http::Doc{"auth", "Revoke the token of this request", http::Access::admin},
             [deps](http::Request& req) {
               guard(deps, req);
               revoke(deps.pg, req);
               return http::Response::text(204, "");
             });
  router.add("POST", "/api/v1/auth/logout-all",
             http::Doc{"auth", "Revoke every token of the caller (sign out everywhere)",
                       http::Access::admin},
             [deps](http::Request& req) {
               revoke_all(deps.pg, guard(deps, req));
               return http::Response::text(204, "");
             });
  router.add("POST", "/api/v1/dead-letters/{id}/replay",
             http::Doc{"webhooks", "Process a dead letter again", http::Access::admin},
             [deps](http::Request& req) {
               auto p = guard(deps, req);
               require_role(p, {"owner", "admin"});
               return http::Response::json(
                   200, webhooks::replay_dead_letter(deps.pg, deps.writer, p.tenant_id,
                                                     req.path_param("id"), req.request_id));
             });

  ResourceDeps rdeps{deps.pg, [deps](const http::Request& req) { return guard(deps, req); },
                     [deps](const Principal& p, const http::Request& req,
                            const std::function<http::Response()>& fn) {
                       return run_idempotent(deps.pg, p, req, fn, &deps.secrets);
                     },
                     deps.applied, &deps.secrets};
  add_settings_routes(router, rdeps, deps.secrets, deps.cloudonix);
  if (deps.cloudonix != nullptr) add_cloudonix_settings_routes(router, rdeps, *deps.cloudonix);
  if (deps.pacer != nullptr) {
    add_cloudonix_sync_routes(
        router, {deps.pg, rdeps.guard, deps.secrets, *deps.pacer, deps.cloudonix_api_url});
  }
  add_report_routes(router, {deps.pg, deps.reports, rdeps.guard});
  for (const auto& resource : routing_resources()) add_resource_routes(router, resource, rdeps);
}

}  // namespace pbx::admin
