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

  // A growing wait after repeated failures: the `after`-th failure on a key blocks it for
  // `first`, each later one for twice as long as the one before, never longer than `longest`.
  // Failures are forgotten `longest` after the last one, so the wait is bounded by `longest`.
  struct Backoff {
    int after;
    std::chrono::seconds first;
    std::chrono::seconds longest;
    // How long the key is blocked after its n-th failure (0 before the `after`-th).
    std::chrono::seconds wait(long long failures) const;
  };
  // Seconds `key` is still blocked for (0: it is not).
  int blocked_for(const std::string& key);
  // Counts a failure on `key` and blocks it as `backoff` says.
  void fail(const std::string& key, const Backoff& backoff);
  // Forgets the failures of `key`.
  void forgive(const std::string& key);

 private:
  RedisPool& redis_;
  std::mutex mutex_;
  struct Window {
    long long start;
    long long count;
  };
  std::unordered_map<std::string, Window> local_;
  struct Failures {
    long long count = 0;
    std::chrono::steady_clock::time_point forget_at;
    std::chrono::steady_clock::time_point blocked_until;
  };
  std::unordered_map<std::string, Failures> local_failures_;
};

}  // namespace pbx::store
