#pragma once

// What the transport does with a request once Pistache has read it: the request in our terms,
// routing, the handler on the right thread, errors mapped, the answer written, logged and
// counted. Internal to the transport.

#include "http/connections.hpp"
#include "http/route_metrics.hpp"
#include "http/server.hpp"

#include <pistache/http.h>
#include <pistache/peer.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pbx::http {

struct Server::Dispatcher : std::enable_shared_from_this<Server::Dispatcher> {
  Dispatcher(Router r, size_t max_body, std::vector<ip::Range> proxies, WorkerPool& pool);

  Router router;
  size_t max_body_bytes;
  std::vector<ip::Range> trusted_proxies;
  WorkerPool& admin_pool;
  std::map<const Route*, std::unique_ptr<RouteMetrics>> route_metrics;
  std::unique_ptr<RouteMetrics> unmatched;
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  // Set once the grace period is over: streamed answers stop at their next chunk, so that no
  // producer still reads the stores the service is about to destroy.
  std::atomic<bool> cancelled{false};
  ConnectionTable connections;

  void handle(const Pistache::Http::Request& preq,
              const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  void hand_to_admin_pool(const Route& route, const std::shared_ptr<Request>& req,
                          const Reply& reply, const std::weak_ptr<Pistache::Tcp::Peer>& peer);
  // Defined in streaming.cpp.
  void stream_body(const std::weak_ptr<Pistache::Tcp::Peer>& peer, std::string head,
                   const std::shared_ptr<Request>& req, RouteMetrics* rm, int status,
                   size_t connection, BodyProducer producer);
  // Access log, metrics and in-flight count, once the whole answer is on its way.
  void finish(const Request& req, RouteMetrics* rm, int status);
};

}  // namespace pbx::http
