#pragma once

#include "store/redis.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace pbx::provisioning {

// Keeps the requests to each Cloudonix domain within Cloudonix's documented limit (10 per 3 s
// per domain, then 429). The window is one sliding log per domain in Redis, timed by Redis'
// clock, so that every instance together stays within it; a pause (after a 429 or while the
// domain fails) holds every instance back too. Without Redis each instance keeps its own log:
// several instances may then exceed the limit together, and the 429s they get pause them.
class Pacer {
 public:
  struct Limit {
    int requests = 10;
    // 3 s plus a margin, so that requests sent a window apart never arrive closer than 3 s.
    std::chrono::milliseconds window{3300};
  };
  explicit Pacer(store::RedisPool& redis) : Pacer(redis, Limit{}) {}
  Pacer(store::RedisPool& redis, Limit limit) : redis_(redis), limit_(limit) {}

  // Takes a slot for one request to `domain` and answers 0, or answers how long to wait before
  // asking again (no slot taken).
  std::chrono::milliseconds try_acquire(const std::string& domain);
  // Blocks until a slot is taken; false when `give_up_after` passed first.
  bool acquire(const std::string& domain, std::chrono::milliseconds give_up_after);
  // No request goes to `domain` from any instance for this long.
  void pause(const std::string& domain, std::chrono::milliseconds how_long);

 private:
  std::chrono::milliseconds try_local(const std::string& domain);

  store::RedisPool& redis_;
  Limit limit_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> local_;
  std::map<std::string, std::chrono::steady_clock::time_point> local_paused_;
};

}  // namespace pbx::provisioning
