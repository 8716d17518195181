// What the webhook plane keeps is bounded: each tenant's Redis event stream by bytes as well as
// entries, and the webhook log by age (a background job removing old rows in small batches,
// never holding up ingest, safe with several instances), against real Postgres and Redis.
#include "core/metrics.hpp"
#include "store/pg.hpp"
#include "store/retention.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"
#include "webhooks/retention.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <future>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kDomain = "retention.cloudonix.net";
constexpr const char* kOtherDomain = "retention-other.cloudonix.net";
// A budget of 64 entries of at most 1 KiB each.
constexpr int kStreamBytes = 65536, kEntryBytes = 1024;

class Retention : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    other_ = new TenantCredentials(bootstrap_tenant(*env_, kOtherDomain));
    Env env = *env_;
    env["PBX_EVENT_STREAM_MAX_BYTES"] = std::to_string(kStreamBytes);
    env["PBX_EVENT_STREAM_ENTRY_MAX_BYTES"] = std::to_string(kEntryBytes);
    svc_ = new ServiceProcess({"serve"}, env);
    svc_->wait_healthy();
    pg_ = new store::PgPool({env_->at("PBX_DATABASE_URL"), 4},
                            webhooks::webhook_log_retention_statements());
  }
  static void TearDownTestSuite() {
    delete pg_;
    delete svc_;
    delete other_;
    delete tenant_;
    delete env_;
  }

  static HttpResponse post_cdr(const TenantCredentials& tenant, const json& body) {
    HttpClient http;
    auto text = body.dump();
    return http.request("POST", svc_->base_url() + "/api/webhooks/cloudonix/cdr", text,
                        signed_webhook_headers(tenant.webhook_secret, text, tenant.domain));
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  static long long number(const std::string& sql) { return std::stoll(scalar(sql)); }
  // Adds `n` webhook log rows of the tenant (or of none, for "NULL") received `days` ago.
  static void add_log_rows(const std::string& tenant, int n, int days) {
    auto id = tenant == "NULL" ? tenant : "'" + tenant + "'";
    TestEnv::get().pg().execute(
        "INSERT INTO webhook_events (tenant_id, kind, outcome, http_status, received_at)"
        " SELECT " +
        id + ", 'cdr', 'rejected', 401, now() - interval '" + std::to_string(days) +
        " days' - i * interval '1 second' FROM generate_series(1, " + std::to_string(n) + ") i");
  }
  static long long log_rows(const std::string& condition) {
    return number("SELECT count(*) FROM webhook_events WHERE " + condition);
  }
  static std::uint64_t removed_metric() {
    return metrics::registry()
        .counter("pbx_webhook_log_removed_total",
                 "Webhook log rows removed after the retention period")
        .value();
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline TenantCredentials* other_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline store::PgPool* pg_ = nullptr;
};

TEST_F(Retention, TheEventStreamIsBoundedInBytes) {
  // Once every stored event was copied whole, up to 100,000 of them per tenant: a tenant with
  // large events could fill the Redis every tenant shares.
  auto& redis = TestEnv::get().redis();
  auto key = "pbx:events:" + tenant_->id;
  for (int i = 0; i < 200; ++i) {
    auto body = cdr_payload(kDomain, unique_name("big-"));
    body["padding"] = std::string(20'000, 'p');
    ASSERT_EQ(post_cdr(*tenant_, body).status, 200) << i;
  }
  auto small_token = unique_name("small-");
  ASSERT_EQ(post_cdr(*tenant_, cdr_payload(kDomain, small_token)).status, 200);

  // At most the budget's entries, and one stream node more (MAXLEN ~ trims whole nodes).
  auto length = std::stoll(redis.cli("XLEN " + key));
  EXPECT_LE(length, kStreamBytes / kEntryBytes + 100);
  EXPECT_GT(length, 0);
  auto memory = std::stoll(redis.cli("MEMORY USAGE " + key + " SAMPLES 0"));
  EXPECT_LE(memory, 2 * kStreamBytes) << "entries: " << length;

  auto newest = redis.cli("XREVRANGE " + key + " + - COUNT 2");
  // The small event is whole; the large one before it is its summary.
  EXPECT_NE(newest.find(small_token), std::string::npos) << newest;
  EXPECT_NE(newest.find("truncated"), std::string::npos) << newest;
  EXPECT_NE(newest.find("data_bytes"), std::string::npos) << newest;
  EXPECT_EQ(newest.find(std::string(1000, 'p')), std::string::npos) << newest;
}

TEST_F(Retention, OldWebhookLogRowsAreRemovedInBatches) {
  TestEnv::get().pg().execute("DELETE FROM webhook_events");
  add_log_rows(tenant_->id, 1200, 31);
  add_log_rows(tenant_->id, 50, 29);
  add_log_rows(other_->id, 30, 40);
  add_log_rows("NULL", 20, 45);  // refusals sampled before a tenant was known
  add_log_rows("NULL", 5, 1);
  auto before = removed_metric();

  store::Retention job(*pg_, {webhooks::webhook_log_rows(30)}, {500, std::chrono::milliseconds(1)});
  EXPECT_EQ(job.run_once(), 1250U);
  EXPECT_EQ(removed_metric() - before, 1250U);
  EXPECT_EQ(log_rows("received_at < now() - interval '30 days'"), 0);
  EXPECT_EQ(log_rows("tenant_id = '" + tenant_->id + "'"), 50);
  EXPECT_EQ(log_rows("tenant_id IS NULL"), 5);
  EXPECT_EQ(job.run_once(), 0U);

  store::Retention shorter(*pg_, {webhooks::webhook_log_rows(1)},
                           {500, std::chrono::milliseconds(1)});
  EXPECT_EQ(shorter.run_once(), 55U);
}

TEST_F(Retention, ATenantsOwnPeriodOverridesTheDefault) {
  TestEnv::get().pg().execute("DELETE FROM webhook_events");
  TestEnv::get().pg().execute("UPDATE tenants SET webhook_log_retention_days = 90 WHERE id = '" +
                              other_->id + "'");
  add_log_rows(tenant_->id, 10, 40);
  add_log_rows(other_->id, 10, 40);
  add_log_rows(other_->id, 5, 100);
  store::Retention job(*pg_, {webhooks::webhook_log_rows(30)}, {500, std::chrono::milliseconds(1)});
  EXPECT_EQ(job.run_once(), 15U);
  EXPECT_EQ(log_rows("tenant_id = '" + tenant_->id + "'"), 0);
  EXPECT_EQ(log_rows("tenant_id = '" + other_->id + "'"), 10);
  TestEnv::get().pg().execute("UPDATE tenants SET webhook_log_retention_days = NULL");
}

TEST_F(Retention, RowsHeldByAnotherTransactionAreSkippedNotWaitedFor) {
  TestEnv::get().pg().execute("DELETE FROM webhook_events");
  add_log_rows(tenant_->id, 10, 60);
  // Another transaction holds one old row (as an instance deleting it would).
  pqxx::connection holder(env_->at("PBX_DATABASE_URL"));
  pqxx::work held(holder);
  held.exec("SELECT id FROM webhook_events WHERE tenant_id = '" + tenant_->id +
            "' ORDER BY received_at LIMIT 1 FOR UPDATE");
  store::Retention job(*pg_, {webhooks::webhook_log_rows(30)}, {500, std::chrono::milliseconds(1)});
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(job.run_once(), 9U);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  held.abort();
  EXPECT_EQ(job.run_once(), 1U);
}

TEST_F(Retention, SeveralInstancesShareTheWorkWhileWebhooksKeepArriving) {
  TestEnv::get().pg().execute("DELETE FROM webhook_events");
  add_log_rows(tenant_->id, 3000, 35);
  auto ingest = std::async(std::launch::async, [] {
    int stored = 0;
    for (int i = 0; i < 40; ++i) {
      stored += post_cdr(*tenant_, cdr_payload(kDomain, unique_name("live-"))).status == 200;
    }
    return stored;
  });
  store::Retention a(*pg_, {webhooks::webhook_log_rows(30)}, {100, std::chrono::milliseconds(1)});
  store::Retention b(*pg_, {webhooks::webhook_log_rows(30)}, {100, std::chrono::milliseconds(1)});
  auto removed_a = std::async(std::launch::async, [&] { return a.run_once(); });
  auto removed_b = std::async(std::launch::async, [&] { return b.run_once(); });
  EXPECT_EQ(removed_a.get() + removed_b.get(), 3000U);
  EXPECT_EQ(ingest.get(), 40);
  EXPECT_EQ(log_rows("received_at < now() - interval '30 days'"), 0);
  EXPECT_EQ(log_rows("tenant_id = '" + tenant_->id + "'"), 40);
}

TEST_F(Retention, TheServiceRunsTheJobInTheBackground) {
  TestEnv::get().pg().execute("DELETE FROM webhook_events");
  add_log_rows(other_->id, 30, 10);
  add_log_rows(other_->id, 3, 2);
  Env env = *env_;
  env["PBX_WEBHOOK_LOG_RETENTION_DAYS"] = "7";
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();
  EXPECT_TRUE(eventually([] { return log_rows("tenant_id = '" + other_->id + "'") == 3; }))
      << log_rows("tenant_id = '" + other_->id + "'");
  HttpClient http;
  auto metrics = http.get(svc.base_url() + "/metrics").body;
  EXPECT_NE(metrics.find("pbx_webhook_log_removed_total 30"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace pbx::testing
