#include "http/server.hpp"

#include "core/crypto.hpp"
#include "core/metrics.hpp"
#include "core/text.hpp"
#include "http/worker_pool.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace pbx::http {

namespace P = Pistache;

namespace {

constexpr size_t kHeaderAllowance = size_t{64} * 1024;
constexpr int kMaxStatus = 600;
constexpr auto kStreamPoll = std::chrono::seconds(1);
// A client that reads nothing of a streamed body for this long is given up on.
constexpr auto kStreamStallLimit = std::chrono::seconds(60);
constexpr auto kStreamCancelLimit = std::chrono::seconds(10);
// At shutdown, how long idle clients get to close the connections they were sent the end of.
constexpr auto kLingerOnClose = std::chrono::seconds(1);

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

// An answer's status line and headers as they go on the wire. Pistache's writer makes a shared
// object per header, keeps them in a hash map and prints them through a stream; building the
// bytes here costs a fraction of that (a quarter of the CPU of a health check).
class WireHead {
 public:
  WireHead(P::Http::Version version, int status) {
    bytes_.reserve(kTypicalHead);
    bytes_.append(version == P::Http::Version::Http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    bytes_.append(std::to_string(status)).append(" ");
    bytes_.append(P::Http::codeString(static_cast<P::Http::Code>(status))).append("\r\n");
  }

  void add(std::string_view name, std::string_view value) {
    bytes_.append(name).append(": ");
    // A line break in a value would start a header of its own.
    for (char c : value) bytes_.push_back(c == '\r' || c == '\n' ? ' ' : c);
    bytes_.append("\r\n");
  }

  // No answer may be cached, whatever path reached it: admin answers hold tenant data and
  // one-time secrets, the rest are per call or live state. Admin answers, and those of requests
  // that reached no route, are also never sniffed or framed.
  void add_security(bool admin) {
    add("Cache-Control", "no-store");
    if (!admin) return;
    add("X-Content-Type-Options", "nosniff");
    add("X-Frame-Options", "DENY");
    add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    add("Referrer-Policy", "no-referrer");
  }

  void add_connection(bool keep_alive) { add("Connection", keep_alive ? "Keep-Alive" : "Close"); }

  std::string with_body(std::string_view body) && {
    add("Content-Length", std::to_string(body.size()));
    bytes_.append("\r\n").append(body);
    return std::move(bytes_);
  }

  std::string chunked() && {
    add("Transfer-Encoding", "chunked");
    bytes_.append("\r\n");
    return std::move(bytes_);
  }

 private:
  static constexpr size_t kTypicalHead = 1024;
  std::string bytes_;
};

// Hands bytes to the connection's reactor, which writes them when the socket can take them.
void queue_write(const std::shared_ptr<P::Tcp::Peer>& peer, std::string bytes,
                 const std::function<void(bool)>& written) {
  auto size = bytes.size();
  peer->send(P::RawBuffer(std::move(bytes), size))
      .then([written](ssize_t) { written(true); },
            [written](std::exception_ptr&) { written(false); });
}

// Whether a request asks to keep its connection open (HTTP/1.1 does unless it says close).
bool wants_keep_alive(const P::Http::Request& request) {
  auto connection = request.headers().tryGet<P::Http::Header::Connection>();
  bool http11 = request.version() == P::Http::Version::Http11;
  if (!connection) return http11;
  switch (connection->control()) {
    case P::Http::ConnectionControl::Close:
      return false;
    case P::Http::ConnectionControl::KeepAlive:
      return true;
    default:
      return http11;
  }
}

// A fresh request id in the UUID v4 format. Ids need to be unique, not secret: a per-thread
// generator seeded once from the system CSPRNG keeps the shared RNG's lock off the hot path.
std::string new_request_id() {
  thread_local std::mt19937_64 rng([] {
    auto seed = crypto::random_bytes(sizeof(uint64_t));
    uint64_t value = 0;
    std::memcpy(&value, seed.data(), sizeof(value));
    return value;
  }());
  std::array<uint64_t, 2> words{rng(), rng()};
  return crypto::format_uuid_v4(
      std::string(reinterpret_cast<const char*>(words.data()), sizeof(words)));
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

// Counters and latency of one route, resolved once so that requests never take a lock.
struct RouteMetrics {
  explicit RouteMetrics(std::string route_label) : labels(std::move(route_label)) {}
  std::string labels;
  metrics::Histogram* latency = nullptr;
  std::array<std::atomic<metrics::Counter*>, kMaxStatus> by_status{};

  void observe(int status, std::chrono::nanoseconds elapsed) {
    latency->observe(elapsed);
    if (status < 0 || status >= kMaxStatus) status = 0;
    auto* counter = by_status[status].load(std::memory_order_acquire);
    if (counter == nullptr) {
      counter = &metrics::registry().counter(
          "pbx_http_requests_total", "HTTP requests by route and status",
          labels + "," + metrics::label("status", std::to_string(status)));
      by_status[status].store(counter, std::memory_order_release);
    }
    counter->inc();
  }
};

}  // namespace

bool runs_on_admin_pool(std::string_view method, std::string_view pattern) {
  if (pattern.rfind("/api/v1/", 0) != 0) return false;
  return !(method == "GET" && pattern == "/api/v1/openapi.json");
}

Response error_response(const Error& error, ErrorStyle style, const std::string& request_id) {
  Response r;
  if (style == ErrorStyle::cxml && error.kind() != Error::Kind::method_not_allowed) {
    // Cloudonix hangs up on anything but CXML: refusals are CXML, and after authentication
    // every problem is a spoken apology with status 200 (docs/api.md, execution plane).
    if (error.kind() == Error::Kind::unauthorized) {
      r = Response::xml(401, R"(<?xml version="1.0" encoding="UTF-8"?>)"
                             "\n<Response><Reject reason=\"rejected\"/></Response>\n");
    } else {
      r = Response::xml(200, R"(<?xml version="1.0" encoding="UTF-8"?>)"
                             "\n<Response><Say>We are sorry, this call cannot be completed."
                             "</Say><Hangup/></Response>\n");
    }
  } else {
    nlohmann::json body = {{"error",
                            {{"code", error.code()},
                             {"message", error.what()},
                             {"details", error.details()},
                             {"request_id", request_id}}}};
    r = Response::json(error.status(), body);
  }
  for (const auto& h : error.headers()) r.headers.push_back(h);
  return r;
}

namespace {

// The open connections and their requests, so that shutdown cuts none short: closing a socket
// that holds an unread request makes the kernel answer with a reset.
class ConnectionTable {
 public:
  // Registers a request on its connection; false when the connection is being closed (its
  // client has been sent the end of the stream, so the request is dropped unprocessed).
  bool begin(const std::shared_ptr<P::Tcp::Peer>& peer) {
    std::lock_guard lock(mutex_);
    auto& entry = open_[peer->getID()];
    if (entry.closing) return false;
    entry.peer = peer;
    ++entry.busy;
    return true;
  }
  void end(size_t id) {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(id); it != open_.end()) --it->second.busy;
  }
  void forget(size_t id) {
    std::lock_guard lock(mutex_);
    open_.erase(id);
  }
  struct Counts {
    size_t open = 0;
    size_t busy = 0;
  };
  // Half-closes every idle connection (FIN: the client reads the end of the stream and closes
  // its side), so that none is closed under a request that is still on its way.
  Counts close_idle() {
    std::lock_guard lock(mutex_);
    Counts counts{open_.size(), 0};
    for (auto& [id, entry] : open_) {
      if (entry.busy > 0) {
        ++counts.busy;
        continue;
      }
      if (entry.closing) continue;
      entry.closing = true;
      // Holding the peer keeps its descriptor open while it is shut down.
      if (auto peer = entry.peer.lock()) ::shutdown(peer->fd(), SHUT_WR);
    }
    return counts;
  }

