#include "admin/report_routes.hpp"

#include "admin/activity.hpp"
#include "admin/auth.hpp"
#include "cdr/report.hpp"
#include "cdr/routes.hpp"

namespace pbx::admin {

namespace {

// Who may read what (all of it is read only).
const auto kCallReaders = {"owner", "admin", "reporter", "user"};

}  // namespace

std::vector<store::Statement> report_statements() {
  auto all = cdr::cdr_statements();
  auto activity = activity_statements();
  all.insert(all.end(), activity.begin(), activity.end());
  return all;
}

void add_report_routes(http::Router& router, ReportDeps deps) {
  auto& pg = deps.pg;
  auto guard = deps.guard;
  cdr::add_cdr_routes(router, {pg, deps.reports, [guard](const http::Request& req) {
                                 auto p = guard(req);
                                 require_role(p, kCallReaders);
                                 return p.tenant_id;
                               }});
  router.add("GET", "/api/v1/calls/active",
             http::Doc{"calls", "Calls live now", http::Access::admin},
             [&pg, guard](http::Request& req) {
               auto p = guard(req);
               require_role(p, kCallReaders);
               return http::Response::json(200, active_calls(pg, p.tenant_id, req.query));
             });
  router.add("GET", "/api/v1/calls/{session}",
             http::Doc{"calls", "One call: state, history and CDR", http::Access::admin},
             [&pg, guard](http::Request& req) {
               auto p = guard(req);
               require_role(p, kCallReaders);
               return http::Response::json(200,
                                           call_detail(pg, p.tenant_id, req.path_param("session")));
             });
  router.add("GET", "/api/v1/webhook-events",
             http::Doc{"webhooks", "Received webhooks and their outcome", http::Access::admin},
             [&pg, guard](http::Request& req) {
               auto p = guard(req);
               require_role(p, {"owner", "admin", "reporter"});
               return http::Response::json(200, webhook_events(pg, p.tenant_id, req.query));
             });
  router.add("GET", "/api/v1/dead-letters",
             http::Doc{"webhooks", "Payloads that could not be processed", http::Access::admin},
             [&pg, guard](http::Request& req) {
               auto p = guard(req);
               require_role(p, {"owner", "admin"});
               return http::Response::json(200, dead_letters(pg, p.tenant_id, req.query));
             });
}

}  // namespace pbx::admin
