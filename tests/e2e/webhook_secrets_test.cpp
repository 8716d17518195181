// Webhook secrets and tokens through the running service: at most two valid at once (the
// current one and the previous one), the previous one revoked at once on request.
#include "support/admin_client.hpp"
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kDomain = "rotating.cloudonix.net";

class WebhookSecrets : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
    owner_ = new AdminClient(svc_->base_url(), tenant_->admin_token);
  }
  static void TearDownTestSuite() {
    delete owner_;
    delete svc_;
    delete tenant_;
    delete env_;
  }

  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  // The status of a CDR signed with `secret`.
  static int signed_cdr(const std::string& secret) {
    HttpClient http;
    auto body = cdr_payload(kDomain, unique_name("signed-")).dump();
    return http
        .request("POST", svc_->base_url() + "/api/webhooks/cloudonix/cdr", body,
                 signed_webhook_headers(secret, body, kDomain))
        .status;
  }
  // The status of a CDR that carries only `token` in its URL.
  static int token_cdr(const std::string& token) {
    HttpClient http;
    return http
        .request("POST", svc_->base_url() + "/api/webhooks/cloudonix/cdr?token=" + token,
                 cdr_payload(kDomain, unique_name("token-")).dump(),
                 {{"Content-Type", "application/json"}})
        .status;
  }
  static std::string new_secret() {
    auto r = owner_->post("/api/v1/settings/webhook-secret", json::object());
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.value("webhook_secret", "");
  }
  static std::string new_token() {
    auto r = owner_->post("/api/v1/settings/webhook-token", json::object());
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.value("webhook_token", "");
  }
  static json settings() { return owner_->get("/api/v1/settings").body; }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline AdminClient* owner_ = nullptr;
};

TEST_F(WebhookSecrets, RotatingThreeTimesLeavesTheLastTwoValid) {
  std::vector<std::string> secrets{tenant_->webhook_secret};
  std::vector<std::string> tokens{tenant_->webhook_token};
  for (int i = 0; i < 3; ++i) {
    secrets.push_back(new_secret());
    tokens.push_back(new_token());
  }
  auto s = settings();
  EXPECT_EQ(s["webhook_secrets_valid"], 2) << s.dump();
  EXPECT_EQ(s["webhook_tokens_valid"], 2) << s.dump();
  EXPECT_EQ(scalar("SELECT count(*) FROM webhook_secrets WHERE tenant_id = '" + tenant_->id + "'"),
            "2");
  // The current and the previous one verify; every earlier one stopped at the third rotation.
  EXPECT_EQ(signed_cdr(secrets[3]), 200);
  EXPECT_EQ(signed_cdr(secrets[2]), 200);
  EXPECT_EQ(signed_cdr(secrets[1]), 401);
  EXPECT_EQ(signed_cdr(secrets[0]), 401);
  EXPECT_EQ(token_cdr(tokens[3]), 200);
  EXPECT_EQ(token_cdr(tokens[2]), 200);
  EXPECT_EQ(token_cdr(tokens[1]), 401);
  EXPECT_EQ(token_cdr(tokens[0]), 401);
  tenant_->webhook_secret = secrets[3];
  tenant_->webhook_token = tokens[3];
}

TEST_F(WebhookSecrets, RevokingThePreviousOneEndsItAtTheNextRequest) {
  auto previous_secret = tenant_->webhook_secret;
  auto previous_token = tenant_->webhook_token;
  auto secret = new_secret();
  auto token = new_token();
  ASSERT_EQ(signed_cdr(previous_secret), 200) << "valid during its grace period";
  ASSERT_EQ(token_cdr(previous_token), 200) << "valid during its grace period";

  // Only the owner revokes.
  auto admin = owner_->post("/api/v1/users", {{"email", "admin@rotating.example"},
                                              {"name", "Admin"},
                                              {"role", "admin"},
                                              {"password", "long-password-admin"}});
  ASSERT_EQ(admin.status, 201) << admin.body.dump();
  AdminClient as_admin(svc_->base_url(),
                       login(svc_->base_url(), "admin@rotating.example", "long-password-admin"));
  EXPECT_EQ(as_admin.del("/api/v1/settings/webhook-secret/previous").status, 403);
  EXPECT_EQ(as_admin.del("/api/v1/settings/webhook-token/previous").status, 403);
  EXPECT_EQ(signed_cdr(previous_secret), 200);

  auto revoked = owner_->del("/api/v1/settings/webhook-secret/previous");
  EXPECT_EQ(revoked.status, 204) << revoked.body.dump();
  EXPECT_EQ(signed_cdr(previous_secret), 401);
  EXPECT_EQ(signed_cdr(secret), 200);
  EXPECT_EQ(owner_->del("/api/v1/settings/webhook-token/previous").status, 204);
  EXPECT_EQ(token_cdr(previous_token), 401);
  EXPECT_EQ(token_cdr(token), 200);
  auto s = settings();
  EXPECT_EQ(s["webhook_secrets_valid"], 1) << s.dump();
  EXPECT_EQ(s["webhook_tokens_valid"], 1) << s.dump();
  // Revoking again changes nothing: the current one stays.
  EXPECT_EQ(owner_->del("/api/v1/settings/webhook-secret/previous").status, 204);
  EXPECT_EQ(signed_cdr(secret), 200);
  tenant_->webhook_secret = secret;
  tenant_->webhook_token = token;
}

}  // namespace
}  // namespace pbx::testing
