#include "webhooks/rejections.hpp"

#include "cloudonix/body.hpp"
#include "core/uuid_v7.hpp"

#include <spdlog/spdlog.h>

namespace pbx::webhooks {

RejectionSampler::RejectionSampler(int per_tenant, int per_source, size_t max_keys)
    : per_tenant_(per_tenant), per_source_(per_source), max_keys_(max_keys) {}

bool RejectionSampler::under(std::unordered_map<std::string, Window>& windows, std::string_view key,
                             int limit, std::chrono::steady_clock::time_point now) const {
  constexpr auto kWindow = std::chrono::minutes(1);
  if (windows.size() >= max_keys_ && windows.find(std::string(key)) == windows.end()) {
    std::erase_if(windows, [&](const auto& w) { return now - w.second.start >= kWindow; });
    if (windows.size() >= max_keys_) return false;
  }
  auto& w = windows[std::string(key)];
  if (w.count == 0 || now - w.start >= kWindow) w = {now, 0};
  return w.count < limit;
}

bool RejectionSampler::admit(std::string_view tenant_id, std::string_view source_ip,
                             std::chrono::steady_clock::time_point now) {
  // Both budgets must have room, and only an admitted rejection spends them.
  if (!under(tenants_, tenant_id, per_tenant_, now) ||
      !under(sources_, source_ip, per_source_, now)) {
    return false;
  }
  ++tenants_[std::string(tenant_id)].count;
  ++sources_[std::string(source_ip)].count;
  return true;
}

RejectionLog::RejectionLog(store::PgPool& pg, int per_tenant_per_minute, int per_source_per_minute)
    : pg_(pg), sampler_(per_tenant_per_minute, per_source_per_minute) {
  thread_ = std::thread([this] { run(); });
}

RejectionLog::~RejectionLog() { stop(); }

std::vector<store::Statement> RejectionLog::statements() {
  return {{"rejection_insert",
           "INSERT INTO webhook_events (id, tenant_id, kind, outcome, http_status, error, reason,"
           " request_id, source_ip, body_sample, received_at)"
           " VALUES ($1, $2, $3, 'rejected', $4, $5, $5, $6, $7, $8, to_timestamp($9 / 1e6))"}};
}

void RejectionLog::record(RejectedDelivery r) {
  if (r.body_sample.size() > RejectedDelivery::kBodySample)
    r.body_sample.resize(RejectedDelivery::kBodySample);
  r.body_sample = cloudonix::storable_text(r.body_sample);
  std::lock_guard lock(mutex_);
  if (stopping_ || queue_.size() >= kMaxQueue ||
      !sampler_.admit(r.tenant_id, r.source_ip, std::chrono::steady_clock::now())) {
    return;
  }
  queue_.push_back(std::move(r));
  cv_.notify_one();
}

void RejectionLog::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RejectionLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    std::deque<RejectedDelivery> batch;
    batch.swap(queue_);
    lock.unlock();
    try {
      pg_.with([&](pqxx::connection& conn) {
        pqxx::work tx(conn);
        for (const auto& r : batch) {
          auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            r.received_at.time_since_epoch())
                            .count();
          std::optional<std::string> tenant;
          if (!r.tenant_id.empty()) tenant = r.tenant_id;
          tx.exec_prepared("rejection_insert", uuid::v7(), tenant, std::string(kind_name(r.kind)),
                           r.http_status, r.reason, r.request_id, r.source_ip, r.body_sample,
                           micros);
        }
        tx.commit();
        return 0;
      });
    } catch (const std::exception& e) {
      // A sample lost to a database outage costs nothing that a sender is owed.
      spdlog::warn("{} rejected webhook samples not stored: {}", batch.size(), e.what());
    }
    lock.lock();
  }
}

}  // namespace pbx::webhooks
