// Refused webhook deliveries through the running service: each is answered and counted, and a
// bounded sample of them (why, from where, the start of the body) reaches the webhook log of
// the tenant whose domain it claims, and no other tenant's.
#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kDomain = "refused.cloudonix.net";
constexpr const char* kOtherDomain = "bystander.cloudonix.net";
constexpr int kSamplesPerMinute = 5;

class WebhookRejections : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    other_ = new TenantCredentials(bootstrap_tenant(*env_, kOtherDomain));
    auto svc_env = *env_;
    svc_env["PBX_WEBHOOK_REJECTION_SAMPLES"] = std::to_string(kSamplesPerMinute);
    svc_ = new ServiceProcess({"serve"}, svc_env);
    svc_->wait_healthy();
    admin_ = new AdminClient(svc_->base_url(), tenant_->admin_token);
    other_admin_ = new AdminClient(svc_->base_url(), other_->admin_token);
  }
  static void TearDownTestSuite() {
    delete admin_;
    delete other_admin_;
    delete svc_;
    delete tenant_;
    delete other_;
    delete env_;
  }

  static HttpResponse deliver_bare_cdr(const std::string& body, const std::string& rid) {
    HttpClient http;
    return http.request("POST", svc_->base_url() + "/api/webhooks/cloudonix/cdr", body,
                        {{"Content-Type", "application/json"}, {"X-Request-Id", rid}});
  }
  // The rejected items of a tenant's webhook log.
  static json rejected(AdminClient& admin, const std::string& query = "") {
    auto r = admin.get("/api/v1/webhook-events?outcome=rejected&limit=500" + query);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body["data"];
  }
  static const json* with_request_id(const json& items, const std::string& rid) {
    for (const auto& item : items) {
      if (item.value("request_id", "") == rid) return &item;
    }
    return nullptr;
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline TenantCredentials* other_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline AdminClient* admin_ = nullptr;
  static inline AdminClient* other_admin_ = nullptr;
};

TEST_F(WebhookRejections, ABareCdrIsLoggedForTheTenantItClaimsAndNoOther) {
  auto rid = unique_name("rid-bare-");
  auto body = cdr_payload(kDomain, unique_name("bare-")).dump();
  auto r = deliver_bare_cdr(body, rid);
  EXPECT_EQ(r.status, 401) << r.body;

  const json* item = nullptr;
  json items;
  EXPECT_TRUE(eventually([&] {
    items = rejected(*admin_);
    item = with_request_id(items, rid);
    return item != nullptr;
  })) << items.dump();
  ASSERT_NE(item, nullptr);
  EXPECT_EQ((*item)["outcome"], "rejected");
  EXPECT_EQ((*item)["reason"], "no_credentials");
  EXPECT_EQ((*item)["http_status"], 401);
  EXPECT_EQ((*item)["kind"], "cdr");
  EXPECT_EQ((*item)["source_ip"], "127.0.0.1");
  EXPECT_FALSE(item->contains("body")) << "the body only on request";

  auto with_body = rejected(*admin_, "&include=body");
  const auto* full = with_request_id(with_body, rid);
  ASSERT_NE(full, nullptr);
  EXPECT_EQ((*full)["body"], body);

  EXPECT_EQ(with_request_id(rejected(*other_admin_), rid), nullptr);
}

TEST_F(WebhookRejections, AFloodIsCountedInFullButKeptOnlyAsABoundedSample) {
  // This test's deliveries claim a tenant of their own, so the other test's do not count.
  auto flood_tenant = bootstrap_tenant(*env_, "flooded.cloudonix.net");
  // An admin write puts the new tenant in force at once (deliveries that probed for it would
  // spend the sample's budget).
  AdminClient flood_admin(svc_->base_url(), flood_tenant.admin_token);
  ASSERT_EQ(flood_admin.patch("/api/v1/settings", {{"default_ring_timeout", 31}}).status, 200);

  HttpClient http;
  auto count_metric = [&] {
    auto metrics = http.get(svc_->base_url() + "/metrics").body;
    const std::string name = R"(pbx_webhook_rejections_total{kind="cdr",reason="no_credentials"} )";
    auto at = metrics.find(name);
    return at == std::string::npos ? 0L : std::stol(metrics.substr(at + name.size()));
  };
  auto before = count_metric();
  // A large body: only its first 4 KiB is ever stored.
  auto payload = cdr_payload("flooded.cloudonix.net", unique_name("flood-"));
  payload["padding"] = std::string(64 * 1024, 'x');
  auto body = payload.dump();
  constexpr int kFlood = 40;
  for (int i = 0; i < kFlood; ++i) {
    EXPECT_EQ(deliver_bare_cdr(body, unique_name("rid-flood-")).status, 401);
  }
  EXPECT_EQ(count_metric() - before, kFlood);

  auto stored = [&] {
    return TestEnv::get().pg().query_scalar(
        "SELECT count(*) FROM webhook_events WHERE outcome = 'rejected' AND tenant_id = '" +
        flood_tenant.id + "'");
  };
  // The source address's budget is shared with the other test's deliveries, so the sample
  // holds between one and the budget.
  EXPECT_TRUE(eventually([&] { return stored() != "0"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto kept = std::stoi(stored());
  EXPECT_GE(kept, 1);
  EXPECT_LE(kept, kSamplesPerMinute);
  EXPECT_EQ(TestEnv::get().pg().query_scalar(
                "SELECT max(octet_length(body_sample)) FROM webhook_events WHERE tenant_id = '" +
                flood_tenant.id + "'"),
            "4096");
  // Refusals are not written by the writer of accepted events: none of them has a duration.
  EXPECT_EQ(TestEnv::get().pg().query_scalar(
                "SELECT count(*) FROM webhook_events WHERE outcome = 'rejected' AND duration_ms IS "
                "NOT NULL"),
            "0");
}

}  // namespace
}  // namespace pbx::testing
