#pragma once

#include "core/ip.hpp"
#include "http/router.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Pistache::Http {
class Endpoint;
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
};

// Renders an Error as docs/api.md's JSON body (or, for Cloudonix routes, as CXML).
Response error_response(const Error& error, ErrorStyle style, const std::string& request_id);

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
  std::shared_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

}  // namespace pbx::http