 private:
  struct Entry {
    std::weak_ptr<P::Tcp::Peer> peer;
    int busy = 0;
    bool closing = false;
  };
  std::mutex mutex_;
  std::unordered_map<size_t, Entry> open_;
};

}  // namespace

struct Server::Dispatcher : std::enable_shared_from_this<Server::Dispatcher> {
  Dispatcher(Router r, size_t max_body, std::vector<ip::Range> proxies, WorkerPool& pool)
      : router(std::move(r)),
        max_body_bytes(max_body),
        trusted_proxies(std::move(proxies)),
        admin_pool(pool) {
    for (const auto& route : router.routes()) {
      auto labels =
          metrics::label("route", route->pattern) + "," + metrics::label("method", route->method);
      auto m = std::make_unique<RouteMetrics>(labels);
      m->latency = &metrics::registry().histogram("pbx_http_request_duration_seconds",
                                                  "HTTP request latency by route", labels);
      route_metrics.emplace(route.get(), std::move(m));
    }
    unmatched = std::make_unique<RouteMetrics>(metrics::label("route", "unmatched"));
    unmatched->latency = &metrics::registry().histogram(
        "pbx_http_request_duration_seconds", "HTTP request latency by route", unmatched->labels);
  }

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

  void handle(const P::Http::Request& preq, const std::shared_ptr<P::Tcp::Peer>& peer);
  void hand_to_admin_pool(const Route& route, const std::shared_ptr<Request>& req,
                          const Reply& reply, const std::weak_ptr<P::Tcp::Peer>& peer);
  void stream_body(const std::weak_ptr<P::Tcp::Peer>& peer, std::string head,
                   const std::shared_ptr<Request>& req, RouteMetrics* rm, int status,
                   size_t connection, BodyProducer producer);
  // Access log, metrics and in-flight count, once the whole answer is on its way.
  void finish(const Request& req, RouteMetrics* rm, int status) {
    auto elapsed = std::chrono::steady_clock::now() - req.received_at;
    rm->observe(status, elapsed);
    // The path without its query string: query parameters (a webhook token among them) stay out
    // of the access log, and log::redact removes tokens from any line that quotes a URL.
    spdlog::info("{} {} {} {:.3f}ms rid={}", req.method, req.path, status,
                 std::chrono::duration<double, std::milli>(elapsed).count(), req.request_id);
    in_flight.fetch_sub(1);
  }
};

namespace {

// Pistache's parser reserves memory for the declared Content-Length before reading the body (a
// lying header is an allocation of any size) and its chunked decoder does so for every chunk
// size. This step takes the place of its body step and refuses both before anything is read.
class LimitedBodyStep : public P::Http::Private::Step {
 public:
  LimitedBodyStep(P::Http::Request* request, std::unique_ptr<P::Http::Private::Step> body,
                  size_t max_body)
      : Step(request), body_(std::move(body)), max_body_(max_body) {}

