#pragma once

// The open connections and their requests, so that shutdown cuts none short: closing a socket
// that holds an unread request makes the kernel answer with a reset. Internal to the transport.

#include <pistache/peer.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace pbx::http {

class ConnectionTable {
 public:
  // Registers a request on its connection; false when the connection is being closed (its
  // client has been sent the end of the stream, so the request is dropped unprocessed).
  bool begin(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  // The request's answer is on the wire (or its client has gone).
  void end(size_t id);
  // The connection is closed.
  void forget(size_t id);

  struct Counts {
    size_t open = 0;
    size_t busy = 0;
  };
  // Half-closes every idle connection (FIN: the client reads the end of the stream and closes
  // its side), so that none is closed under a request that is still on its way.
  Counts close_idle();

 private:
  struct Entry {
    std::weak_ptr<Pistache::Tcp::Peer> peer;
    int busy = 0;
    bool closing = false;
  };
  std::mutex mutex_;
  std::unordered_map<size_t, Entry> open_;
};

}  // namespace pbx::http
