#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace pbx::store {

struct RedisReply {
  enum class Type { string, integer, array, nil, status, error };
  Type type = Type::nil;
  std::string str;
  long long integer = 0;
  std::vector<RedisReply> elements;
};

struct RedisOptions {
  std::string url = "redis://127.0.0.1:6379";  // redis://[:password@]host[:port][/db]
  int pool_size = 4;
  std::chrono::milliseconds timeout{250};  // connect and command timeout
};

// A small pool of hiredis contexts (never shared between threads at once). Every failure
// (down, timeout, error reply from a broken link) yields nullopt: callers degrade instead of
// failing. A context that failed reconnects on a later call; while Redis stays unreachable,
// calls fail fast for a short while rather than each waiting for the connect timeout.
class RedisPool {
 public:
  explicit RedisPool(RedisOptions options);
  ~RedisPool();
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;

  std::optional<RedisReply> command(const std::vector<std::string_view>& args);
  // Sends all commands in one round trip: their replies in order, or nullopt when Redis is
  // unavailable.
  std::optional<std::vector<RedisReply>> pipeline(
      const std::vector<std::vector<std::string>>& commands);
  bool ping();

 private:
  struct Slot {
    redisContext* ctx = nullptr;
    bool busy = false;
  };
  Slot* acquire();
  void release(Slot* slot, bool broken);
  bool connect(Slot& slot);

  RedisOptions options_;
  std::string host_;
  int port_ = 6379;
  std::string password_;
  int db_ = 0;
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point down_until_{};
};

}  // namespace pbx::store