  P::Http::Private::StepId id() const override { return body_->id(); }

  P::Http::Private::State apply(P::StreamCursor& cursor) override {
    const auto& headers = message->headers();
    if (headers.has<P::Http::Header::TransferEncoding>()) {
      throw Error::length_required();
    }
    if (auto length = headers.tryGet<P::Http::Header::ContentLength>();
        length && length->value() > max_body_) {
      throw Error::payload_too_large(max_body_);
    }
    return body_->apply(cursor);
  }

 private:
  std::unique_ptr<P::Http::Private::Step> body_;
  size_t max_body_;
};

// Pistache keeps only the first of repeated headers, but a proxy may add its X-Forwarded-For
// line after one the client sent: the lines are joined in order (RFC 9110 list semantics), so
// that the proxy's entry stays last, where the client address is read from.
class ForwardedForStep : public P::Http::Private::Step {
 public:
  ForwardedForStep(P::Http::Request* request, std::unique_ptr<P::Http::Private::Step> headers)
      : Step(request), headers_(std::move(headers)) {}

  P::Http::Private::StepId id() const override { return headers_->id(); }

  P::Http::Private::State apply(P::StreamCursor& cursor) override {
    const char* start = cursor.offset();
    size_t before = cursor;
    auto state = headers_->apply(cursor);
    // The step consumes the whole block or, while it is incomplete, nothing.
    collect(std::string_view(start, size_t(cursor) - before));
    if (state == P::Http::Private::State::Next) {
      if (lines_ > 1) {
        message->headers().remove("X-Forwarded-For");
        message->headers().addRaw(P::Http::Header::Raw("X-Forwarded-For", joined_));
      }
      clear();
    }
    return state;
  }

