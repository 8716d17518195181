// Admin, report and replay work runs on a bounded pool of its own: while slow admin requests
// fill it, voice routing answers at once, and an admin request beyond the queue's bound is
// refused at once with 503 and Retry-After instead of waiting.
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/voice.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace pbx::testing {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Makes every read of the CDR table wait: a 90-day stats request then blocks in Postgres for
// as long as the lock is held, as a stats query over millions of rows would take its time.
class CdrTableLock {
 public:
  CdrTableLock() : conn_(TestEnv::get().pg().url()), tx_(std::make_unique<pqxx::work>(conn_)) {
    tx_->exec0("LOCK TABLE cdrs IN ACCESS EXCLUSIVE MODE");
  }
  ~CdrTableLock() { release(); }
  void release() {
    if (tx_) tx_->abort();
    tx_.reset();
  }

 private:
  pqxx::connection conn_;
  std::unique_ptr<pqxx::work> tx_;
};

class AdminPool : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, "pool.cloudonix.net"));
    auto env = *env_;
    // Two connection threads, one admin worker and room for two waiting admin requests.
    env["PBX_HTTP_THREADS"] = "2";
    env["PBX_ADMIN_WORKERS"] = "1";
    env["PBX_ADMIN_QUEUE"] = "2";
    env["PBX_DB_STATEMENT_TIMEOUT_MS"] = "30000";
    svc_ = new ServiceProcess({"serve"}, env);
    svc_->wait_healthy();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete tenant_;
    delete env_;
  }

  static std::map<std::string, std::string> bearer(const std::string& request_id = "") {
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + tenant_->admin_token}};
    if (!request_id.empty()) h["X-Request-Id"] = request_id;
    return h;
  }

  // The admin pool's line of a metric ("" when the service does not answer in time).
  static std::string pool_metric(const std::string& name) {
    HttpClient http;
    auto r =
        http.request("GET", svc_->base_url() + "/metrics", "", {}, std::chrono::milliseconds(1000));
    auto key = name + "{pool=\"admin\"} ";
    auto at = r.body.find(key);
    if (r.status != 200 || at == std::string::npos) return "";
    auto start = at + key.size();
    return r.body.substr(start, r.body.find('\n', start) - start);
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
};

