#pragma once

#include "store/redis.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pbx::store {

// Fixed-window counters shared by all instances through Redis (INCR + EXPIRE), with a
// per-process fallback when Redis is unreachable so that limits still hold locally.
class RateLimiter {
 public:
  explicit RateLimiter(RedisPool& redis) : redis_(redis) {}

  struct Verdict {
    bool allowed;
    int retry_after_seconds;
  };
  // Counts one hit on `key` and says whether it is within `limit` per `window`.
  Verdict hit(const std::string& key, int limit, std::chrono::seconds window);

 private:
  RedisPool& redis_;
  std::mutex mutex_;
  struct Window {
    long long start;
    long long count;
  };
  std::unordered_map<std::string, Window> local_;
};

}  // namespace pbx::store