  void clear() {
    lines_ = 0;
    joined_.clear();
  }

 private:
  void collect(std::string_view bytes) {
    static constexpr std::string_view kName = "x-forwarded-for:";
    // Lines end as Pistache ends them, with CRLF.
    while (!bytes.empty()) {
      auto eol = bytes.find("\r\n");
      auto line = bytes.substr(0, eol);
      bytes = eol == std::string_view::npos ? std::string_view() : bytes.substr(eol + 2);
      if (line.size() < kName.size() || !text::iequals(line.substr(0, kName.size()), kName)) {
        continue;
      }
      auto value = text::trim_ows(line.substr(kName.size()));
      if (value.empty()) continue;
      joined_.append(joined_.empty() ? "" : ", ").append(value);
      ++lines_;
    }
  }

  std::unique_ptr<P::Http::Private::Step> headers_;
  int lines_ = 0;
  std::string joined_;
};

class LimitedParser : public P::Http::RequestParser {
 public:
  LimitedParser(size_t max_request, size_t max_body, bool behind_proxies)
      : ParserImpl(max_request) {
    allSteps[2] = std::make_unique<LimitedBodyStep>(&request, std::move(allSteps[2]), max_body);
    if (behind_proxies) {
      auto step = std::make_unique<ForwardedForStep>(&request, std::move(allSteps[1]));
      forwarded_for_ = step.get();
      allSteps[1] = std::move(step);
    }
  }

  void reset() override {
    ParserImpl::reset();
    if (forwarded_for_ != nullptr) forwarded_for_->clear();
  }

 private:
  ForwardedForStep* forwarded_for_ = nullptr;
};

constexpr const char* kRefusedMark = "pbx.refused";

class PistacheHandler : public P::Http::Handler {
 public:
  HTTP_PROTOTYPE(PistacheHandler)

  explicit PistacheHandler(std::shared_ptr<Server::Dispatcher> d) : dispatcher_(std::move(d)) {}

  // Only reached if Pistache's own reading loop runs; onInput below takes its place.
  void onRequest(const P::Http::Request& request, P::Http::ResponseWriter writer) override {
    if (auto peer = writer.getPeer()) dispatcher_->handle(request, peer);
  }

  void onDisconnection(const std::shared_ptr<P::Tcp::Peer>& peer) override {
    dispatcher_->connections.forget(peer->getID());
    P::Http::Handler::onDisconnection(peer);
  }

 private:
  void onConnection(const std::shared_ptr<P::Tcp::Peer>& peer) override {
    peer->putData(ParserData,
                  std::make_shared<LimitedParser>(getMaxRequestSize(), dispatcher_->max_body_bytes,
                                                  !dispatcher_->trusted_proxies.empty()));
  }

  // Pistache's own reading loop, except that whatever cannot be read as a request is answered
  // with docs/api.md's error body and ends the connection: the rest of a refused body must never
  // be taken for the next request.
  void onInput(const char* buffer, size_t len, const std::shared_ptr<P::Tcp::Peer>& peer) override {
    if (peer->tryGetData(kRefusedMark)) return;
    // Pistache only marks a connection busy once a whole request is read: until then a stall
    // after an earlier answer would count against the keep-alive timeout, not the header or
    // body timeout.
    peer->setIdle(false);
    auto parser = getParser(peer);
    auto& request = parser->request;
    try {
      if (!parser->feed(buffer, len)) throw Error::payload_too_large(dispatcher_->max_body_bytes);
      if (parser->parse() != P::Http::Private::State::Done) return;
      request.copyAddress(peer->address());
      dispatcher_->handle(request, peer);
      parser->reset();
    } catch (const Error& e) {
      refuse(peer, request.version(), e);
    } catch (const P::Http::HttpError& e) {
      refuse(peer, request.version(),
             Error::bad_request("bad_request", "malformed request: " + e.reason()));
    } catch (const std::exception& e) {
      spdlog::warn("unreadable request: {}", e.what());
      refuse(peer, request.version(), Error::bad_request("bad_request", "malformed request"));
    }
  }

