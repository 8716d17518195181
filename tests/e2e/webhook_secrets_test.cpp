// Webhook secrets and tokens through the running service: secrets stored sealed (never in plain
// text, plain ones of an earlier version sealed at start-up, re-sealed under a new
// PBX_SECRET_KEY by `pbxd secrets reseal`), at most two valid at once (the current one and the
// previous one), the previous one revoked at once on request. The requests key rotates alike.
#include "core/crypto.hpp"
#include "core/secret_box.hpp"
#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/voice.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kDomain = "rotating.cloudonix.net";

// The status of a CDR for `domain` signed with `secret`, delivered to the service at `base_url`.
int signed_cdr_to(const std::string& base_url, const std::string& domain,
                  const std::string& secret) {
  HttpClient http;
  auto body = cdr_payload(domain, unique_name("signed-")).dump();
  return http
      .request("POST", base_url + "/api/webhooks/cloudonix/cdr", body,
               signed_webhook_headers(secret, body, domain))
      .status;
}

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
    return signed_cdr_to(svc_->base_url(), kDomain, secret);
  }
  // The webhook secrets of a tenant as stored, one per line.
  static std::string stored_secrets(const std::string& tenant_id) {
    return scalar("SELECT string_agg(secret, E'\\n') FROM webhook_secrets WHERE tenant_id = '" +
                  tenant_id + "'");
  }
  // How many stored webhook secrets, of any tenant, hold `text`.
  static std::string rows_holding(const std::string& text) {
    return scalar("SELECT count(*) FROM webhook_secrets WHERE strpos(secret, '" + text + "') > 0");
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
  // The status of a call routed with `key`.
  static int key_route(const std::string& key) {
    return VoiceClient(svc_->base_url(), key, "").route({{"To", "+10000000000"}}).status;
  }
  // The status of a CDR that carries only `key` as a bearer token.
  static int key_cdr(const std::string& key) {
    HttpClient http;
    return http
        .request("POST", svc_->base_url() + "/api/webhooks/cloudonix/cdr",
                 cdr_payload(kDomain, unique_name("key-")).dump(),
                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + key}})
        .status;
  }
  static std::string new_key() {
    auto r = owner_->post("/api/v1/settings/requests-key", json::object());
    EXPECT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body["previous_key_valid_for"], "24 hours") << r.body.dump();
    return r.body.value("requests_api_key", "");
  }
  // When the tenant's previous requests key ends, in seconds from now (empty when it has none).
  static std::string previous_key_ends_in() {
    return scalar(
        "SELECT round(extract(epoch FROM requests_key_previous_expires_at - now())) FROM tenants"
        " WHERE id = '" +
        tenant_->id + "'");
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

TEST_F(WebhookSecrets, ARotatedRequestsKeyKeepsWorkingForItsGracePeriodOnly) {
  auto first = tenant_->requests_api_key;
  ASSERT_EQ(key_route(first), 200);
  auto second = new_key();
  // Both route calls and authenticate webhooks until Cloudonix has the new one.
  EXPECT_EQ(key_route(second), 200);
  EXPECT_EQ(key_route(first), 200) << "the previous key, in its grace period";
  EXPECT_EQ(key_cdr(second), 200);
  EXPECT_EQ(key_cdr(first), 200) << "the previous key, in its grace period";
  auto ends_in = std::stoll(previous_key_ends_in());
  EXPECT_GT(ends_in, 24 * 3600 - 60);
  EXPECT_LE(ends_in, 24 * 3600);
  EXPECT_EQ(settings().dump().find(first), std::string::npos);

  // A second rotation ends the first key at once: only two are ever valid.
  auto third = new_key();
  EXPECT_EQ(key_route(first), 401);
  EXPECT_EQ(key_cdr(first), 401);
  EXPECT_EQ(key_route(second), 200) << "the previous key, in its grace period";
  EXPECT_EQ(key_route(third), 200);

  // Once the grace period is over, the previous key is refused.
  TestEnv::get().pg().execute(
      "UPDATE tenants SET requests_key_previous_expires_at = now() - interval '1 second' WHERE "
      "id = '" +
      tenant_->id + "'");
  EXPECT_TRUE(eventually([&] { return key_route(second) == 401; }));
  EXPECT_EQ(key_cdr(second), 401);
  EXPECT_EQ(key_route(third), 200);
  EXPECT_EQ(key_cdr(third), 200);
  tenant_->requests_api_key = third;
}

TEST_F(WebhookSecrets, RevokingThePreviousRequestsKeyEndsItAtTheNextRequest) {
  auto previous = tenant_->requests_api_key;
  auto key = new_key();
  ASSERT_EQ(key_route(previous), 200) << "valid during its grace period";

  // Only the owner revokes.
  auto admin = owner_->post("/api/v1/users", {{"email", "keys-admin@rotating.example"},
                                              {"name", "Keys admin"},
                                              {"role", "admin"},
                                              {"password", "long-password-keys"}});
  ASSERT_EQ(admin.status, 201) << admin.body.dump();
  AdminClient as_admin(svc_->base_url(), login(svc_->base_url(), "keys-admin@rotating.example",
                                               "long-password-keys"));
  EXPECT_EQ(as_admin.del("/api/v1/settings/requests-key/previous").status, 403);
  EXPECT_EQ(key_route(previous), 200);

  auto revoked = owner_->del("/api/v1/settings/requests-key/previous");
  EXPECT_EQ(revoked.status, 204) << revoked.body.dump();
  EXPECT_EQ(key_route(previous), 401);
  EXPECT_EQ(key_cdr(previous), 401);
  EXPECT_EQ(key_route(key), 200);
  EXPECT_EQ(previous_key_ends_in(), "");
  // Revoking again changes nothing: the current one stays.
  EXPECT_EQ(owner_->del("/api/v1/settings/requests-key/previous").status, 204);
  EXPECT_EQ(key_route(key), 200);
  EXPECT_EQ(key_cdr(key), 200);
  tenant_->requests_api_key = key;
}

TEST_F(WebhookSecrets, TheDatabaseHoldsNoPlainSecret) {
  auto t = bootstrap_tenant(*env_, "sealed.cloudonix.net");
  auto stored = stored_secrets(t.id);
  EXPECT_EQ(stored.rfind("pbx1.", 0), 0U) << stored;
  EXPECT_EQ(stored.find('\n'), std::string::npos) << stored;
  EXPECT_EQ(rows_holding(t.webhook_secret), "0");
  EXPECT_EQ(rows_holding(t.webhook_secret.substr(5)), "0");
  EXPECT_TRUE(eventually([&] {
    return signed_cdr_to(svc_->base_url(), "sealed.cloudonix.net", t.webhook_secret) == 200;
  }));

  AdminClient owner(svc_->base_url(), t.admin_token);
  auto rotated = owner.post("/api/v1/settings/webhook-secret", json::object());
  ASSERT_EQ(rotated.status, 200);
  auto secret = rotated.body["webhook_secret"].get<std::string>();
  EXPECT_EQ(rows_holding(secret), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM webhook_secrets WHERE tenant_id = '" + t.id +
                   "' AND secret NOT LIKE 'pbx1.%'"),
            "0");
  EXPECT_EQ(signed_cdr_to(svc_->base_url(), "sealed.cloudonix.net", secret), 200);

  // A sealed secret copied into another tenant's row does not open there.
  auto other = bootstrap_tenant(*env_, "copied.cloudonix.net");
  EXPECT_TRUE(eventually([&] {
    return signed_cdr_to(svc_->base_url(), "copied.cloudonix.net", other.webhook_secret) == 200;
  }));
  TestEnv::get().pg().execute(
      "UPDATE webhook_secrets SET secret = (SELECT secret FROM webhook_secrets WHERE tenant_id = "
      "'" +
      t.id + "' ORDER BY created_at DESC LIMIT 1) WHERE tenant_id = '" + other.id + "'");
  EXPECT_TRUE(eventually([&] {
    return signed_cdr_to(svc_->base_url(), "copied.cloudonix.net", other.webhook_secret) == 401;
  }));
  EXPECT_EQ(signed_cdr_to(svc_->base_url(), "copied.cloudonix.net", secret), 401);
}

