#include "admin/report_routes.hpp"

#include "admin/activity.hpp"
#include "admin/auth.hpp"
#include "cdr/query.hpp"
#include "cdr/report.hpp"
#include "core/error.hpp"
#include "core/url.hpp"

namespace pbx::admin {

namespace {

// Who may read what (all of it is read only).
const auto kCallReaders = {"owner", "admin", "reporter", "user"};

bool wants_csv(const http::Request& req, const cdr::CdrListQuery& q) {
  if (q.csv) return true;
  auto accept = req.header("accept");
  return accept && accept->find("text/csv") != std::string_view::npos;
}

// The export streams every matching row, so paging parameters would be silently ignored: a
// client asking for 100 rows must not get a million.
void refuse_paging(const url::Params& query) {
  Error::FieldErrors errors;
  for (const char* name : {"limit", "cursor"}) {
    if (url::find_param(query, name)) {
      errors.emplace_back(name, "does not apply to CSV export, which streams every matching row");
    }
  }
  if (!errors.empty()) throw Error::validation(errors);
}

http::Response csv_response(store::PgPool& pg, std::string tenant_id, cdr::CdrListQuery q) {
  auto response = http::Response::stream(
      200, "text/csv; charset=utf-8",
      [&pg, tenant_id = std::move(tenant_id), q = std::move(q)](const http::BodyWriter& write) {
        return cdr::export_csv(pg, tenant_id, q, write);
      });
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"cdrs.csv\"");
  return response;
}

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
  router.add("GET", "/api/v1/cdrs",
             http::Doc{"calls", "Call detail records (filters, cursor, CSV)", http::Access::admin},
             [&pg, guard](http::Request& req) {
               auto p = guard(req);
               require_role(p, kCallReaders);
               auto q = cdr::parse_cdr_list_query(req.query);
               if (wants_csv(req, q)) {
                 refuse_paging(req.query);
                 return csv_response(pg, p.tenant_id, std::move(q));
               }
               return http::Response::json(200, cdr::list_cdrs(pg, p.tenant_id, q));
             });
  router.add("GET", "/api/v1/cdrs/stats",
             http::Doc{"calls", "Totals for the CDR filters", http::Access::admin},
             [&pg, guard](http::Request& req) {
               auto p = guard(req);
               require_role(p, kCallReaders);
               return http::Response::json(
                   200, cdr::cdr_stats(pg, p.tenant_id, cdr::parse_cdr_stats_query(req.query)));
             });
  router.add(
      "GET", "/api/v1/cdrs/{id}", http::Doc{"calls", "One call detail record", http::Access::admin},
      [&pg, guard](http::Request& req) {
        auto p = guard(req);
        require_role(p, kCallReaders);
        return http::Response::json(200, cdr::get_cdr(pg, p.tenant_id, req.path_param("id")));
      });
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
