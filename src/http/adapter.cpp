#include "http/adapter.hpp"

#include "core/metrics.hpp"
#include "http/dispatcher.hpp"
#include "http/error_response.hpp"
#include "http/request_id.hpp"
#include "http/request_parser.hpp"
#include "http/wire.hpp"

#include <pistache/peer.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

namespace pbx::http {

namespace {

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
    auto res = error_response(error, rid);
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

std::shared_ptr<P::Http::Handler> pistache_handler(std::shared_ptr<Server::Dispatcher> dispatcher) {
  return P::Http::make_handler<PistacheHandler>(std::move(dispatcher));
}

}  // namespace pbx::http