TEST_F(WebhookSecrets, PlainSecretsOfAnEarlierVersionAreSealedAtStartUp) {
  auto t = bootstrap_tenant(*env_, "legacy.cloudonix.net");
  auto delivered = [&](const std::string& secret) {
    return signed_cdr_to(svc_->base_url(), "legacy.cloudonix.net", secret);
  };
  ASSERT_TRUE(eventually([&] { return delivered(t.webhook_secret) == 200; }));
  const std::string legacy = "pbxw_stored-in-plain-text-by-an-earlier-version";
  TestEnv::get().pg().execute("UPDATE webhook_secrets SET secret = '" + legacy +
                              "' WHERE tenant_id = '" + t.id + "'");
  ASSERT_TRUE(eventually([&] { return delivered(t.webhook_secret) == 401; }))
      << "the running instance reloads the tenant";
  // A plain value is never used as it is.
  EXPECT_EQ(delivered(legacy), 401);

  ServiceProcess started({"serve"}, *env_);
  started.wait_healthy();
  auto stored = stored_secrets(t.id);
  EXPECT_EQ(stored.rfind("pbx1.", 0), 0U) << stored;
  EXPECT_EQ(rows_holding(legacy), "0");
  EXPECT_EQ(signed_cdr_to(started.base_url(), "legacy.cloudonix.net", legacy), 200);
  // The instance that was already running follows.
  EXPECT_TRUE(eventually([&] { return delivered(legacy) == 200; }));
  // A second start-up finds nothing left to seal.
  ServiceProcess again({"serve"}, *env_);
  again.wait_healthy();
  EXPECT_EQ(stored_secrets(t.id), stored);
}

