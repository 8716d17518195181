#pragma once

#include "store/pg.hpp"
#include "store/redis.hpp"
#include "webhooks/job.hpp"
#include "webhooks/stream.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pbx::webhooks {

struct WriterOptions {
  int threads = 2;           // each with its own Postgres connection from the pool
  size_t max_batch = 512;    // jobs per transaction
  size_t max_queue = 20000;  // beyond this, new jobs are refused (the sender retries)
  StreamBudget stream;       // each tenant's Redis event stream
};

// Group commit: jobs from all HTTP threads are written many to a transaction, so that the
// cost of a durable commit (synchronous_commit on) is shared. Before a batch's statements one
// Redis round trip finds deliveries marked as stored (dedupe markers). A marker is a hint that
// Postgres confirms in the batch's transaction (one query, only when a job is marked: a marker
// outlives its rows after a restore or a failover); Postgres' unique keys remain the arbiter, so
// the markers only save work and everything holds without Redis. A job's `done` runs only
// after its transaction committed (ok) or failed (not ok, nothing of the batch is stored). After
// the commit, dedupe markers and stream entries go to Redis; their failure changes nothing for the
// sender.
//
// A batch that fails for a reason of its own (an error, or a statement timeout) is written again
// job by job, so that one bad or slow job fails alone; when the database is down or the
// connection lost, every job of the batch is answered "retry".
//
// One writer at a time collects a batch and runs its statements; it hands that turn on just
// before its COMMIT, so that the next batch gathers every job that arrived meanwhile and runs
// while the previous commit waits for its WAL flush. A writer opens its transaction before it
// waits for the turn, so that BEGIN's round trip is not part of it. Without the turn, an idle
// writer would wake on the first new job and commit it almost alone, and a commit costs Postgres
// about as much CPU as a dozen events. With max_batch 1 (one transaction per request) there is no
// turn.
class Writer {
 public:
  Writer(store::PgPool& pg, store::RedisPool& redis, WriterOptions options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // False when the queue is full or the writer stopped: answer 503.
  bool submit(std::shared_ptr<Job> job);
  // Writes everything queued, then stops the threads.
  void stop();

  static std::string marker_key(const Job& job, const std::string& dedupe_key);
  static std::string stream_key(const std::string& tenant_id);

 private:
  // `shard`: the thread's number, also its CDR rollup shard.
  void run(int shard);
  // Takes the turn (when batching) and up to max_batch queued jobs; `marked` gets those whose
  // every key has a dedupe marker.
  std::vector<std::shared_ptr<Job>> take(std::unique_lock<std::mutex>& turn,
                                         std::vector<const Job*>& marked);
  std::vector<const Job*> find_marked(const std::vector<std::shared_ptr<Job>>& batch);
  // Opens a transaction, takes a batch, writes it and answers its jobs; hands the turn on
  // once the batch's statements ran (or failed).
  void write_next(int shard);
  void fan_out(const std::vector<std::shared_ptr<Job>>& batch);

  store::PgPool& pg_;
  store::RedisPool& redis_;
  WriterOptions options_;
  std::mutex turn_;  // held from taking a batch until its statements ran
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pbx::webhooks
