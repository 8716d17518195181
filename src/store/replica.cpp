#include "store/replica.hpp"

#include "core/metrics.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <string>

namespace pbx::store {

namespace {

// Enough to cover several max_lag periods; beyond it the oldest sample stays (see primary_at).
constexpr size_t kMaxSamples = 64;

metrics::Gauge& lag_gauge() {
  static auto& g =
      metrics::registry().gauge("pbx_replica_lag_milliseconds",
                                "How far the report replica trails the primary, as last measured");
  return g;
}

metrics::Gauge& in_use_gauge() {
  static auto& g = metrics::registry().gauge(
      "pbx_replica_in_use",
      "1 while report reads go to the replica, 0 while they go to the primary");
  return g;
}

void set(metrics::Gauge& g, std::int64_t value) { g.add(value - g.value()); }

}  // namespace

void ReplicaLag::primary_at(Clock::time_point t, std::uint64_t lsn) {
  samples_.emplace_back(t, lsn);
  // Dropping the second oldest keeps the oldest unreached sample, so that the lag measured
  // never shrinks because samples were dropped.
  if (samples_.size() > kMaxSamples) samples_.erase(samples_.begin() + 1);
}

ReplicaLag::Clock::duration ReplicaLag::replica_at(Clock::time_point t, std::uint64_t replayed) {
  if (samples_.empty()) return Clock::duration::zero();
  while (samples_.size() > 1 && samples_[1].second <= replayed) samples_.pop_front();
  return std::max(Clock::duration::zero(), t - samples_.front().first);
}

ReportReads::ReportReads(PgPool& primary) : primary_(primary) {}

ReportReads::ReportReads(PgPool& primary, std::unique_ptr<PgPool> replica, ReplicaOptions options)
    : primary_(primary), replica_(std::move(replica)), options_(options) {
  set(in_use_gauge(), 0);
  const auto every = std::clamp(options_.max_lag / 4, std::chrono::milliseconds(50),
                                std::chrono::milliseconds(1000));
  // Reads go to the primary until the first probe has found the replica caught up.
  prober_ = std::thread([this, every] {
    do {
      probe();
    } while (stop_.wait(every));
  });
}

ReportReads::~ReportReads() {
  stop_.stop();
  if (prober_.joinable()) prober_.join();
}

std::vector<Statement> ReportReads::primary_statements() {
  return {
      {"replica_primary_position", "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"}};
}

std::vector<Statement> ReportReads::replica_statements() {
  return {{"replica_replay_position",
           "SELECT pg_is_in_recovery(),"
           " pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint"}};
}

void ReportReads::probe() {
  // Without a fresh primary position (primary unreachable or busy) the lag grows from the last
  // one taken: what the primary committed since is not known.
  try {
    auto position = primary_.with([](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      return tx.exec_prepared1("replica_primary_position")[0].as<std::uint64_t>();
    });
    lag_.primary_at(ReplicaLag::Clock::now(), position);
  } catch (const std::exception& e) {
    spdlog::debug("replica probe: primary position: {}", e.what());
  }
  try {
    auto [standby, replayed] = replica_->with([](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      auto row = tx.exec_prepared1("replica_replay_position");
      return std::pair{row[0].as<bool>(), row[1].is_null() ? 0 : row[1].as<std::uint64_t>()};
    });
    if (!standby) {
      set_fresh(false, "is not a standby: it replays nothing from the primary");
      return;
    }
    auto lag = std::chrono::duration_cast<std::chrono::milliseconds>(
        lag_.replica_at(ReplicaLag::Clock::now(), replayed));
    set(lag_gauge(), lag.count());
    if (lag > options_.max_lag) {
      set_fresh(false, ("trails the primary by more than " +
                        std::to_string(options_.max_lag.count()) + " ms")
                           .c_str());
    } else {
      set_fresh(true, "");
    }
  } catch (const std::exception& e) {
    set_fresh(false, e.what());
  }
}

void ReportReads::set_fresh(bool fresh, const char* why) {
  const int now = fresh ? kFresh : kBehind;
  if (state_.exchange(now) == now) return;
  set(in_use_gauge(), fresh ? 1 : 0);
  if (fresh) {
    spdlog::info("report reads go to the replica");
  } else {
    spdlog::warn("report reads go to the primary: the replica {}", why);
  }
}

void ReportReads::replica_failed(const char* what) {
  set_fresh(false, (std::string("failed a read (") + what + ")").c_str());
}

void ReportReads::counted(bool replica) {
  static auto& on_replica = metrics::registry().counter(
      "pbx_report_reads_total", "Report reads, by the database that served them",
      "database=\"replica\"");
  static auto& on_primary = metrics::registry().counter(
      "pbx_report_reads_total", "Report reads, by the database that served them",
      "database=\"primary\"");
  (replica ? on_replica : on_primary).inc();
}

}  // namespace pbx::store
