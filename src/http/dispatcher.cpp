#include "http/dispatcher.hpp"

#include "core/text.hpp"
#include "http/error_response.hpp"
#include "http/request_id.hpp"
#include "http/wire.hpp"
#include "http/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

namespace pbx::http {

namespace {

// Runs a route's handler, mapping whatever it throws to the route's error body.
void run_handler(const Route& route, Request& req, const Reply& reply) {
  try {
    route.handler(req, reply);
  } catch (const Error& e) {
    if (e.status() >= 500) spdlog::error("rid={} {}: {}", req.request_id, e.code(), e.what());
    reply(error_response(e, route, req.request_id));
  } catch (const std::exception& e) {
    spdlog::error("rid={} unhandled: {}", req.request_id, e.what());
    reply(error_response(Error::internal(), route, req.request_id));
  }
}

// The client is told to come back when the admin pool's queue is full: admin clients retry,
// and a request queued behind seconds of work would time out at the client anyway.
constexpr int kBusyRetryAfterSeconds = 1;

}  // namespace

bool runs_on_admin_pool(std::string_view method, std::string_view pattern) {
  if (pattern.rfind("/api/v1/", 0) != 0) return false;
  return !(method == "GET" && pattern == "/api/v1/openapi.json");
}

Server::Dispatcher::Dispatcher(Router r, size_t max_body, std::vector<ip::Range> proxies,
                               WorkerPool& pool)
    : router(std::move(r)),
      max_body_bytes(max_body),
      trusted_proxies(std::move(proxies)),
      admin_pool(pool),
      unmatched(std::make_unique<RouteMetrics>(metrics::label("route", "unmatched"))) {
  for (const auto& route : router.routes()) {
    route_metrics.emplace(
        route.get(), std::make_unique<RouteMetrics>(metrics::label("route", route->pattern) + "," +
                                                    metrics::label("method", route->method)));
  }
}

void Server::Dispatcher::finish(const Request& req, RouteMetrics* rm, int status) {
  auto elapsed = std::chrono::steady_clock::now() - req.received_at;
  rm->observe(status, elapsed);
  // The path without its query string: query parameters (a webhook token among them) stay out
  // of the access log, and log::redact removes tokens from any line that quotes a URL.
  spdlog::info("{} {} {} {:.3f}ms rid={}", req.method, req.path, status,
               std::chrono::duration<double, std::milli>(elapsed).count(), req.request_id);
  in_flight.fetch_sub(1);
}

void Server::Dispatcher::hand_to_admin_pool(const Route& route, const std::shared_ptr<Request>& req,
                                            const Reply& reply,
                                            const std::weak_ptr<P::Tcp::Peer>& peer) {
  WorkerPool::Job job{
      [&route, req, reply, peer] {
        // A client that gave up while the request waited is not worked for.
        if (peer.expired()) {
          reply(error_response(Error::unavailable("the client went away"), route, req->request_id));
          return;
        }
        run_handler(route, *req, reply);
      },
      [&route, req, reply] {
        reply(
            error_response(Error::unavailable("the service is stopping"), route, req->request_id));
      }};
  if (!admin_pool.submit(std::move(job))) {
    spdlog::warn("rid={} admin pool full: {} {} refused", req->request_id, req->method, req->path);
    reply(
        error_response(Error::unavailable("too many admin requests are waiting: try again shortly")
                           .with_header("Retry-After", std::to_string(kBusyRetryAfterSeconds)),
                       route, req->request_id));
  }
}

void Server::Dispatcher::handle(const P::Http::Request& preq,
                                const std::shared_ptr<P::Tcp::Peer>& peer) {
  if (!connections.begin(peer)) return;
  size_t connection = peer->getID();
  in_flight.fetch_add(1);
  auto req = std::make_shared<Request>();
  req->method = P::Http::methodString(preq.method());
  req->path = preq.resource();
  for (const auto& [name, raw] : preq.headers().rawList()) {
    req->headers.emplace_back(text::to_lower(name), raw.value());
  }
  // Pistache keeps the headers it knows (Authorization, Content-Type, ...) parsed, apart from
  // the raw ones; both are read back as text.
  thread_local std::ostringstream typed_value;  // made once per thread: each costs to make
  for (const auto& typed : preq.headers().list()) {
    typed_value.str({});
    typed->write(typed_value);
    req->headers.emplace_back(text::to_lower(typed->name()), typed_value.str());
  }
  for (auto it = preq.query().parameters_begin(); it != preq.query().parameters_end(); ++it) {
    req->query.emplace_back(url::percent_decode(it->first, true).value_or(it->first),
                            url::percent_decode(it->second, true).value_or(it->second));
  }
  req->remote_ip = ip::client_address(preq.address().host(),
                                      req->header("x-forwarded-for").value_or(""), trusted_proxies);
  auto incoming_id = req->header("x-request-id");
  req->request_id =
      incoming_id && valid_request_id(*incoming_id) ? std::string(*incoming_id) : new_request_id();
  bool keep_alive = wants_keep_alive(preq);
  auto version = preq.version();

  Match match = router.match(req->method, req->path);
  RouteMetrics* rm = match.route != nullptr ? route_metrics.at(match.route).get() : unmatched.get();
  // Decided by the route reached, not by how the path is spelled ("//api/v1/..." reaches an
  // admin route too).
  bool admin = match.route == nullptr || match.route->pattern.rfind("/api/v1/", 0) == 0;

  // The answer may come after the client has gone: the peer is held weakly, as Pistache frees
  // it (and the descriptor number can be reused) once the connection is closed.
  std::weak_ptr<P::Tcp::Peer> weak = peer;
  Reply reply([this, req, rm, keep_alive, version, weak, connection, admin](Response res) {
    auto live = weak.lock();
    if (!live) {
      connections.end(connection);
      finish(*req, rm, res.status);
      return;
    }
    WireHead head(version, res.status);
    head.add("X-Request-Id", req->request_id);
    head.add("Content-Type", res.content_type);
    head.add_security(admin);
    for (const auto& [name, value] : res.headers) head.add(name, value);
    head.add_connection(keep_alive && !draining.load());
    if (res.producer) {
      // The stream holds the peer weakly, as its writes do: a connection closed under it (by
      // the client, or at shutdown) ends it.
      live.reset();
      stream_body(weak, std::move(head).chunked(), req, rm, res.status, connection,
                  std::move(res.producer));
      return;
    }
    live->setIdle(true);
    // The answer is queued to the connection's reactor thread: the connection stays busy until
    // it is written, so that shutdown does not close it under the answer.
    queue_write(
        live, std::move(head).with_body(res.body),
        [self = shared_from_this(), connection](bool) { self->connections.end(connection); });
    finish(*req, rm, res.status);
  });

  if (match.route == nullptr) {
    reply(error_response(match.allow.empty() ? Error::not_found("no such resource")
                                             : Error::method_not_allowed(match.allow),
                         req->request_id));
    return;
  }
  req->body = preq.body();
  req->path_params = std::move(match.params);
  if (runs_on_admin_pool(match.route->method, match.route->pattern)) {
    // Pistache answers 408 and drops a connection that is not idle once the header timeout has
    // passed since its request was read: while the request waits for a worker or its export
    // streams, the connection counts as idle (keep-alive timeout) instead.
    peer->setIdle(true);
    hand_to_admin_pool(*match.route, req, reply, weak);
  } else {
    run_handler(*match.route, *req, reply);
  }
}

}  // namespace pbx::http
