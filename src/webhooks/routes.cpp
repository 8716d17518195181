#include "webhooks/routes.hpp"

#include "cloudonix/body.hpp"
#include "core/json.hpp"
#include "core/metrics.hpp"
#include "core/uuid_v7.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "webhooks/intake.hpp"
#include "webhooks/rejections.hpp"

#include <spdlog/spdlog.h>

namespace pbx::webhooks {

namespace {

void count(Kind kind, std::string_view outcome) {
  metrics::registry()
      .counter("pbx_webhook_events_total", "Webhooks received, by kind and outcome",
               metrics::label("kind", std::string(kind_name(kind))) + "," +
                   metrics::label("outcome", std::string(outcome)))
      .inc();
}

http::Response answer(const Job& job) {
  return http::Response::json(200, {{"status", outcome_name(job.outcome())}, {"id", job.event_id}});
}

// Rejections by reason (api.md's webhook log reasons), apart from the outcome counter.
void count_rejection(Kind kind, Rejection reason) {
  metrics::registry()
      .counter("pbx_webhook_rejections_total", "Webhooks refused, by kind and reason",
               metrics::label("kind", std::string(kind_name(kind))) + "," +
                   metrics::label("reason", std::string(to_string(reason))))
      .inc();
}

// The tenant a refused delivery says it is for: the domain of X-CX-Domain, else of the payload.
std::string claimed_tenant(const WebhookDeps& deps, const http::Request& req,
                           const std::optional<nlohmann::json>& body) {
  std::string domain(req.header("x-cx-domain").value_or(""));
  if (domain.empty() && body) domain = claimed_domain(*body);
  auto tenant = domain.empty() ? nullptr : deps.directory.by_domain(domain);
  return tenant ? tenant->tenant.id : std::string();
}

// Logs and counts a refused request (without its body), and offers it to the sampled log of
// the tenant it claims. It never joins the writer's queue, which is for accepted events.
void reject(Kind kind, const WebhookDeps& deps, const http::Request& req,
            const std::optional<nlohmann::json>& body, const Error& e, std::string_view why) {
  count(kind, outcome_name(Outcome::rejected));
  spdlog::info("rid={} webhook {} rejected: {}", req.request_id, kind_name(kind), why);
  deps.rejections.record({kind, claimed_tenant(deps, req, body), std::string(why), e.status(),
                          req.request_id, req.remote_ip,
                          std::string(req.body.substr(0, RejectedDelivery::kBodySample)),
                          std::chrono::system_clock::now()});
}

void handle(Kind kind, const WebhookDeps& deps, http::Request& req, const http::Reply& reply) {
  if (!http::is_json_media_type(req.media_type())) {
    auto error = Error::unsupported_media_type("application/json");
    reject(kind, deps, req, std::nullopt, error, error.code());
    throw error;
  }
  auto body = json::parse_untrusted(req.body);
  auto auth = authenticate(req, body, deps.directory, std::chrono::system_clock::now());
  if (!auth.accepted()) {
    auto error = auth.error();
    count_rejection(kind, auth.reason);
    reject(kind, deps, req, body, error, to_string(auth.reason));
    throw error;
  }
  auto job = std::make_shared<Job>();
  job->event_id = uuid::v7();
  job->kind = kind;
  job->request_id = req.request_id;
  job->received_at = req.received_at;
  job->tenant_id = auth.tenant->tenant.id;
  fill_job(*job, req.body, body);

  job->done = [reply, kind](const Job& j, bool ok) {
    if (!ok) {
      count(kind, "unavailable");
      reply(http::error_response(Error::unavailable("the event could not be stored; retry"),
                                 j.request_id));
      return;
    }
    count(kind, outcome_name(j.outcome()));
    reply(answer(j));
  };
  if (!deps.writer.submit(job)) throw Error::unavailable("too many webhooks queued; retry");
}

}  // namespace

void add_webhook_routes(http::Router& router, WebhookDeps deps) {
  router.add_async("POST", "/api/webhooks/cloudonix/session-update",
                   http::Doc{"webhooks", "Call state changes", http::Access::webhook},
                   [deps](http::Request& req, const http::Reply& reply) {
                     handle(Kind::session_update, deps, req, reply);
                   });
  router.add_async("POST", "/api/webhooks/cloudonix/cdr",
                   http::Doc{"webhooks", "One call detail record", http::Access::webhook},
                   [deps](http::Request& req, const http::Reply& reply) {
                     handle(Kind::cdr, deps, req, reply);
                   });
}

}  // namespace pbx::webhooks
