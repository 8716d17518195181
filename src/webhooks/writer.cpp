#include "webhooks/writer.hpp"

#include "core/error.hpp"
#include "core/metrics.hpp"
#include "core/uuid_v7.hpp"
#include "webhooks/store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace pbx::webhooks {

namespace {

// Dedupe markers outlive any retry schedule a sender is likely to have.
constexpr const char* kMarkerTtlSeconds = "172800";
// Jobs of a batch that may time out alone before the database counts as slow for every job.
constexpr int kTimeoutsAlone = 2;

metrics::Histogram& batch_seconds() {
  static auto& h = metrics::registry().histogram(
      "pbx_webhook_batch_seconds", "Time to write one group-commit batch of webhooks");
  return h;
}

}  // namespace

Writer::Writer(store::PgPool& pg, store::RedisPool& redis, WriterOptions options)
    : pg_(pg), redis_(redis), options_(options) {
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

Writer::~Writer() { stop(); }

std::string Writer::marker_key(const Job& job, const std::string& dedupe_key) {
  return "pbx:wh:" + job.tenant_id + ":" + std::string(kind_name(job.kind)) + ":" + dedupe_key;
}

std::string Writer::stream_key(const std::string& tenant_id) { return "pbx:events:" + tenant_id; }

bool Writer::submit(std::shared_ptr<Job> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queue) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void Writer::run(int shard) {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
    }
    write_next(shard);
  }
}

std::vector<std::shared_ptr<Job>> Writer::take(std::unique_lock<std::mutex>& turn,
                                               std::vector<const Job*>& marked) {
  // Single-job transactions have nothing to gather: they run side by side.
  if (options_.max_batch > 1) turn.lock();
  std::vector<std::shared_ptr<Job>> batch;
  {
    std::lock_guard lock(mutex_);
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  marked = find_marked(batch);
  return batch;
}

std::vector<const Job*> Writer::find_marked(const std::vector<std::shared_ptr<Job>>& batch) {
  std::vector<std::vector<std::string>> commands;
  std::vector<const Job*> asked;
  for (const auto& job : batch) {
    if (job->log_only || !job->dead_letters.empty()) continue;
    std::vector<std::string> cmd{"EXISTS"};
    for (const auto& u : job->updates) cmd.push_back(marker_key(*job, u.dedupe_key));
    if (job->cdr) cmd.push_back(marker_key(*job, job->cdr->dedupe_key));
    if (cmd.size() == 1) continue;
    commands.push_back(std::move(cmd));
    asked.push_back(job.get());
  }
  std::vector<const Job*> marked;
  auto replies = redis_.pipeline(commands);
  if (!replies) return marked;
  for (size_t i = 0; i < asked.size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.type == store::RedisReply::Type::integer &&
        r.integer == static_cast<long long>(commands[i].size() - 1)) {
      marked.push_back(asked[i]);
    }
  }
  return marked;
}

void Writer::write_next(int shard) {
  std::unique_lock turn(turn_, std::defer_lock);
  auto hand_on = [&] {
    if (turn.owns_lock()) turn.unlock();
  };
  std::vector<std::shared_ptr<Job>> batch;
  std::vector<Job*> all;
  std::vector<const Job*> marked;
  bool taken = false;
  std::chrono::steady_clock::time_point started;
  // Once a transaction is open, not before: BEGIN's round trip then overlaps the statements of
  // the batch that holds the turn. Once only: not again when a broken connection is retried.
  auto take_once = [&] {
    if (taken) return;
    taken = true;
    batch = take(turn, marked);
    started = std::chrono::steady_clock::now();
    for (auto& j : batch) all.push_back(j.get());
  };
  auto attempt = [&](const std::vector<Job*>& jobs) {
    pg_.with([&](pqxx::connection& c) {
      pqxx::work tx(c);
      take_once();
      if (jobs.empty()) {  // other writers took the queued jobs
        hand_on();
        return;
      }
      write_webhook_batch(tx, jobs, marked, shard);
      hand_on();
      tx.commit();
    });
  };
  std::vector<bool> stored;
  try {
    attempt(all);
    stored.assign(batch.size(), true);
  } catch (const Error& e) {
    take_once();  // BEGIN failed: the jobs still get their answer
    hand_on();
    stored.assign(batch.size(), false);
    // The database down or the connection lost fails every job alike: all are answered
    // "retry". An error, or a statement timeout in a batch of several jobs, may be one job's
    // doing.
    if (!e.retryable() || (e.kind() == Error::Kind::timed_out && all.size() > 1)) {
      // One bad or slow job must not sink the others: write each alone. One that still fails
      // with an error is kept as a dead letter, so that its sender stops retrying it. One that
      // times out alone is answered "retry": a timeout says the database was slow for it then,
      // not that it can never be stored (its size is bounded). A second job timing out alone,
      // or the database going down, means no job can be stored now: the jobs not yet tried are
      // answered "retry" at once rather than each waiting for its own timeout.
      spdlog::warn("webhook batch of {} failed ({}); writing jobs one by one", all.size(),
                   e.what());
      int timeouts = 0;
      for (size_t i = 0; i < all.size(); ++i) {
        try {
          attempt({all[i]});
          stored[i] = true;
        } catch (const Error& each) {
          if (each.retryable()) {
            if (each.kind() == Error::Kind::timed_out && ++timeouts < kTimeoutsAlone) continue;
            break;
          }
          Job& job = *all[i];
          spdlog::error("rid={} webhook could not be stored; dead-lettering it", job.request_id);
          job.dead_letters = {{uuid::v7(), job.stored_body, "could not be stored"}};
          job.updates.clear();
          job.cdr.reset();
          try {
            attempt({all[i]});
            stored[i] = true;
          } catch (const std::exception&) {
            // Left unacknowledged: the sender retries it later.
          }
        }
      }
    }
  } catch (const std::exception& e) {
    take_once();
    hand_on();
    stored.assign(batch.size(), false);
    spdlog::error("webhook batch failed: {}", e.what());
  }
  if (batch.empty()) return;
  batch_seconds().observe(std::chrono::steady_clock::now() - started);
  std::vector<std::shared_ptr<Job>> done;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (stored[i]) done.push_back(batch[i]);
  }
  fan_out(done);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i]->done) batch[i]->done(*batch[i], stored[i]);
  }
}

void Writer::fan_out(const std::vector<std::shared_ptr<Job>>& batch) {
  std::vector<std::vector<std::string>> commands;
  for (const auto& job : batch) {
    if (job->log_only || job->tenant_id.empty()) continue;
    for (const auto& key : job->new_keys) {
      commands.push_back({"SET", marker_key(*job, key), "1", "EX", kMarkerTtlSeconds});
    }
    for (const auto& u : job->updates) {
      if (std::find(job->new_keys.begin(), job->new_keys.end(), u.dedupe_key) ==
          job->new_keys.end()) {
        continue;
      }
      commands.push_back(stream_add(
          stream_key(job->tenant_id), options_.stream,
          {{"kind", "session_update"}, {"session", u.session_token}, {"status", u.status}}, u.raw));
    }
    if (job->cdr && job->processed > 0) {
      commands.push_back(
          stream_add(stream_key(job->tenant_id), options_.stream,
                     {{"kind", "cdr"},
                      {"session", job->cdr->session_token},
                      {"disposition", std::string(cloudonix::to_string(job->cdr->disposition))}},
                     job->cdr->raw));
    }
  }
  if (!redis_.pipeline(commands)) {
    spdlog::warn("redis unavailable: {} dedupe markers and stream entries not published",
                 commands.size());
  }
}

}  // namespace pbx::webhooks