// A rotation of PBX_SECRET_KEY as the operator runs it, in a database of its own.
TEST(SecretKeyRotation, ResealWithThePreviousKeyThenTheOldKeyCanGo) {
  auto& pg = TestEnv::get().pg();
  pg.execute("CREATE DATABASE rotation");
  auto env = TestEnv::get().service_env();
  env["PBX_DATABASE_URL"] = pg.url("rotation");
  const std::string first(64, '1');
  const std::string second(64, '2');
  env["PBX_SECRET_KEY"] = first;
  auto migrated = ServiceProcess::run({"migrate"}, env);
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  const std::string domain = "keys.cloudonix.net";
  auto t = bootstrap_tenant(env, domain);
  const std::string secret_sql =
      "SELECT secret FROM webhook_secrets WHERE tenant_id = '" + t.id + "'";
  const std::string state_key_sql =
      "SELECT convert_from(value, 'UTF8') FROM service_keys WHERE name = 'callback_state'";
  auto id_of = [](const std::string& hex) {
    return crypto::SecretBox::key_id(crypto::from_hex(hex).value());
  };
  {
    ServiceProcess svc({"serve"}, env);
    svc.wait_healthy();
    EXPECT_EQ(signed_cdr_to(svc.base_url(), domain, t.webhook_secret), 200);
  }
  auto before = pg.query_scalar(secret_sql, "rotation");
  ASSERT_EQ(before.rfind("pbx1." + id_of(first) + ".", 0), 0U) << before;

  // The new key, with the old one still accepted: the service keeps verifying.
  env["PBX_SECRET_KEY"] = second;
  env["PBX_SECRET_KEY_PREVIOUS"] = first;
  ServiceProcess during({"serve"}, env);
  during.wait_healthy();
  EXPECT_EQ(signed_cdr_to(during.base_url(), domain, t.webhook_secret), 200);

  // Without the old key nothing can be re-sealed, and nothing is touched.
  auto without_previous = env;
  without_previous.erase("PBX_SECRET_KEY_PREVIOUS");
  auto refused = ServiceProcess::run({"secrets", "reseal"}, without_previous);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("webhook_secrets.secret"), std::string::npos) << refused.output;
  EXPECT_EQ(pg.query_scalar(secret_sql, "rotation"), before);

  auto resealed = ServiceProcess::run({"secrets", "reseal"}, env);
  EXPECT_EQ(resealed.exit_code, 0) << resealed.output;
  EXPECT_NE(resealed.output.find("webhook_secrets.secret: 0 sealed, 1 re-sealed"),
            std::string::npos)
      << resealed.output;
  auto after = pg.query_scalar(secret_sql, "rotation");
  EXPECT_EQ(after.rfind("pbx1." + id_of(second) + ".", 0), 0U) << after;
  EXPECT_EQ(pg.query_scalar(state_key_sql, "rotation").rfind("pbx1." + id_of(second) + ".", 0), 0U);
  EXPECT_TRUE(eventually(
      [&] { return signed_cdr_to(during.base_url(), domain, t.webhook_secret) == 200; }));
  // Again: everything is current already.
  auto again = ServiceProcess::run({"secrets", "reseal"}, env);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("webhook_secrets.secret: 0 sealed, 0 re-sealed, 1 already current"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(pg.query_scalar(secret_sql, "rotation"), after);

  // The old key is gone: webhooks still verify.
  env.erase("PBX_SECRET_KEY_PREVIOUS");
  ServiceProcess later({"serve"}, env);
  later.wait_healthy();
  EXPECT_EQ(signed_cdr_to(later.base_url(), domain, t.webhook_secret), 200);
}

}  // namespace
}  // namespace pbx::testing
