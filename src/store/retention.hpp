#pragma once

#include "core/metrics.hpp"
#include "core/stop_signal.hpp"
#include "store/pg.hpp"

#include <pqxx/pqxx>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pbx::store {

// Rows of one kind that age out: for how long each scope (a tenant, or the rows of no tenant)
// keeps them, and how one batch of a scope's expired rows is removed.
struct AgedRows {
  const char* what;  // for the log: "webhook log rows", "CDRs"
  int keep_days;     // unless a tenant says otherwise
  // The named statement listing every scope, given keep_days as $1: rows of (tenant id as text,
  // or NULL for the rows of no tenant; days kept).
  const char* scopes;
  // Removes at most `batch` rows of the scope older than `days`; returns how many.
  std::function<std::uint64_t(pqxx::work&, const std::optional<std::string>& tenant, int days,
                              int batch)>
      remove;
  metrics::Counter* removed;   // rows removed
  metrics::Counter* failures;  // batches that failed
};

struct RetentionOptions {
  int batch = 500;                       // rows per transaction
  std::chrono::milliseconds pause{100};  // between two full batches
  std::chrono::seconds interval{600};    // between passes
};

// Removes expired rows in the background without ever holding up ingest: each batch is one
// short transaction removing at most `batch` rows of one scope through an index, rows that
// another transaction holds are skipped (the removals use FOR UPDATE SKIP LOCKED), and the job
// pauses between batches. Several instances may run it at once: they skip each other's rows. It
// runs on a pool of its own, so it never takes a connection that ingest is waiting for.
class Retention {
 public:
  Retention(PgPool& pg, std::vector<AgedRows> kinds, RetentionOptions options = {});
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // Starts the background passes (the first one at once).
  void start();
  void stop();
  // One pass over every kind and scope; returns the rows removed.
  std::uint64_t run_once();

 private:
  // Removes one scope's expired rows, batch by batch.
  std::uint64_t remove_all(const AgedRows& kind, const std::optional<std::string>& tenant,
                           int days);

  PgPool& pg_;
  std::vector<AgedRows> kinds_;
  RetentionOptions options_;
  StopSignal stop_;
  std::thread thread_;
};

}  // namespace pbx::store
