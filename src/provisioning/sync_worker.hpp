#pragma once

// Applies the Cloudonix outbox (outbox.hpp) in the background: subscribers for extensions,
// DNIDs for phone numbers.
//
// Each instance runs one worker. A worker claims the oldest due row of an object whose earlier
// rows are all gone (so each object's changes go in order) with FOR UPDATE SKIP LOCKED, and
// keeps the row locked in its transaction while it calls Cloudonix: two instances never apply
// one row. Applying makes Cloudonix match the object as it stands then (or removes what a
// deleted or renumbered object left), so it is safe to repeat and it covers every row of that
// object already committed, which go with it.
//
// Requests are paced per domain (sync_pacer.hpp). A 429, a 5xx, a timeout or no answer puts
// the row back with a growing delay (Retry-After when given) and pauses the domain; any other
// refusal marks the object failed with the reason and drops its rows.

#include "client/http_client.hpp"
#include "core/secret_box.hpp"
#include "provisioning/sync_pacer.hpp"
#include "store/pg.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace pbx::provisioning {

struct WorkerOptions {
  std::string api_url;  // PBX_CLOUDONIX_API_URL
  client::ClientTimeouts timeouts{std::chrono::seconds(3), std::chrono::seconds(10)};
  std::chrono::milliseconds idle_poll{250};
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds longest_backoff{30000};
};

std::vector<store::Statement> worker_statements();

class SyncWorker {
 public:
  // `pg` is the worker's own pool (one connection, held during Cloudonix calls, so that admin
  // requests never wait for it).
  SyncWorker(store::PgPool& pg, Pacer& pacer, const crypto::SecretBox& secrets,
             WorkerOptions options);
  ~SyncWorker();
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  void stop();

 private:
  void run();
  // Applies one due row; false when there was none.
  bool step(const client::Transport& transport);

  store::PgPool& pg_;
  Pacer& pacer_;
  const crypto::SecretBox& secrets_;
  WorkerOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pbx::provisioning
