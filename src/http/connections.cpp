#include "http/connections.hpp"

#include <sys/socket.h>

namespace pbx::http {

bool ConnectionTable::begin(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  std::lock_guard lock(mutex_);
  auto& entry = open_[peer->getID()];
  if (entry.closing) return false;
  entry.peer = peer;
  ++entry.busy;
  return true;
}

void ConnectionTable::end(size_t id) {
  std::lock_guard lock(mutex_);
  if (auto it = open_.find(id); it != open_.end()) --it->second.busy;
}

void ConnectionTable::forget(size_t id) {
  std::lock_guard lock(mutex_);
  open_.erase(id);
}

ConnectionTable::Counts ConnectionTable::close_idle() {
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

}  // namespace pbx::http
