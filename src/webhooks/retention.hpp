#pragma once

#include "store/pg.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pbx::webhooks {

struct RetentionOptions {
  int keep_days = 30;                    // rows older than this are removed
  int batch = 500;                       // rows per transaction
  std::chrono::milliseconds pause{100};  // between two full batches
  std::chrono::seconds interval{600};    // between passes
};

// Removes webhook log rows (webhook_events, refused samples included) older than keep_days, in
// the background, without ever holding up ingest: each batch is one short transaction deleting at
// most `batch` rows of one tenant through its (tenant_id, received_at) index, rows another
// transaction holds are skipped (FOR UPDATE SKIP LOCKED), and the job pauses between batches.
// Several instances may run it at once: they skip each other's rows. It runs on a pool of its
// own, so it never takes a connection that ingest is waiting for.
class Retention {
 public:
  Retention(store::PgPool& pg, RetentionOptions options);
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // Starts the background passes (the first one at once).
  void start();
  void stop();
  // One pass over every tenant; returns the rows removed.
  std::uint64_t run_once();

  static std::vector<store::Statement> statements();

 private:
  // Waits `d`, or less when stopping; false once stopping.
  bool wait(std::chrono::milliseconds d);
  // Removes one tenant's old rows (the rows without a tenant for nullopt), batch by batch.
  std::uint64_t remove_all(const std::optional<std::string>& tenant);

  store::PgPool& pg_;
  RetentionOptions options_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pbx::webhooks
