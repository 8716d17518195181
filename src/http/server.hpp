#pragma once

#include "core/ip.hpp"
#include "http/router.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace Pistache::Http {
class Endpoint;
}

namespace pbx::http {
class WorkerPool;
}

namespace pbx::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  int threads = 4;
  size_t max_body_bytes = size_t{1024} * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds keepalive_timeout{75};
  // Peers whose X-Forwarded-For names the client (Request::remote_ip).
  std::vector<ip::Range> trusted_proxies;
  // The pool that runs admin work (see runs_on_admin_pool): its threads, and how many requests
  // may wait for one before the next is answered 503 at once.
  int admin_workers = 2;
  size_t admin_queue = 64;
};

// Whether a route's work runs on the admin worker pool rather than on the connection thread
// that read the request: everything under /api/v1/, which may block on Postgres, Redis,
// Argon2 or a replay for seconds, except the OpenAPI document (a constant). Voice, webhooks,
// health, metrics and the console stay on the connection threads and never wait behind it.
bool runs_on_admin_pool(std::string_view method, std::string_view pattern);

// The whole HTTP front: request ids, limits, routing, error mapping, access log, metrics.
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void start();
  uint16_t port() const;
  // Stops gracefully: new connections are refused at once, answers carry "Connection: close",
  // in-flight requests are answered (up to grace), idle connections are half-closed, then
  // everything is closed.
  void stop(std::chrono::seconds grace);
  int in_flight() const;

  struct Dispatcher;

 private:
  ServerOptions options_;
  // Owned here, not by the dispatcher: its workers hold no reference to the dispatcher, which
  // may be released on any thread, and it is joined before the stores its jobs use go away.
  std::unique_ptr<WorkerPool> admin_pool_;
  std::shared_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace pbx::http
