#pragma once

#include "core/ip.hpp"

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace pbx {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Settings of one process. Everything comes from PBX_* variables (optionally read from a
// KEY=VALUE file first); each is validated once, at start, with a message naming it.
struct Config {
  std::string host = "0.0.0.0";
  int port = 8080;
  int http_threads = 4;
  size_t max_body_bytes = size_t{1024} * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds keepalive_timeout{75};
  std::chrono::seconds shutdown_grace{25};

  std::string database_url;
  // A streaming replica for report reads (CDR lists, stats, exports); empty: none. Reads go to
  // the primary while the replica is down or trails it by more than replica_max_lag.
  std::string database_replica_url;
  std::chrono::milliseconds replica_max_lag{10000};
  int db_pool_size = 6;
  std::chrono::milliseconds db_statement_timeout{2000};
  std::chrono::seconds db_connect_timeout{3};

  std::string redis_url = "redis://127.0.0.1:6379";
  int redis_pool_size = 4;
  std::chrono::milliseconds redis_timeout{250};

  int webhook_writers = 2;      // group-commit threads, each with a Postgres connection
  int webhook_max_batch = 512;  // webhooks per transaction (1: one transaction each)
  // Refused webhooks kept in the webhook log, per minute, per claimed tenant and per source.
  int webhook_rejection_samples = 60;

  // Each tenant's Redis event stream: bytes of fields and values, and of one entry (a larger
  // event's payload is left out of its entry).
  int event_stream_max_bytes = 32 * 1024 * 1024;
  int event_stream_entry_max_bytes = 4096;
  // Webhook log rows (webhook_events, refused samples included) are removed after this many days.
  int webhook_log_retention_days = 30;
  // CDRs (with their calls and session updates) are removed this many days after the call began.
  // A tenant's own setting (tenants.*_retention_days) overrides either.
  int cdr_retention_days = 400;
  // Threads that run admin, report and replay requests, and how many of those requests may
  // wait for one (beyond that: 503 at once), so that they never hold up the connection threads.
  int admin_workers = 2;
  int admin_queue = 64;

  // Admin API requests per minute, per token and per client address (shared through Redis).
  int admin_rate_per_token = 600;
  int admin_rate_per_ip = 1200;
  // Proxies whose X-Forwarded-For names the client (per-address limits); empty: trust none.
  std::vector<ip::Range> trusted_proxies;

  std::string public_base_url = "http://127.0.0.1:8080";
  // Cloudonix's REST API (the double's address in tests), without a trailing slash.
  std::string cloudonix_api_url = "https://api.cloudonix.io";
  std::string state_key;  // raw bytes; empty means "use the one kept in Postgres"
  // Keys sealing the secrets kept in Postgres (raw, 32 bytes each): the current one first, then
  // earlier ones that still open values during a rotation. `serve` refuses to start without one.
  std::vector<std::string> secret_keys;
  std::string log_level = "info";
  std::string log_format = "text";
  bool debug_routes = false;

  // A one-line description for the start-up log, with passwords masked.
  std::string describe() const;
};

using Environment = std::map<std::string, std::string>;

Environment process_environment();
// KEY=VALUE lines; blank lines and lines starting with '#' are skipped.
Environment read_env_file(const std::string& path);
Config load_config(const Environment& env);

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db".
std::string mask_url_password(const std::string& url);

}  // namespace pbx
