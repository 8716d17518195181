#pragma once

#include "core/metrics.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pbx::http {

// A fixed number of threads that run jobs in the order they came, behind a bounded queue.
// Work that may block for long (admin requests, reports, replays) waits here instead of on the
// connection threads, and is refused at once, never queued without end, when too much of it is
// already waiting. Metrics: pbx_worker_pool_* with a pool="<name>" label.
class WorkerPool {
 public:
  struct Job {
    std::function<void()> run;
    // Runs instead of `run` when the pool is closed before the job started.
    std::function<void()> cancel;
  };

  // max_queued: how many jobs may wait for a worker beyond those the idle workers take at once.
  // nice: added to the workers' scheduling niceness, so that on a busy machine the threads
  // that answer calls get the CPU first.
  WorkerPool(const std::string& name, int workers, size_t max_queued, int nice = 0);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a job; false, with nothing run, when the queue is full or the pool is closed.
  bool submit(Job job);
  // Refuses jobs from now on and cancels the queued ones (on the calling thread); running jobs
  // go on.
  void close();
  // close(), then waits for the running jobs to end.
  void join();

  // Whether the calling thread is a worker of some pool.
  static bool on_worker();

 private:
  using Clock = std::chrono::steady_clock;
  struct Queued {
    Job job;
    Clock::time_point queued_at;
  };

  void work();

  size_t max_queued_;
  int nice_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Queued> queue_;
  size_t idle_;
  bool closed_ = false;
  bool stopping_ = false;
  std::vector<std::thread> threads_;

  metrics::Gauge& queued_;
  metrics::Gauge& busy_;
  metrics::Counter& rejected_;
  metrics::Histogram& wait_;
  metrics::Histogram& duration_;
};

}  // namespace pbx::http