TEST_F(AdminPool, VoiceAnswersAtOnceWhileSlowAdminWorkFillsThePoolAndMoreIsRefused) {
  CdrTableLock lock;
  const std::string stats =
      svc_->base_url() + "/api/v1/cdrs/stats?from_date=2026-01-01&to_date=2026-03-31";
  // One stats request runs and two wait: the pool is full.
  std::vector<HttpResponse> slow(3);
  std::vector<std::thread> clients;
  for (size_t i = 0; i < slow.size(); ++i) {
    clients.emplace_back([&, i] {
      HttpClient http;
      slow[i] = http.request("GET", stats, "", bearer("pool-stats-" + std::to_string(i)),
                             std::chrono::seconds(60));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // in this order
  }
  struct Joiner {
    CdrTableLock& lock;
    std::vector<std::thread>& threads;
    ~Joiner() {
      lock.release();
      for (auto& t : threads) t.join();
    }
  } joiner{lock, clients};

  bool full = eventually(
      [&] {
        return pool_metric("pbx_worker_pool_busy") == "1" &&
               pool_metric("pbx_worker_pool_queued") == "2";
      },
      std::chrono::seconds(5));
  EXPECT_TRUE(full) << "the admin pool never showed 1 running and 2 waiting requests";

  // Voice routing does not wait behind them.
  VoiceClient voice(svc_->base_url(), tenant_->requests_api_key, "");
  double slowest_voice_ms = 0;
  for (int i = 0; i < 20; ++i) {
    auto start = Clock::now();
    auto r = voice.route({{"To", "+10000000000"}});
    slowest_voice_ms = std::max(slowest_voice_ms, ms_since(start));
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_NE(r.raw.find("<Response>"), std::string::npos) << r.raw;
  }
  EXPECT_LT(slowest_voice_ms, 1000) << "voice routing waited behind admin work";

  // The OpenAPI document is a constant: it is served on the connection threads.
  HttpClient http;
  auto start = Clock::now();
  auto openapi = http.request("GET", svc_->base_url() + "/api/v1/openapi.json", "", {},
                              std::chrono::seconds(30));
  EXPECT_EQ(openapi.status, 200);
  EXPECT_LT(ms_since(start), 1000);

  // Another admin request is refused at once, with a hint of when to come back.
  start = Clock::now();
  auto refused = http.request("GET", svc_->base_url() + "/api/v1/auth/me", "",
                              bearer("pool-refused"), std::chrono::seconds(30));
  double refused_ms = ms_since(start);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_NE(refused.body.find("\"code\":\"unavailable\""), std::string::npos) << refused.body;
  EXPECT_EQ(refused.headers["x-request-id"], "pool-refused");
  EXPECT_LT(refused_ms, 1000);
  std::cout << "[figures] with the admin pool full: slowest of 20 voice routes " << slowest_voice_ms
            << " ms; admin request refused in " << refused_ms << " ms\n";

  // Once Postgres answers, every accepted request is answered, the waiting ones included.
  lock.release();
  for (auto& t : clients) t.join();
  clients.clear();
  for (size_t i = 0; i < slow.size(); ++i) {
    EXPECT_EQ(slow[i].status, 200) << i << ": " << slow[i].body << slow[i].error;
  }
  EXPECT_EQ(pool_metric("pbx_worker_pool_rejected_total"), "1");
  EXPECT_EQ(pool_metric("pbx_worker_pool_queued"), "0");
  // Work done on the pool logs with its request id.
  auto log = svc_->log_text();
  for (const char* rid : {"rid=pool-stats-0", "rid=pool-stats-2", "rid=pool-refused"}) {
    EXPECT_NE(log.find(rid), std::string::npos) << rid;
  }
}

// An admin request may take longer than the header timeout, waiting for a worker or for
// Postgres: it is answered, not cut off with a 408.
TEST_F(AdminPool, SlowAdminWorkOutlastsTheHeaderTimeout) {
  auto env = *env_;
  env["PBX_HEADER_TIMEOUT_S"] = "1";
  env["PBX_DB_STATEMENT_TIMEOUT_MS"] = "30000";
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();
  HttpResponse answer;
  {
    CdrTableLock lock;
    std::thread client([&] {
      HttpClient http;
      answer = http.request("GET", svc.base_url() + "/api/v1/cdrs/stats", "", bearer(),
                            std::chrono::seconds(60));
    });
    std::this_thread::sleep_for(std::chrono::seconds(4));
    lock.release();
    client.join();
  }
  EXPECT_EQ(answer.status, 200) << answer.body << answer.error;
}

// Made-up tokens count against the address's limit before they are looked up, so a flood of
// them is refused with 429 without reaching the database.
TEST_F(AdminPool, MadeUpTokensAreRateLimitedPerAddressBeforeTheirLookup) {
  auto env = *env_;
  env["PBX_ADMIN_RATE_PER_IP"] = "3";
  // An address of its own, so that no other request of this minute counts (Redis is shared).
  env["PBX_TRUSTED_PROXIES"] = "127.0.0.1";
  ServiceProcess limited({"serve"}, env);
  limited.wait_healthy();
  HttpClient http;
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) {
    statuses.push_back(http.get(limited.base_url() + "/api/v1/auth/me",
                                {{"Authorization", "Bearer pbxa_made-up-" + std::to_string(i)},
                                 {"X-Forwarded-For", "198.51.100.77"}})
                           .status);
  }
  // A minute's window may roll over between two requests: then the count starts again.
  EXPECT_EQ(statuses.back(), 429) << ::testing::PrintToString(statuses);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401), 3)
      << ::testing::PrintToString(statuses);
}

}  // namespace
}  // namespace pbx::testing