  void refuse(const std::shared_ptr<P::Tcp::Peer>& peer, P::Http::Version version,
              const Error& error) {
    static auto& refused = metrics::registry().counter(
        "pbx_http_refused_total", "Requests refused before routing: too large or malformed");
    refused.inc();
    peer->putData(kRefusedMark, std::make_shared<bool>(true));
    getParser(peer)->reset();
    auto rid = new_request_id();
    spdlog::info("refused {} {}: {} rid={}", error.status(), error.code(), error.what(), rid);
    auto res = error_response(error, ErrorStyle::json, rid);
    WireHead head(version, res.status);
    head.add("X-Request-Id", rid);
    head.add("Content-Type", res.content_type);
    head.add_security(true);
    head.add_connection(false);
    peer->setIdle(true);
    std::weak_ptr<P::Tcp::Peer> weak = peer;
    queue_write(peer, std::move(head).with_body(res.body), [weak](bool) {
      if (auto p = weak.lock()) ::shutdown(p->fd(), SHUT_WR);
    });
  }

  std::shared_ptr<Server::Dispatcher> dispatcher_;
};

}  // namespace

namespace {

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

std::string chunk_frame(std::string_view piece) {
  char size[24];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  std::string out;
  out.reserve(static_cast<size_t>(n) + piece.size() + 2);
  out.append(size, static_cast<size_t>(n)).append(piece).append("\r\n");
  return out;
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

namespace {

// Runs a route's handler, mapping whatever it throws to the route's error body.
void run_handler(const Route& route, Request& req, const Reply& reply) {
  try {
    route.handler(req, reply);
  } catch (const Error& e) {
    if (e.status() >= 500) spdlog::error("rid={} {}: {}", req.request_id, e.code(), e.what());
    reply(error_response(e, route.style, req.request_id));
  } catch (const std::exception& e) {
    spdlog::error("rid={} unhandled: {}", req.request_id, e.what());
    reply(error_response(Error::internal(), route.style, req.request_id));
  }
}

// The client is told to come back when the admin pool's queue is full: admin clients retry,
// and a request queued behind seconds of work would time out at the client anyway.
constexpr int kBusyRetryAfterSeconds = 1;
// Admin work yields the CPU to the connection threads when both want it (10: a tenth of the
// share, as nice(1) counts).
constexpr int kAdminWorkerNice = 10;

}  // namespace

void Server::Dispatcher::hand_to_admin_pool(const Route& route, const std::shared_ptr<Request>& req,
                                            const Reply& reply,
                                            const std::weak_ptr<P::Tcp::Peer>& peer) {
  WorkerPool::Job job{[&route, req, reply, peer] {
                        // A client that gave up while the request waited is not worked for.
                        if (peer.expired()) {
                          reply(error_response(Error::unavailable("the client went away"),
                                               route.style, req->request_id));
                          return;
                        }
                        run_handler(route, *req, reply);
                      },
                      [&route, req, reply] {
                        reply(error_response(Error::unavailable("the service is stopping"),
                                             route.style, req->request_id));
                      }};
  if (!admin_pool.submit(std::move(job))) {
    spdlog::warn("rid={} admin pool full: {} {} refused", req->request_id, req->method, req->path);
    reply(
        error_response(Error::unavailable("too many admin requests are waiting: try again shortly")
                           .with_header("Retry-After", std::to_string(kBusyRetryAfterSeconds)),
                       route.style, req->request_id));
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
  ErrorStyle style = match.route != nullptr ? match.route->style : ErrorStyle::json;
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
                         style, req->request_id));
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
  endpoint_->setHandler(P::Http::make_handler<PistacheHandler>(dispatcher_));
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
