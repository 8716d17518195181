#include "core/config.hpp"

#include "core/crypto.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <string_view>
#include <thread>
#include <utility>

extern char** environ;

namespace pbx {

namespace {

class Reader {
 public:
  explicit Reader(const Environment& env) : env_(env) {}

  const std::string* raw(const char* name) const {
    auto it = env_.find(name);
    return it == env_.end() || it->second.empty() ? nullptr : &it->second;
  }

  void text(const char* name, std::string& out) const {
    if (const auto* v = raw(name)) out = *v;
  }

  void integer(const char* name, int& out, long min, long max) const {
    const auto* v = raw(name);
    if (v == nullptr) return;
    long parsed = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), parsed);
    if (ec != std::errc() || end != v->data() + v->size() || parsed < min || parsed > max) {
      throw ConfigError(
          fmt::format("{}: must be a whole number from {} to {} (got '{}')", name, min, max, *v));
    }
    out = static_cast<int>(parsed);
  }

  template <typename Duration>
  void duration(const char* name, Duration& out, long min, long max) const {
    int value = static_cast<int>(out.count());
    integer(name, value, min, max);
    out = Duration(value);
  }

  // Comma-separated items, spaces around each allowed: `parse(item, whole value)` for each.
  template <class Parse>
  void list(const char* name, Parse parse) const {
    const auto* v = raw(name);
    if (v == nullptr) return;
    std::string_view rest(*v);
    while (true) {
      auto comma = rest.find(',');
      parse(text::trim_ows(rest.substr(0, comma)), *v);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }

  // Comma-separated addresses or CIDR ranges.
  void ranges(const char* name, std::vector<ip::Range>& out) const {
    list(name, [&](std::string_view item, const std::string& whole) {
      auto range = ip::parse_range(item);
      if (!range) {
        throw ConfigError(fmt::format("{}: '{}' is not an IP address or CIDR range (in '{}')", name,
                                      item, whole));
      }
      out.push_back(*range);
    });
  }

  // Keys of exactly 32 bytes, as 64 hexadecimal characters each.
  void keys(const char* name, std::vector<std::string>& out) const {
    list(name, [&](std::string_view item, const std::string&) {
      auto raw = crypto::from_hex(item);
      if (!raw || raw->size() != 32) {
        throw ConfigError(fmt::format(
            "{}: each key must be 64 hexadecimal characters (make one: openssl rand -hex 32)",
            name));
      }
      out.push_back(*raw);
    });
  }

  void boolean(const char* name, bool& out) const {
    const auto* v = raw(name);
    if (v == nullptr) return;
    if (*v == "1" || *v == "true" || *v == "yes" || *v == "on") {
      out = true;
    } else if (*v == "0" || *v == "false" || *v == "no" || *v == "off") {
      out = false;
    } else {
      throw ConfigError(fmt::format("{}: must be true or false (got '{}')", name, *v));
    }
  }

  void one_of(const char* name, std::string& out,
              std::initializer_list<const char*> allowed) const {
    const auto* v = raw(name);
    if (v == nullptr) return;
    for (const char* a : allowed) {
      if (*v == a) {
        out = *v;
        return;
      }
    }
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw ConfigError(fmt::format("{}: must be one of {} (got '{}')", name, list, *v));
  }

 private:
  const Environment& env_;
};

bool starts_with_any(const std::string& s, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes) {
    if (s.rfind(p, 0) == 0) return true;
  }
  return false;
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos && entry.rfind("PBX_", 0) == 0) {
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return env;
}

Environment read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("--config: cannot read '{}'", path));
  Environment env;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw ConfigError(fmt::format("{}:{}: expected KEY=VALUE", path, number));
    }
    auto key = line.substr(first, eq - first);
    auto value = line.substr(eq + 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    env[key] = value;
  }
  return env;
}

