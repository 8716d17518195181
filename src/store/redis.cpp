#include "store/redis.hpp"

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "store/dependency.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace pbx::store {

namespace {

metrics::Counter& errors() {
  static auto& c = store::dependency_errors("redis");
  return c;
}

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::nil;
  }
  return out;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

RedisPool::RedisPool(RedisOptions options)
    : options_(std::move(options)), slots_(static_cast<size_t>(options_.pool_size)) {
  // redis://[:password@]host[:port][/db]
  std::string rest = options_.url.substr(std::string("redis://").size());
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    auto userinfo = rest.substr(0, at);
    password_ =
        userinfo.substr(userinfo.find(':') == std::string::npos ? 0 : userinfo.find(':') + 1);
    rest = rest.substr(at + 1);
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    auto db = rest.substr(slash + 1);
    if (!db.empty() && std::from_chars(db.data(), db.data() + db.size(), db_).ec != std::errc()) {
      throw ConfigError("PBX_REDIS_URL: database must be a number");
    }
    rest = rest.substr(0, slash);
  }
  host_ = rest;
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host_ = rest.substr(0, colon);
    auto p = rest.substr(colon + 1);
    if (std::from_chars(p.data(), p.data() + p.size(), port_).ec != std::errc()) {
      throw ConfigError("PBX_REDIS_URL: port must be a number");
    }
  }
  if (host_.empty()) host_ = "127.0.0.1";
}

RedisPool::~RedisPool() {
  for (auto& s : slots_) {
    if (s.ctx != nullptr) redisFree(s.ctx);
  }
}

RedisPool::Slot* RedisPool::acquire() {
  std::lock_guard lock(mutex_);
  for (auto& s : slots_) {
    if (!s.busy && (s.ctx != nullptr || std::chrono::steady_clock::now() >= down_until_)) {
      s.busy = true;
      return &s;
    }
  }
  return nullptr;  // all busy, or Redis known down: degrade rather than queue
}

void RedisPool::release(Slot* slot, bool broken) {
  std::lock_guard lock(mutex_);
  if (broken) {
    if (slot->ctx != nullptr) redisFree(slot->ctx);
    slot->ctx = nullptr;
    down_until_ = std::chrono::steady_clock::now() + kRetryAfterFailure;
  }
  slot->busy = false;
}

bool RedisPool::connect(Slot& slot) {
  auto tv = to_timeval(options_.timeout);
  redisContext* ctx = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (ctx == nullptr || ctx->err != 0) {
    if (ctx != nullptr) {
      spdlog::warn("redis connect failed: {}", ctx->errstr);
      redisFree(ctx);
    }
    return false;
  }
  redisSetTimeout(ctx, tv);
  auto setup = [&](std::vector<std::string> args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
    bool ok = r != nullptr && r->type != REDIS_REPLY_ERROR;
    if (r != nullptr) freeReplyObject(r);
    return ok;
  };
  if ((!password_.empty() && !setup({"AUTH", password_})) ||
      (db_ != 0 && !setup({"SELECT", std::to_string(db_)}))) {
    spdlog::warn("redis AUTH/SELECT failed");
    redisFree(ctx);
    return false;
  }
  slot.ctx = ctx;
  return true;
}

std::optional<RedisReply> RedisPool::command(const std::vector<std::string_view>& args) {
  Slot* slot = acquire();
  if (slot == nullptr) {
    errors().inc();
    return std::nullopt;
  }
  if (slot->ctx == nullptr && !connect(*slot)) {
    errors().inc();
    release(slot, true);
    return std::nullopt;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(slot->ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (r == nullptr) {
    // I/O error or timeout: the context cannot be trusted any more.
    errors().inc();
    release(slot, true);
    return std::nullopt;
  }
  RedisReply out = convert(r);
  freeReplyObject(r);
  release(slot, false);
  return out;
}

std::optional<std::vector<RedisReply>> RedisPool::pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  Slot* slot = acquire();
  if (slot == nullptr || (slot->ctx == nullptr && !connect(*slot))) {
    errors().inc();
    if (slot != nullptr) release(slot, true);
    return std::nullopt;
  }
  for (const auto& cmd : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(slot->ctx, static_cast<int>(argv.size()), argv.data(), lens.data());
  }
  bool ok = true;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(slot->ctx, &reply) != REDIS_OK || reply == nullptr) {
      ok = false;
      break;
    }
    replies.push_back(convert(static_cast<redisReply*>(reply)));
    freeReplyObject(reply);
  }
  if (!ok) errors().inc();
  release(slot, !ok);
  if (!ok) return std::nullopt;
  return replies;
}

bool RedisPool::ping() {
  auto r = command({"PING"});
  return r && r->type == RedisReply::Type::status && r->str == "PONG";
}

}  // namespace pbx::store
