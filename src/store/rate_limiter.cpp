#include "store/rate_limiter.hpp"

namespace pbx::store {

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
  if (local_.size() > 100000) local_.clear();  // bounded: windows are short-lived anyway
  auto& w = local_[key];
  if (w.start != start) w = {start, 0};
  ++w.count;
  return {w.count <= limit, retry};
}

}  // namespace pbx::store
