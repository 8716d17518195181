#include "provisioning/sync_pacer.hpp"

#include "core/crypto.hpp"

#include <algorithm>
#include <thread>

namespace pbx::provisioning {

namespace {

// KEYS: the domain's log, its pause. ARGV: limit, window in ms, a unique member.
// Answers 0 when a slot was taken, else the milliseconds to wait. Timed by Redis' clock so
// that instances with skewed clocks share one window.
constexpr const char* kTakeSlot = R"(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
)";

// Pauses for ARGV[1] ms unless a longer pause (another instance's) is already set.
constexpr const char* kPause = R"(
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
)";

std::string log_key(const std::string& domain) { return "pbx:cx:pace:" + domain; }
std::string pause_key(const std::string& domain) { return "pbx:cx:pause:" + domain; }

}  // namespace

std::chrono::milliseconds Pacer::try_acquire(const std::string& domain) {
  auto member = crypto::to_hex(crypto::random_bytes(8));
  auto limit = std::to_string(limit_.requests);
  auto window = std::to_string(limit_.window.count());
  auto reply = redis_.command(
      {"EVAL", kTakeSlot, "2", log_key(domain), pause_key(domain), limit, window, member});
  if (reply && reply->type == store::RedisReply::Type::integer) {
    return std::chrono::milliseconds(reply->integer);
  }
  return try_local(domain);
}

std::chrono::milliseconds Pacer::try_local(const std::string& domain) {
  using namespace std::chrono;
  std::lock_guard lock(mutex_);
  auto now = steady_clock::now();
  if (auto p = local_paused_.find(domain); p != local_paused_.end() && p->second > now) {
    return ceil<milliseconds>(p->second - now);
  }
  auto& log = local_[domain];
  while (!log.empty() && log.front() <= now - limit_.window) log.pop_front();
  if (static_cast<int>(log.size()) < limit_.requests) {
    log.push_back(now);
    return milliseconds(0);
  }
  return std::max(milliseconds(1), ceil<milliseconds>(log.front() + limit_.window - now));
}

bool Pacer::acquire(const std::string& domain, std::chrono::milliseconds give_up_after) {
  auto deadline = std::chrono::steady_clock::now() + give_up_after;
  for (;;) {
    auto wait = try_acquire(domain);
    if (wait.count() == 0) return true;
    if (std::chrono::steady_clock::now() + wait > deadline) return false;
    std::this_thread::sleep_for(wait);
  }
}

void Pacer::pause(const std::string& domain, std::chrono::milliseconds how_long) {
  if (how_long.count() <= 0) return;
  redis_.command({"EVAL", kPause, "1", pause_key(domain), std::to_string(how_long.count())});
  std::lock_guard lock(mutex_);
  auto until = std::chrono::steady_clock::now() + how_long;
  auto& p = local_paused_[domain];
  p = std::max(p, until);
}

}  // namespace pbx::provisioning
