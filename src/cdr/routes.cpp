#include "cdr/routes.hpp"

#include "cdr/query.hpp"
#include "cdr/report.hpp"
#include "core/error.hpp"
#include "core/url.hpp"

namespace pbx::cdr {

namespace {

bool wants_csv(const http::Request& req, const CdrListQuery& q) {
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

http::Response csv_response(store::ReportReads& reads, std::string tenant_id, CdrListQuery q) {
  auto response = http::Response::stream(
      200, "text/csv; charset=utf-8",
      [&reads, tenant_id = std::move(tenant_id), q = std::move(q)](const http::BodyWriter& write) {
        return export_csv(reads, tenant_id, q, write);
      });
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"cdrs.csv\"");
  return response;
}

}  // namespace

void add_cdr_routes(http::Router& router, RouteDeps deps) {
  auto& pg = deps.pg;
  auto& reads = deps.reports;
  auto tenant = deps.reader_tenant;
  router.add("GET", "/api/v1/cdrs",
             http::Doc{"calls", "Call detail records (filters, cursor, CSV)", http::Access::admin},
             [&reads, tenant](http::Request& req) {
               auto tenant_id = tenant(req);
               auto q = parse_cdr_list_query(req.query);
               if (wants_csv(req, q)) {
                 refuse_paging(req.query);
                 return csv_response(reads, tenant_id, std::move(q));
               }
               return http::Response::json(200, list_cdrs(reads, tenant_id, q));
             });
  router.add("GET", "/api/v1/cdrs/stats",
             http::Doc{"calls", "Totals for the CDR filters", http::Access::admin},
             [&reads, tenant](http::Request& req) {
               auto tenant_id = tenant(req);
               return http::Response::json(
                   200, cdr_stats(reads, tenant_id, parse_cdr_stats_query(req.query)));
             });
  router.add("GET", "/api/v1/cdrs/{id}",
             http::Doc{"calls", "One call detail record", http::Access::admin},
             [&pg, tenant](http::Request& req) {
               auto tenant_id = tenant(req);
               return http::Response::json(200, get_cdr(pg, tenant_id, req.path_param("id")));
             });
}

}  // namespace pbx::cdr
