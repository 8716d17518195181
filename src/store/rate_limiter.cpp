#include "store/rate_limiter.hpp"

#include <algorithm>

namespace pbx::store {

namespace {

// Local state is bounded: entries are short-lived anyway.
constexpr size_t kMaxLocalKeys = 100000;

std::string failures_key(const std::string& key) { return "pbx:bo:" + key + ":n"; }
std::string blocked_key(const std::string& key) { return "pbx:bo:" + key + ":until"; }

}  // namespace

RateLimiter::Verdict RateLimiter::hit(const std::string& key, int limit,
                                      std::chrono::seconds window) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  long long win = window.count();
  long long start = now - now % win;
  int retry = static_cast<int>(start + win - now);
  std::string redis_key = "pbx:rl:" + key + ":" + std::to_string(start);

  auto count = redis_.command({"INCR", redis_key});
  if (count && count->type == RedisReply::Type::integer) {
    if (count->integer == 1) redis_.command({"EXPIRE", redis_key, std::to_string(win + 1)});
    return {count->integer <= limit, retry};
  }
  std::lock_guard lock(mutex_);
  if (local_.size() > kMaxLocalKeys) local_.clear();
  auto& w = local_[key];
  if (w.start != start) w = {start, 0};
  ++w.count;
  return {w.count <= limit, retry};
}

std::chrono::seconds RateLimiter::Backoff::wait(long long failures) const {
  if (failures < after) return std::chrono::seconds(0);
  auto doublings = std::min<long long>(failures - after, 30);
  return std::min(longest, std::chrono::seconds(first.count() << doublings));
}

int RateLimiter::blocked_for(const std::string& key) {
  auto ttl = redis_.command({"TTL", blocked_key(key)});
  if (ttl && ttl->type == RedisReply::Type::integer) {
    return static_cast<int>(std::max(ttl->integer, 0LL));
  }
  std::lock_guard lock(mutex_);
  auto it = local_failures_.find(key);
  if (it == local_failures_.end()) return 0;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.blocked_until -
                                                      std::chrono::steady_clock::now());
  return static_cast<int>(std::max<long long>(left.count(), 0));
}

void RateLimiter::fail(const std::string& key, const Backoff& backoff) {
  auto n = failures_key(key);
  auto counted =
      redis_.pipeline({{"INCR", n}, {"EXPIRE", n, std::to_string(backoff.longest.count())}});
  if (counted && !counted->empty() && (*counted)[0].type == RedisReply::Type::integer) {
    auto wait = backoff.wait((*counted)[0].integer);
    if (wait.count() > 0) {
      redis_.command({"SET", blocked_key(key), "1", "EX", std::to_string(wait.count())});
    }
    return;
  }
  std::lock_guard lock(mutex_);
  if (local_failures_.size() > kMaxLocalKeys) local_failures_.clear();
  auto now = std::chrono::steady_clock::now();
  auto& f = local_failures_[key];
  if (now >= f.forget_at) f.count = 0;
  ++f.count;
  f.forget_at = now + backoff.longest;
  if (auto wait = backoff.wait(f.count); wait.count() > 0) f.blocked_until = now + wait;
}

void RateLimiter::forgive(const std::string& key) {
  redis_.command({"DEL", failures_key(key), blocked_key(key)});
  std::lock_guard lock(mutex_);
  local_failures_.erase(key);
}

}  // namespace pbx::store
