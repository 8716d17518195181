#include "http/server.hpp"

#include "http/adapter.hpp"
#include "http/dispatcher.hpp"
#include "http/worker_pool.hpp"

#include <pistache/endpoint.h>
#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>

namespace pbx::http {

namespace P = Pistache;

namespace {

constexpr size_t kHeaderAllowance = size_t{64} * 1024;
constexpr auto kStreamCancelLimit = std::chrono::seconds(10);
// At shutdown, how long idle clients get to close the connections they were sent the end of.
constexpr auto kLingerOnClose = std::chrono::seconds(1);
// Admin work yields the CPU to the connection threads when both want it (10: a tenth of the
// share, as nice(1) counts).
constexpr int kAdminWorkerNice = 10;

// Refuses new connections from now on, while the open ones drain. Pistache has no call for it
// (its shutdown closes every connection at once), so its listening socket, found by port, is
// replaced with an unbound one: the descriptor stays valid for Pistache to close later, and
// the kernel refuses new connections to the port.
void stop_accepting(uint16_t port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    auto name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    int listening = 0;
    socklen_t size = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening == 0) {
      continue;
    }
    sockaddr_storage addr{};
    socklen_t addr_size = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addr_size) != 0) continue;
    uint16_t bound = addr.ss_family == AF_INET6
                         ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                         : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (bound != port) continue;
    int placeholder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (placeholder < 0 || dup2(placeholder, fd) < 0) {
      spdlog::warn("could not stop accepting connections: {}",
                   std::generic_category().message(errno));
    }
    if (placeholder >= 0) close(placeholder);
  }
}

}  // namespace

Server::Server(ServerOptions options, Router router)
    : options_(std::move(options)),
      admin_pool_(std::make_unique<WorkerPool>("admin", options_.admin_workers,
                                               options_.admin_queue, kAdminWorkerNice)),
      dispatcher_(std::make_shared<Dispatcher>(std::move(router), options_.max_body_bytes,
                                               options_.trusted_proxies, *admin_pool_)) {}

Server::~Server() {
  admin_pool_->close();
  if (endpoint_) endpoint_->shutdown();
  admin_pool_->join();
}

void Server::start() {
  P::Address addr(options_.host, P::Port(options_.port));
  endpoint_ = std::make_unique<P::Http::Endpoint>(addr);
  auto opts = P::Http::Endpoint::options()
                  .threads(options_.threads)
                  .flags(P::Tcp::Options::ReuseAddr)
                  .maxRequestSize(options_.max_body_bytes + kHeaderAllowance)
                  .headerTimeout(options_.header_timeout)
                  .bodyTimeout(options_.body_timeout)
                  .keepaliveTimeout(options_.keepalive_timeout);
  endpoint_->init(opts);
  endpoint_->setHandler(pistache_handler(dispatcher_));
  endpoint_->serveThreaded();
}

uint16_t Server::port() const { return static_cast<uint16_t>(endpoint_->getPort()); }

int Server::in_flight() const { return dispatcher_->in_flight.load(); }

void Server::stop(std::chrono::seconds grace) {
  stop_accepting(port());
  dispatcher_->draining = true;
  auto now = std::chrono::steady_clock::now();
  auto deadline = now + grace;
  std::optional<std::chrono::steady_clock::time_point> idle_since;
  // Requests in flight are answered with "Connection: close"; idle connections are half-closed
  // and their clients close them. A client that keeps a half-closed connection open is waited
  // for a little, not for the whole grace period.
  for (; now < deadline; now = std::chrono::steady_clock::now()) {
    auto counts = dispatcher_->connections.close_idle();
    bool idle = counts.busy == 0 && dispatcher_->in_flight.load() == 0;
    if (idle && counts.open == 0) break;
    if (!idle) {
      idle_since.reset();
    } else if (!idle_since) {
      idle_since = now;
    } else if (now - *idle_since > kLingerOnClose) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (int left = dispatcher_->in_flight.load(); left > 0) {
    spdlog::warn("shutdown grace period over with {} requests in flight", left);
  }
  dispatcher_->cancelled = true;
  // Admin requests still queued are answered (503) while their connections are open.
  admin_pool_->close();
  endpoint_->shutdown();
  endpoint_.reset();
  // A cancelled stream ends within one poll of its write or one statement of its producer.
  auto cancel_deadline = std::chrono::steady_clock::now() + kStreamCancelLimit;
  while (dispatcher_->in_flight.load() > 0 && std::chrono::steady_clock::now() < cancel_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (int left = dispatcher_->in_flight.load(); left > 0) {
    spdlog::error("{} streamed answers still running at exit", left);
  }
  // No admin job may outlive the stores it reads: the service destroys them after this.
  admin_pool_->join();
}

}  // namespace pbx::http