Config load_config(const Environment& env) {
  Config c;
  Reader r(env);
  r.text("PBX_HOST", c.host);
  r.integer("PBX_PORT", c.port, 0, 65535);
  r.integer("PBX_HTTP_THREADS", c.http_threads, 1, 256);
  int body = static_cast<int>(c.max_body_bytes);
  r.integer("PBX_MAX_BODY_BYTES", body, 1024, 64L * 1024 * 1024);
  c.max_body_bytes = static_cast<size_t>(body);
  r.duration("PBX_HEADER_TIMEOUT_S", c.header_timeout, 1, 3600);
  r.duration("PBX_BODY_TIMEOUT_S", c.body_timeout, 1, 3600);
  r.duration("PBX_KEEPALIVE_TIMEOUT_S", c.keepalive_timeout, 1, 3600);
  r.duration("PBX_SHUTDOWN_GRACE_S", c.shutdown_grace, 0, 3600);

  r.text("PBX_DATABASE_URL", c.database_url);
  r.text("PBX_DATABASE_REPLICA_URL", c.database_replica_url);
  r.duration("PBX_DATABASE_REPLICA_MAX_LAG_MS", c.replica_max_lag, 100, 86400000);
  r.integer("PBX_WEBHOOK_WRITERS", c.webhook_writers, 1, 64);
  c.db_pool_size = c.http_threads + c.webhook_writers + 2;
  r.integer("PBX_DB_POOL_SIZE", c.db_pool_size, 1, 512);
  r.duration("PBX_DB_STATEMENT_TIMEOUT_MS", c.db_statement_timeout, 10, 600000);
  r.duration("PBX_DB_CONNECT_TIMEOUT_S", c.db_connect_timeout, 1, 600);

  r.text("PBX_REDIS_URL", c.redis_url);
  r.integer("PBX_REDIS_POOL_SIZE", c.redis_pool_size, 1, 256);
  r.duration("PBX_REDIS_TIMEOUT_MS", c.redis_timeout, 10, 60000);

  r.integer("PBX_WEBHOOK_WRITERS", c.webhook_writers, 1, 64);
  r.integer("PBX_WEBHOOK_MAX_BATCH", c.webhook_max_batch, 1, 10000);
  r.integer("PBX_WEBHOOK_REJECTION_SAMPLES", c.webhook_rejection_samples, 0, 100000);
  r.integer("PBX_EVENT_STREAM_ENTRY_MAX_BYTES", c.event_stream_entry_max_bytes, 1024, 1024 * 1024);
  r.integer("PBX_EVENT_STREAM_MAX_BYTES", c.event_stream_max_bytes, 65536, 2147483647);
  if (c.event_stream_max_bytes < c.event_stream_entry_max_bytes) {
    throw ConfigError(fmt::format(
        "PBX_EVENT_STREAM_MAX_BYTES: must be at least PBX_EVENT_STREAM_ENTRY_MAX_BYTES ({})",
        c.event_stream_entry_max_bytes));
  }
  r.integer("PBX_WEBHOOK_LOG_RETENTION_DAYS", c.webhook_log_retention_days, 1, 36500);
  r.integer("PBX_CDR_RETENTION_DAYS", c.cdr_retention_days, 1, 36500);
  r.integer("PBX_ADMIN_WORKERS", c.admin_workers, 1, 256);
  r.integer("PBX_ADMIN_QUEUE", c.admin_queue, 0, 100000);
  r.integer("PBX_ADMIN_RATE_PER_TOKEN", c.admin_rate_per_token, 1, 1000000);
  r.integer("PBX_ADMIN_RATE_PER_IP", c.admin_rate_per_ip, 1, 1000000);
  r.ranges("PBX_TRUSTED_PROXIES", c.trusted_proxies);

  r.text("PBX_PUBLIC_BASE_URL", c.public_base_url);
  if (!starts_with_any(c.public_base_url, {"http://", "https://"})) {
    throw ConfigError(fmt::format(
        "PBX_PUBLIC_BASE_URL: must start with http:// or https:// (got '{}')", c.public_base_url));
  }
  while (!c.public_base_url.empty() && c.public_base_url.back() == '/')
    c.public_base_url.pop_back();

  r.text("PBX_CLOUDONIX_API_URL", c.cloudonix_api_url);
  if (!starts_with_any(c.cloudonix_api_url, {"http://", "https://"})) {
    throw ConfigError(
        fmt::format("PBX_CLOUDONIX_API_URL: must start with http:// or https:// (got '{}')",
                    c.cloudonix_api_url));
  }
  while (!c.cloudonix_api_url.empty() && c.cloudonix_api_url.back() == '/')
    c.cloudonix_api_url.pop_back();

  if (const auto* key = r.raw("PBX_STATE_KEY")) {
    auto raw = crypto::from_hex(*key);
    if (!raw || raw->size() < 32) {
      throw ConfigError("PBX_STATE_KEY: must be at least 64 hexadecimal characters");
    }
    c.state_key = *raw;
  }
  if (r.raw("PBX_SECRET_KEY") != nullptr) {
    r.keys("PBX_SECRET_KEY", c.secret_keys);
    if (c.secret_keys.size() != 1)
      throw ConfigError("PBX_SECRET_KEY: one key (older ones go in PBX_SECRET_KEY_PREVIOUS)");
  } else if (r.raw("PBX_SECRET_KEY_PREVIOUS") != nullptr) {
    throw ConfigError("PBX_SECRET_KEY_PREVIOUS: needs PBX_SECRET_KEY, the key that replaces it");
  }
  r.keys("PBX_SECRET_KEY_PREVIOUS", c.secret_keys);
  r.one_of("PBX_LOG_LEVEL", c.log_level, {"trace", "debug", "info", "warn", "error"});
  r.one_of("PBX_LOG_FORMAT", c.log_format, {"text", "json"});
  r.boolean("PBX_DEBUG_ROUTES", c.debug_routes);

  for (const auto& [name, url] : {std::pair{"PBX_DATABASE_URL", &c.database_url},
                                  std::pair{"PBX_DATABASE_REPLICA_URL", &c.database_replica_url}}) {
    if (!url->empty() && !starts_with_any(*url, {"postgres://", "postgresql://"}) &&
        url->find('=') == std::string::npos) {
      throw ConfigError(
          fmt::format("{}: must be a postgresql:// URL or a key=value connection string", name));
    }
  }
  if (!starts_with_any(c.redis_url, {"redis://"})) {
    throw ConfigError(
        fmt::format("PBX_REDIS_URL: must start with redis:// (got '{}')", c.redis_url));
  }
  return c;
}

std::string mask_url_password(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) {
    // key=value form: mask a password=... pair.
    auto p = url.find("password=");
    if (p == std::string::npos) return url;
    auto end = url.find(' ', p);
    return url.substr(0, p) + "password=***" + (end == std::string::npos ? "" : url.substr(end));
  }
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string Config::describe() const {
  return fmt::format(
      "listen={}:{} threads={} admin_workers={} admin_queue={} max_body={} db={} db_pool={} "
      "db_replica={} "
      "redis={} redis_pool={} public_base_url={} cloudonix_api_url={} state_key={} secret_keys={} "
      "trusted_proxies={}",
      host, port, http_threads, admin_workers, admin_queue, max_body_bytes,
      mask_url_password(database_url), db_pool_size,
      database_replica_url.empty() ? "none" : mask_url_password(database_replica_url),
      mask_url_password(redis_url), redis_pool_size, public_base_url, cloudonix_api_url,
      state_key.empty() ? "from-database" : "from-config", secret_keys.size(),
      trusted_proxies.size());
}

}  // namespace pbx
