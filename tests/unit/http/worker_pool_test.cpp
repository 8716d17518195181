#include "http/worker_pool.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace pbx::http {
namespace {

// Holds a worker busy until opened.
class Gate {
 public:
  WorkerPool::Job job() {
    return {[this] {
              entered_.set_value();
              opened_.wait();
            },
            {}};
  }
  void wait_entered() { entered_.get_future().wait(); }
  void open() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
  std::shared_future<void> opened_ = release_.get_future().share();
};

std::string metric(const std::string& name, const std::string& pool) {
  auto text = metrics::registry().render();
  auto key = name + "{pool=\"" + pool + "\"} ";
  auto at = text.find(key);
  if (at == std::string::npos) return "missing";
  auto start = at + key.size();
  return text.substr(start, text.find('\n', start) - start);
}

TEST(WorkerPool, RunsJobsOnItsWorkersInOrder) {
  std::vector<int> order;
  std::mutex m;
  std::atomic<bool> all_on_workers{true};
  std::promise<void> done;
  WorkerPool pool("test-order", 1, 10);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pool.submit({[&, i] {
                               if (!WorkerPool::on_worker()) all_on_workers = false;
                               std::lock_guard lock(m);
                               order.push_back(i);
                               if (i == 4) done.set_value();
                             },
                             {}}));
  }
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(all_on_workers);
  EXPECT_FALSE(WorkerPool::on_worker());
}

TEST(WorkerPool, RefusesAtOnceBeyondItsQueueAndCountsIt) {
  WorkerPool pool("test-bound", 1, 2);
  Gate gate;
  ASSERT_TRUE(pool.submit(gate.job()));
  gate.wait_entered();
  std::atomic<int> ran{0};
  std::promise<void> both_ran;
  auto counted = [&] {
    return WorkerPool::Job{[&] {
                             if (++ran == 2) both_ran.set_value();
                           },
                           {}};
  };
  EXPECT_TRUE(pool.submit(counted()));
  EXPECT_TRUE(pool.submit(counted()));
  EXPECT_EQ(metric("pbx_worker_pool_queued", "test-bound"), "2");
  EXPECT_EQ(metric("pbx_worker_pool_busy", "test-bound"), "1");
  EXPECT_FALSE(pool.submit(counted()));
  EXPECT_FALSE(pool.submit(counted()));
  EXPECT_EQ(metric("pbx_worker_pool_rejected_total", "test-bound"), "2");
  gate.open();
  ASSERT_EQ(both_ran.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  pool.join();
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(metric("pbx_worker_pool_queued", "test-bound"), "0");
  EXPECT_EQ(metric("pbx_worker_pool_busy", "test-bound"), "0");
  EXPECT_NE(metrics::registry().render().find(
                "pbx_worker_pool_job_seconds_count{pool=\"test-bound\"} 3\n"),
            std::string::npos);
  EXPECT_NE(metrics::registry().render().find(
                "pbx_worker_pool_wait_seconds_count{pool=\"test-bound\"} 3\n"),
            std::string::npos);
}

TEST(WorkerPool, IdleWorkersTakeJobsWithAQueueOfNone) {
  WorkerPool pool("test-idle", 2, 0);
  Gate a;
  Gate b;
  ASSERT_TRUE(pool.submit(a.job()));
  ASSERT_TRUE(pool.submit(b.job()));
  a.wait_entered();
  b.wait_entered();
  EXPECT_FALSE(pool.submit({[] {}, {}}));
  a.open();
  b.open();
  // The gates outlive the jobs that wait on them.
  pool.join();
}

TEST(WorkerPool, CloseCancelsQueuedJobsAndRefusesNewOnes) {
  WorkerPool pool("test-close", 1, 5);
  Gate gate;
  ASSERT_TRUE(pool.submit(gate.job()));
  gate.wait_entered();
  std::atomic<int> ran{0};
  std::atomic<int> cancelled{0};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.submit({[&] { ++ran; }, [&] { ++cancelled; }}));
  pool.close();
  EXPECT_EQ(cancelled, 3);
  EXPECT_FALSE(pool.submit({[&] { ++ran; }, [&] { ++cancelled; }}));
  gate.open();
  pool.join();
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(cancelled, 3);
  EXPECT_EQ(metric("pbx_worker_pool_queued", "test-close"), "0");
}

TEST(WorkerPool, WorkersRunAtTheNicenessAsked) {
  int here = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  WorkerPool pool("test-nice", 1, 1, 5);
  std::promise<int> seen;
  ASSERT_TRUE(pool.submit(
      {[&] { seen.set_value(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()))); }, {}}));
  EXPECT_EQ(seen.get_future().get(), std::min(here + 5, 19));
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())), here);
}

TEST(WorkerPool, AThrowingJobDoesNotEndItsWorker) {
  WorkerPool pool("test-throw", 1, 5);
  std::promise<void> done;
  ASSERT_TRUE(pool.submit({[] { throw std::runtime_error("boom"); }, {}}));
  ASSERT_TRUE(pool.submit({[&] { done.set_value(); }, {}}));
  EXPECT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace pbx::http
