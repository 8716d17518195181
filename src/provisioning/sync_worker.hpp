#pragma once

// Applies the Cloudonix outbox (outbox.hpp) in the background: subscribers for extensions,
// DNIDs for phone numbers, and the domain profile values of a tenant (through a ProfilePush).
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
#include "provisioning/rest_client.hpp"
#include "provisioning/sync_pacer.hpp"
#include "store/pg.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
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

// What applying one row came to: done, tried again later, or the object failed with `error`.
struct Outcome {
  enum class Kind { done, retry, failed };
  Kind kind = Kind::done;
  std::string error;
  int status = 0;  // Cloudonix's, 0 when none came
  std::optional<std::chrono::seconds> retry_after;
};
// A Cloudonix failure: tried again when retrying may help (429, 5xx, timeouts, no answer),
// else the object failed with its description.
Outcome outcome_of(const Failure& f);
Outcome failed_outcome(std::string why);

// Applies a `profile` row (the object is the tenant): pushes the tenant's managed domain profile
// values with `client` (paced like every request of the worker), inside the worker's
// transaction. The values and their sealed copies belong to the admin side, hence a function.
using ProfilePush = std::function<Outcome(pqxx::transaction_base& tx, Client& client,
                                          const std::string& tenant_id)>;

class SyncWorker {
 public:
  // `pg` is the worker's own pool (one connection, held during Cloudonix calls, so that admin
  // requests never wait for it), with worker_statements() and those `push_profile` uses.
  SyncWorker(store::PgPool& pg, Pacer& pacer, const crypto::SecretBox& secrets,
             WorkerOptions options, ProfilePush push_profile);
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
  ProfilePush push_profile_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pbx::provisioning
