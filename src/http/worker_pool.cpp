#include "http/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <system_error>

namespace pbx::http {

namespace {

thread_local bool t_on_worker = false;

std::string pool_label(const std::string& name) { return metrics::label("pool", name); }

}  // namespace

WorkerPool::WorkerPool(const std::string& name, int workers, size_t max_queued, int nice)
    : max_queued_(max_queued),
      nice_(nice),
      idle_(static_cast<size_t>(workers)),
      queued_(metrics::registry().gauge("pbx_worker_pool_queued", "Jobs waiting for a worker",
                                        pool_label(name))),
      busy_(metrics::registry().gauge("pbx_worker_pool_busy", "Workers running a job",
                                      pool_label(name))),
      rejected_(metrics::registry().counter("pbx_worker_pool_rejected_total",
                                            "Jobs refused because the queue was full or closed",
                                            pool_label(name))),
      wait_(metrics::registry().histogram("pbx_worker_pool_wait_seconds",
                                          "Time jobs waited in the queue", pool_label(name))),
      duration_(metrics::registry().histogram("pbx_worker_pool_job_seconds",
                                              "Time jobs ran on a worker", pool_label(name))) {
  threads_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { join(); }

bool WorkerPool::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    // Idle workers take a job each at once: only what is left over counts against the bound.
    if (closed_ || queue_.size() >= max_queued_ + idle_) {
      rejected_.inc();
      return false;
    }
    queue_.push_back({std::move(job), Clock::now()});
    queued_.add(1);
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::close() {
  std::deque<Queued> dropped;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    dropped.swap(queue_);
    queued_.add(-static_cast<int64_t>(dropped.size()));
  }
  for (auto& item : dropped) {
    if (item.job.cancel) item.job.cancel();
  }
}

void WorkerPool::join() {
  close();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

bool WorkerPool::on_worker() { return t_on_worker; }

void WorkerPool::work() {
  t_on_worker = true;
  if (nice_ != 0) {
    // On Linux a thread has a niceness of its own, set through its thread id.
    auto tid = static_cast<id_t>(::gettid());
    errno = 0;
    int current = ::getpriority(PRIO_PROCESS, tid);
    if ((current == -1 && errno != 0) || ::setpriority(PRIO_PROCESS, tid, current + nice_) != 0) {
      spdlog::warn("worker niceness not changed: {}", std::generic_category().message(errno));
    }
  }
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    auto item = std::move(queue_.front());
    queue_.pop_front();
    --idle_;
    queued_.add(-1);
    busy_.add(1);
    lock.unlock();
    auto started = Clock::now();
    wait_.observe(started - item.queued_at);
    // Jobs answer their own errors; anything escaping is a bug, and must not end the worker.
    try {
      item.job.run();
    } catch (const std::exception& e) {
      spdlog::error("worker job failed: {}", e.what());
    } catch (...) {
      spdlog::error("worker job failed");
    }
    duration_.observe(Clock::now() - started);
    item = {};  // the job's captures are released before the lock is taken again
    busy_.add(-1);
    lock.lock();
    ++idle_;
  }
}

}  // namespace pbx::http
