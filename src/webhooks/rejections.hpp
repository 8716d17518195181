#pragma once

#include "store/pg.hpp"
#include "webhooks/job.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace pbx::webhooks {

// A refused webhook delivery, as its claimed tenant's webhook log shows it.
struct RejectedDelivery {
  Kind kind = Kind::session_update;
  std::string tenant_id;  // the tenant the delivery claimed; empty when it named none we know
  std::string reason;     // to_string(Rejection), or the error code of a refusal before it
  int http_status = 401;
  std::string request_id;
  std::string source_ip;
  std::string body_sample;  // at most kBodySample bytes of the body, as storable text
  std::chrono::system_clock::time_point received_at;

  static constexpr size_t kBodySample = 4096;
};

// Decides which rejections are kept: at most `per_tenant` a minute for each claimed tenant and
// `per_source` a minute for each source address, so that a flood of forged deliveries costs a
// bounded number of rows however long it lasts. Fixed one-minute windows; `max_keys` bounds the
// memory a flood from many addresses can take (the oldest windows are forgotten first).
class RejectionSampler {
 public:
  RejectionSampler(int per_tenant, int per_source, size_t max_keys = 10000);
  bool admit(std::string_view tenant_id, std::string_view source_ip,
             std::chrono::steady_clock::time_point now);

 private:
  struct Window {
    std::chrono::steady_clock::time_point start;
    int count = 0;
  };
  bool under(std::unordered_map<std::string, Window>& windows, std::string_view key, int limit,
             std::chrono::steady_clock::time_point now) const;

  int per_tenant_;
  int per_source_;
  size_t max_keys_;
  std::unordered_map<std::string, Window> tenants_;
  std::unordered_map<std::string, Window> sources_;
};

// Stores sampled rejections in webhook_events from a thread of its own, apart from the writer
// that stores accepted events: refused deliveries never wait in, or fill, that queue. The queue
// here is small and drops what does not fit; rejections are a diagnostic sample, never data a
// sender is owed.
class RejectionLog {
 public:
  RejectionLog(store::PgPool& pg, int per_tenant_per_minute, int per_source_per_minute);
  ~RejectionLog();
  RejectionLog(const RejectionLog&) = delete;
  RejectionLog& operator=(const RejectionLog&) = delete;

  // Queues the rejection when the sample admits it (the caller counts every one).
  void record(RejectedDelivery r);
  // Stores what is queued, then stops the thread.
  void stop();

  static std::vector<store::Statement> statements();

 private:
  void run();

  static constexpr size_t kMaxQueue = 256;

  store::PgPool& pg_;
  std::mutex mutex_;
  std::condition_variable cv_;
  RejectionSampler sampler_;
  std::deque<RejectedDelivery> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pbx::webhooks
