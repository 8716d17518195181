#include "admin/routes.hpp"

#include "admin/auth.hpp"
#include "admin/report_routes.hpp"
#include "webhooks/replay.hpp"

namespace pbx::admin {

namespace {

constexpr std::chrono::hours kLoginTokenLifetime{12};

}  // namespace

void add_admin_routes(http::Router& router, AdminDeps deps) {
  add_report_routes(router, {deps.pg});
  router.add("POST", "/api/v1/auth/login", [deps](http::Request& req) {
    return http::Response::json(
        200, login(deps.pg, deps.limiter, LoginLimits{}, req, kLoginTokenLifetime));
  });
  router.add("GET", "/api/v1/auth/me", [deps](http::Request& req) {
    return http::Response::json(200, me(deps.pg, authenticate(deps.pg, req)));
  });
  router.add("POST", "/api/v1/dead-letters/{id}/replay", [deps](http::Request& req) {
    auto p = authenticate(deps.pg, req);
    require_role(p, {"owner", "admin"});
    return http::Response::json(
        200, webhooks::replay_dead_letter(deps.pg, deps.writer, p.tenant_id, req.path_param("id"),
                                          req.request_id));
  });
}

}  // namespace pbx::admin
