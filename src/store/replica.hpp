#pragma once

#include "core/stop_signal.hpp"
#include "store/pg.hpp"

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace pbx::store {

// How far a replica's data may trail the primary's and still serve reports.
struct ReplicaOptions {
  std::chrono::milliseconds max_lag{10000};
};

// What a replica has replayed, seen from the primary's WAL positions over time. The primary's
// position is sampled now and then; once the replica has replayed up to a sample's position,
// everything committed before that sample is visible there. Its lag is therefore the age of
// the newest sample it has reached (none reached: the age of the oldest sample kept). An idle
// primary whose position does not move leaves a replica with nothing to catch up: no lag.
class ReplicaLag {
 public:
  using Clock = std::chrono::steady_clock;

  void primary_at(Clock::time_point t, std::uint64_t lsn);
  // The replica's replay position at t; returns its lag then.
  Clock::duration replica_at(Clock::time_point t, std::uint64_t replayed);

 private:
  std::deque<std::pair<Clock::time_point, std::uint64_t>> samples_;
};

// Where report reads (CDR lists, stats and exports) run. Without a replica: the primary. With
// one: the replica while it answers and trails the primary by at most max_lag, measured by a
// background probe several times per max_lag; the primary otherwise. A read that fails on the
// replica because it is down, or because replay cancelled it (a conflict with recovery), runs
// again on the primary within the same request.
class ReportReads {
 public:
  explicit ReportReads(PgPool& primary);
  ReportReads(PgPool& primary, std::unique_ptr<PgPool> replica, ReplicaOptions options);
  ~ReportReads();
  ReportReads(const ReportReads&) = delete;
  ReportReads& operator=(const ReportReads&) = delete;

  // Runs fn(pqxx::connection&) as PgPool::with does, on the replica or the primary. fn must be
  // safe to run twice.
  template <typename Fn>
  auto with(Fn&& fn) -> decltype(fn(std::declval<pqxx::connection&>())) {
    if (replica_ && state_.load(std::memory_order_relaxed) == kFresh) {
      try {
        auto result = replica_->with([&](pqxx::connection& c) {
          try {
            return fn(c);
          } catch (const pqxx::serialization_failure&) {
            throw Cancelled{};
          }
        });
        counted(true);
        return result;
      } catch (const Cancelled&) {
        replica_failed("cancelled by a conflict with recovery");
      } catch (const Error& e) {
        if (e.kind() != Error::Kind::unavailable) throw;
        replica_failed(e.what());
      }
    }
    counted(false);
    return primary_.with(fn);
  }

  // The statements the probe needs prepared on the primary's pool and on the replica's.
  static std::vector<Statement> primary_statements();
  static std::vector<Statement> replica_statements();

 private:
  struct Cancelled {};

  void probe();
  void set_fresh(bool fresh, const char* why);
  void replica_failed(const char* what);
  static void counted(bool replica);

  PgPool& primary_;
  std::unique_ptr<PgPool> replica_;
  ReplicaOptions options_;
  ReplicaLag lag_;  // the probe's alone
  // Unknown until the first probe, so that its outcome is logged whatever it is.
  static constexpr int kUnknown = -1, kBehind = 0, kFresh = 1;
  std::atomic<int> state_{kUnknown};
  StopSignal stop_;
  std::thread prober_;
};

}  // namespace pbx::store
