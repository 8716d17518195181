// Streamed (chunked) answers: each chunk is written before the next is produced, so that a
// slow client holds back its producer instead of filling memory.
#include "http/dispatcher.hpp"
#include "http/wire.hpp"
#include "http/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace pbx::http {

namespace {

constexpr auto kStreamPoll = std::chrono::seconds(1);
// A client that reads nothing of a streamed body for this long is given up on.
constexpr auto kStreamStallLimit = std::chrono::seconds(60);

// Hands one write to the transport and waits until it is on the wire, so that a streamed body
// never piles up in memory faster than the client reads it. Pistache drops pending writes of
// a vanished peer without settling their promises, hence the polling for the peer.
bool send_and_wait(const std::weak_ptr<P::Tcp::Peer>& weak, std::string data) {
  struct Wait {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<bool> ok;
    void settle(bool value) {
      std::lock_guard lock(mutex);
      ok = value;
      cv.notify_all();
    }
  };
  auto wait = std::make_shared<Wait>();
  {
    auto peer = weak.lock();
    if (!peer) return false;
    queue_write(peer, std::move(data), [wait](bool ok) { wait->settle(ok); });
  }
  auto stalled_since = std::chrono::steady_clock::now();
  std::unique_lock lock(wait->mutex);
  while (!wait->cv.wait_for(lock, kStreamPoll, [&] { return wait->ok.has_value(); })) {
    if (weak.expired() || std::chrono::steady_clock::now() - stalled_since > kStreamStallLimit) {
      return false;
    }
  }
  return *wait->ok;
}

}  // namespace

void Server::Dispatcher::stream_body(const std::weak_ptr<P::Tcp::Peer>& peer, std::string head,
                                     const std::shared_ptr<Request>& req, RouteMetrics* rm,
                                     int status, size_t connection, BodyProducer producer) {
  // The chunks are produced on a worker of the admin pool when the answer comes from one (so
  // that exports count against its bound), else on a thread of their own: the producer may
  // block, and the transport only writes when the connection's reactor thread is free again.
  std::weak_ptr<P::Tcp::Peer> weak = peer;
  auto run = [self = shared_from_this(), weak, head = std::move(head), req, rm, status, connection,
              producer = std::move(producer)]() mutable {
    bool complete = false;
    try {
      complete = send_and_wait(weak, std::move(head)) && producer([&](std::string_view piece) {
                   if (self->cancelled.load()) return false;
                   return piece.empty() || send_and_wait(weak, chunk_frame(piece));
                 });
      complete = complete && send_and_wait(weak, "0\r\n\r\n");
    } catch (const std::exception& e) {
      spdlog::error("rid={} stream failed: {}", req->request_id, e.what());
    }
    // The detached thread keeps the dispatcher (its metrics and in-flight count) alive even if
    // a stream outlasts the shutdown grace period.
    auto live = weak.lock();
    if (live) live->setIdle(true);
    // A truncated body must not look complete: without the last chunk and with the
    // connection shut, the client sees the failure.
    if (!complete) {
      if (live) ::shutdown(live->fd(), SHUT_RDWR);
      spdlog::warn("rid={} streamed answer cut short", req->request_id);
    }
    self->connections.end(connection);
    self->finish(*req, rm, status);
  };
  if (WorkerPool::on_worker()) {
    run();
  } else {
    std::thread(std::move(run)).detach();
  }
}

}  // namespace pbx::http
