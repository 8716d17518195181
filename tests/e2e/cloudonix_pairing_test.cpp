// Connecting a tenant to Cloudonix, end to end: the running service, real Postgres and Redis,
// and `pbxd cloudonix-double` as Cloudonix's REST API.
#include "core/crypto.hpp"
#include "support/admin_client.hpp"
#include "support/cloudonix_double.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

namespace pbx::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kDomain = "pair.cloudonix.net";
const std::string kKey = "XIpairdomainkey0000000000000000001";
const std::string kOtherDomain = "elsewhere.cloudonix.net";
const std::string kOtherKey = "XIelsewherekey00000000000000000002";
const std::string kWrongKey = "XIwrongkey0000000000000000000000003";
const std::string kP = "/customers/self/domains/" + kDomain;

class CloudonixPairingE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cx_ = new CloudonixDoubleProcess({{kDomain, kKey}, {kOtherDomain, kOtherKey}});
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    Env env = *env_;
    env["PBX_CLOUDONIX_API_URL"] = cx_->url();
    svc_ = new ServiceProcess({"serve"}, env);
    svc_->wait_healthy();
    owner_ = new AdminClient(svc_->base_url(), tenant_->admin_token);
  }
  static void TearDownTestSuite() {
    delete owner_;
    delete svc_;
    delete tenant_;
    delete env_;
    delete cx_;
  }

  static ApiResult put_key(const std::string& key) {
    return owner_->send("PUT", "/api/v1/settings/cloudonix", Json{{"api_key", key}}.dump());
  }
  static ApiResult pair() {
    return owner_->post("/api/v1/settings/cloudonix/pair", Json::object());
  }
  static ApiResult status() { return owner_->get("/api/v1/settings/cloudonix"); }
  static std::vector<std::string> outcomes(const Json& steps) {
    std::vector<std::string> out;
    for (const auto& s : steps) out.push_back(s["outcome"].get<std::string>());
    return out;
  }
  static std::vector<std::string> calls(const Json& log) {
    std::vector<std::string> out;
    for (const auto& e : log) {
      out.push_back(e["method"].get<std::string>() + " " + e["path"].get<std::string>());
    }
    return out;
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  static std::string sha256_hex(const std::string& v) { return crypto::to_hex(crypto::sha256(v)); }
  // The sync state of the tenant's domain profile ("none" without one), and its error.
  static std::string profile_sync(const std::string& column = "state") {
    return scalar("SELECT coalesce((SELECT " + column +
                  " FROM cloudonix_sync_state WHERE object_type = 'profile' AND object_id = '" +
                  tenant_->id + "'), 'none')");
  }
  static std::string profile_rows() {
    return scalar("SELECT count(*) FROM cloudonix_outbox WHERE object_type = 'profile'");
  }
  // Pairs from scratch: the double forgets everything, pbxd pairs with the right key.
  static Json pair_fresh() {
    cx_->switches({{"fault", nullptr},
                   {"rate_limit", true},
                   {"rate_limit_requests", 10},
                   {"rate_limit_window_ms", 3000}});
    cx_->reset();
    EXPECT_EQ(put_key(kKey).status, 200);
    auto r = pair();
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body;
  }

  static inline CloudonixDoubleProcess* cx_ = nullptr;
  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline AdminClient* owner_ = nullptr;
  static inline std::vector<std::string> secrets_seen_;
};

TEST_F(CloudonixPairingE2E, A_UnconfiguredTenantCannotPair) {
  auto s = status();
  ASSERT_EQ(s.status, 200) << s.body.dump();
  EXPECT_EQ(s.body["configured"], false);
  EXPECT_EQ(s.body["paired"], false);
  EXPECT_EQ(s.body["drift"], Json::array());
  auto r = pair();
  EXPECT_EQ(r.status, 409) << r.body.dump();
  EXPECT_TRUE(cx_->log().empty());
}

TEST_F(CloudonixPairingE2E, B_TheKeyIsValidatedAndOwnerOnly) {
  EXPECT_EQ(owner_->send("PUT", "/api/v1/settings/cloudonix", R"({"api_key": ""})").status, 422);
  EXPECT_EQ(owner_->send("PUT", "/api/v1/settings/cloudonix", R"({"api_key": "a b"})").status, 422);
  EXPECT_EQ(owner_->send("PUT", "/api/v1/settings/cloudonix", R"({"key": "x"})").status, 422);
  AdminClient nobody(svc_->base_url(), "pbxa_not-a-token");
  EXPECT_EQ(nobody.get("/api/v1/settings/cloudonix").status, 401);
}

TEST_F(CloudonixPairingE2E, C_ABadKeyRefusesPairingWithAClearError) {
  ASSERT_EQ(put_key(kWrongKey).status, 200);
  // The key is kept sealed, never in the clear.
  auto stored =
      scalar("SELECT api_key_sealed FROM cloudonix_links WHERE tenant_id = '" + tenant_->id + "'");
  EXPECT_EQ(stored.find(kWrongKey), std::string::npos);
  EXPECT_EQ(stored.rfind("pbx1.", 0), 0U) << stored;
  cx_->clear_log();
  auto r = pair();
  ASSERT_EQ(r.status, 409) << r.body.dump();
  auto message = r.body["error"]["message"].get<std::string>();
  EXPECT_NE(message.find("refused the API key"), std::string::npos) << message;
  EXPECT_NE(message.find("401"), std::string::npos) << message;
  const auto& steps = r.body["error"]["details"]["steps"];
  EXPECT_EQ(outcomes(steps),
            (std::vector<std::string>{"failed", "skipped", "skipped", "skipped", "skipped"}));
  EXPECT_EQ(steps[0]["cloudonix"]["status"], 401);
  EXPECT_EQ(steps[0]["cloudonix"]["retryable"], false);
  EXPECT_EQ(r.body["error"]["details"]["retryable"], false);
  EXPECT_EQ(calls(cx_->log()), (std::vector<std::string>{"GET " + kP}));
  auto s = status();
  EXPECT_EQ(s.body["configured"], true);
  EXPECT_EQ(s.body["paired"], false);
  EXPECT_NE(s.body["last_error"].get<std::string>().find("401"), std::string::npos);

  // A key of another domain: 403.
  ASSERT_EQ(put_key(kOtherKey).status, 200);
  auto other = pair();
  ASSERT_EQ(other.status, 409);
  EXPECT_EQ(other.body["error"]["details"]["steps"][0]["cloudonix"]["status"], 403);
}

TEST_F(CloudonixPairingE2E, D_PairingMakesExactlyTheDocumentedCallsAndASecondChangesNothing) {
  cx_->reset();
  ASSERT_EQ(put_key(kKey).status, 200);
  auto r = pair();
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["paired"], true);
  EXPECT_EQ(outcomes(r.body["steps"]),
            (std::vector<std::string>{"ok", "changed", "created", "changed", "unchanged"}));
  auto log = cx_->log();
  ASSERT_EQ(calls(log),
            (std::vector<std::string>{"GET " + kP, "PUT " + kP, "GET " + kP + "/applications",
                                      "POST " + kP + "/applications", "PUT " + kP}));
  auto settings = owner_->get("/api/v1/settings").body;
  auto base = settings["public_base_url"].get<std::string>();
  // 2: the whole profile with our keys (the log masks the secret ones).
  const auto& profile = log[1]["body"]["profile"];
  EXPECT_EQ(profile["authorization-api-key"], "***");
  EXPECT_EQ(profile["session-update-endpoint"],
            base + "/api/webhooks/cloudonix/session-update?token=[redacted]");
  EXPECT_EQ(profile["cdr-endpoint"], base + "/api/webhooks/cloudonix/cdr?token=[redacted]");
  EXPECT_EQ(profile["call-timeout"], settings["default_ring_timeout"]);
  EXPECT_EQ(profile["redirect-unknown-to-border"], false);
  // 3: our CXML application, POST to the voice route.
  EXPECT_EQ(log[3]["body"], Json({{"name", "pbxd"},
                                  {"type", "cxml"},
                                  {"url", base + "/api/voice/route"},
                                  {"method", "POST"},
                                  {"profile", Json::object()}}));
  // 4: made the default application.
  auto domain = cx_->domain(kDomain);
  std::int64_t app_id = 0;
  for (const auto& a : domain["applications"]) {
    if (a["name"] == "pbxd") app_id = a["id"].get<std::int64_t>();
  }
  ASSERT_NE(app_id, 0);
  EXPECT_EQ(log[4]["body"], Json({{"defaultApplication", app_id}}));
  EXPECT_EQ(domain["defaultApplication"], app_id);

  // What Cloudonix now holds authenticates to pbxd: the requests key and the webhook token.
  auto key = domain["profile"]["authorization-api-key"].get<std::string>();
  auto cdr = domain["profile"]["cdr-endpoint"].get<std::string>();
  auto token = cdr.substr(cdr.find("token=") + 6);
  secrets_seen_.insert(secrets_seen_.end(), {key, token});
  EXPECT_EQ(scalar("SELECT encode(requests_key_hash, 'hex') FROM tenants WHERE id = '" +
                   tenant_->id + "'"),
            sha256_hex(key));
  // The key the tenant had keeps working through its grace period, as after a rotation, for
  // whoever held it (a domain set up by hand) until Cloudonix uses the new one.
  EXPECT_EQ(scalar("SELECT encode(requests_key_previous_hash, 'hex') FROM tenants WHERE id = '" +
                   tenant_->id + "'"),
            sha256_hex(tenant_->requests_api_key));
  EXPECT_EQ(scalar("SELECT requests_key_previous_expires_at > now() + interval '23 hours' FROM "
                   "tenants WHERE id = '" +
                   tenant_->id + "'"),
            "t");
  EXPECT_EQ(scalar("SELECT count(*) FROM webhook_tokens WHERE token_hash = decode('" +
                   sha256_hex(token) + "', 'hex') AND expires_at IS NULL"),
            "1");
  auto sealed = scalar(
      "SELECT requests_key_sealed || webhook_token_sealed FROM cloudonix_links WHERE "
      "tenant_id = '" +
      tenant_->id + "'");
  EXPECT_EQ(sealed.find(key), std::string::npos);
  EXPECT_EQ(sealed.find(token), std::string::npos);

  // A second pairing only reads.
  auto before = cx_->state();
  cx_->clear_log();
  auto again = pair();
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(outcomes(again.body["steps"]),
            (std::vector<std::string>{"ok", "unchanged", "unchanged", "unchanged", "unchanged"}));
  EXPECT_EQ(calls(cx_->log()),
            (std::vector<std::string>{"GET " + kP, "GET " + kP + "/applications"}));
  EXPECT_EQ(cx_->state(), before);

  auto s = status();
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["paired"], true);
  EXPECT_EQ(s.body["domain"]["name"], kDomain);
  EXPECT_EQ(s.body["domain"]["uuid"], domain["uuid"]);
  EXPECT_EQ(s.body["voice_application"]["id"], app_id);
  EXPECT_EQ(s.body["voice_application"]["url"], base + "/api/voice/route");
  EXPECT_EQ(s.body["profile"]["authorization-api-key"], "[secret]");
  EXPECT_EQ(s.body["profile"]["redirect-unknown-to-border"], false);
  EXPECT_EQ(s.body["drift"], Json::array());
  EXPECT_EQ(s.body["drift_source"], "live");
  EXPECT_TRUE(s.body["last_error"].is_null());
}

TEST_F(CloudonixPairingE2E, E_DriftOnCloudonixShowsAndPairingRepairsIt) {
  pair_fresh();
  cx_->switches({{"rate_limit", false}});
  ASSERT_EQ(cx_->api("PATCH", kP, kKey,
                     {{"profile", {{"call-timeout", 99}, {"redirect-unknown-to-border", true}}}})
                .status,
            200);
  auto apps = cx_->domain(kDomain)["applications"];
  ASSERT_EQ(cx_->api("PUT", kP, kKey, {{"defaultApplication", apps[0]["id"]}}).status, 200);
  auto s = status();
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["drift_source"], "live");
  std::map<std::string, Json> drift;
  for (const auto& d : s.body["drift"]) drift[d["key"].get<std::string>()] = d;
  ASSERT_EQ(drift.size(), 3U) << s.body["drift"].dump();
  EXPECT_EQ(drift["profile.call-timeout"]["cloudonix"], 99);
  EXPECT_EQ(drift["profile.redirect-unknown-to-border"]["ours"], false);
  EXPECT_EQ(drift["profile.redirect-unknown-to-border"]["cloudonix"], true);
  EXPECT_EQ(drift["default_application"]["cloudonix"], apps[0]["id"]);

  // Unreachable: the last known drift, said so.
  cx_->switches({{"fault", {{"kind", "status"}, {"status", 503}}}});
  auto offline = status();
  ASSERT_EQ(offline.status, 200);
  EXPECT_EQ(offline.body["drift_source"], "last_known");
  EXPECT_EQ(offline.body["drift"].size(), 3U);
  EXPECT_NE(offline.body["live_error"].get<std::string>().find("503"), std::string::npos);
  cx_->switches({{"fault", nullptr}});

  auto r = pair();
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(outcomes(r.body["steps"]),
            (std::vector<std::string>{"ok", "changed", "unchanged", "changed", "unchanged"}));
  EXPECT_EQ(status().body["drift"], Json::array());
}

TEST_F(CloudonixPairingE2E, F_ServerErrorsAndRateLimitsAreReportedPerStep) {
  pair_fresh();
  ASSERT_EQ(cx_->api("PATCH", kP, kKey, {{"profile", {{"call-timeout", 99}}}}).status, 200);
  cx_->switches(
      {{"fault", {{"kind", "status"}, {"status", 500}, {"method", "PUT"}, {"times", 1}}}});
  auto r = pair();
  ASSERT_EQ(r.status, 503) << r.body.dump();
  auto steps = r.body["error"]["details"]["steps"];
  EXPECT_EQ(outcomes(steps),
            (std::vector<std::string>{"ok", "failed", "skipped", "skipped", "skipped"}));
  EXPECT_EQ(steps[1]["name"], "profile");
  EXPECT_EQ(steps[1]["cloudonix"]["status"], 500);
  EXPECT_EQ(steps[1]["cloudonix"]["retryable"], true);
  EXPECT_EQ(r.body["error"]["details"]["retryable"], true);
  EXPECT_NE(status().body["last_error"].get<std::string>().find("500"), std::string::npos);

  // Past the domain's rate limit (two requests per minute here): step 3's list is refused.
  cx_->switches({{"rate_limit_requests", 2}, {"rate_limit_window_ms", 60000}});
  auto limited = pair();
  ASSERT_EQ(limited.status, 503) << limited.body.dump();
  steps = limited.body["error"]["details"]["steps"];
  EXPECT_EQ(outcomes(steps),
            (std::vector<std::string>{"ok", "changed", "failed", "skipped", "skipped"}));
  EXPECT_EQ(steps[2]["cloudonix"]["status"], 429);
  EXPECT_EQ(steps[2]["cloudonix"]["retryable"], true);

  // Once Cloudonix answers again, pairing completes.
  cx_->switches({{"rate_limit_requests", 10}, {"rate_limit_window_ms", 3000}});
  auto ok = pair();
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_TRUE(status().body["last_error"].is_null());
}

TEST_F(CloudonixPairingE2E, G_RotatingTheRequestsKeyOrWebhookTokenPushesTheNewValues) {
  pair_fresh();
  cx_->switches({{"rate_limit", false}});
  auto key = owner_->post("/api/v1/settings/requests-key", Json::object());
  ASSERT_EQ(key.status, 200) << key.body.dump();
  auto new_key = key.body["requests_api_key"].get<std::string>();
  // The sync worker pushes it after the rotation has answered.
  EXPECT_TRUE(eventually(
      [&] { return cx_->domain(kDomain)["profile"]["authorization-api-key"] == new_key; }));
  EXPECT_EQ(cx_->domain(kDomain)["profile"]["authorization-api-key"], new_key);

  auto token = owner_->post("/api/v1/settings/webhook-token", Json::object());
  ASSERT_EQ(token.status, 200) << token.body.dump();
  auto new_token = token.body["webhook_token"].get<std::string>();
  EXPECT_TRUE(eventually([&] {
    return cx_->domain(kDomain)["profile"]["cdr-endpoint"] == token.body["webhook_urls"]["cdr"];
  }));
  auto profile = cx_->domain(kDomain)["profile"];
  EXPECT_EQ(profile["cdr-endpoint"], token.body["webhook_urls"]["cdr"]);
  EXPECT_EQ(profile["session-update-endpoint"], token.body["webhook_urls"]["session_update"]);
  EXPECT_NE(profile["cdr-endpoint"].get<std::string>().find(new_token), std::string::npos);
  secrets_seen_.insert(secrets_seen_.end(), {new_key, new_token});

  // Still paired with nothing left to change.
  cx_->clear_log();
  auto again = pair();
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(outcomes(again.body["steps"]),
            (std::vector<std::string>{"ok", "unchanged", "unchanged", "unchanged", "unchanged"}));
}

TEST_F(CloudonixPairingE2E, H_RotatingNeverWaitsOnCloudonixAndAPushThatFailsShowsWhy) {
  pair_fresh();
  ASSERT_TRUE(eventually([&] { return profile_rows() == "0"; }));
  // Cloudonix answers every request 3 s late.
  cx_->switches(
      {{"rate_limit", false}, {"fault", {{"kind", "timeout"}, {"delay_ms", 3000}, {"times", -1}}}});
  auto t0 = std::chrono::steady_clock::now();
  auto key = owner_->post("/api/v1/settings/requests-key", Json::object());
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(key.status, 200) << key.body.dump();
  EXPECT_LT(took, 1s);
  auto new_key = key.body["requests_api_key"].get<std::string>();
  EXPECT_NE(cx_->domain(kDomain)["profile"]["authorization-api-key"], new_key);
  EXPECT_EQ(profile_rows(), "1");
  // The worker's push waited for the late answer and was put back to try again.
  ASSERT_TRUE(eventually(
      [&] {
        return scalar(
                   "SELECT coalesce((SELECT last_error FROM cloudonix_outbox WHERE "
                   "object_type = 'profile'), '')")
                   .find("504") != std::string::npos;
      },
      20s));
  // Answering again, Cloudonix gets the new key from the worker's retry.
  cx_->switches({{"fault", nullptr}});
  EXPECT_TRUE(eventually(
      [&] { return cx_->domain(kDomain)["profile"]["authorization-api-key"] == new_key; }, 60s));
  EXPECT_TRUE(eventually([&] { return profile_rows() == "0"; }));
  EXPECT_EQ(profile_sync(), "synced");

  // Cloudonix refuses the new profile: the push fails with the reason, and is not retried.
  cx_->switches({{"fault", {{"kind", "status"}, {"status", 403}, {"method", "PUT"}}}});
  t0 = std::chrono::steady_clock::now();
  auto token = owner_->post("/api/v1/settings/webhook-token", Json::object());
  took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(token.status, 200) << token.body.dump();
  EXPECT_LT(took, 1s);
  auto new_token = token.body["webhook_token"].get<std::string>();
  ASSERT_TRUE(eventually([&] { return profile_sync() == "failed"; }, 30s));
  EXPECT_EQ(profile_sync("error"), "Cloudonix answered 403: fault injected");
  EXPECT_EQ(profile_rows(), "0");
  EXPECT_EQ(status().body["last_error"], "profile push: Cloudonix answered 403: fault injected");
  EXPECT_EQ(cx_->domain(kDomain)["profile"]["cdr-endpoint"].get<std::string>().find(new_token),
            std::string::npos);
  secrets_seen_.insert(secrets_seen_.end(), {new_key, new_token});

  // The next push that succeeds clears both.
  cx_->switches({{"fault", nullptr}});
  auto again = owner_->post("/api/v1/settings/webhook-token", Json::object());
  ASSERT_EQ(again.status, 200) << again.body.dump();
  auto newer_token = again.body["webhook_token"].get<std::string>();
  secrets_seen_.push_back(newer_token);
  ASSERT_TRUE(eventually([&] { return profile_sync() == "synced"; }, 30s));
  EXPECT_EQ(cx_->domain(kDomain)["profile"]["cdr-endpoint"], again.body["webhook_urls"]["cdr"]);
  EXPECT_TRUE(status().body["last_error"].is_null());
}

TEST_F(CloudonixPairingE2E, I_AnUnpairedTenantQueuesNoPushAndShowsNoFailure) {
  ASSERT_EQ(put_key(kOtherKey).status, 200);  // another key: unpaired until it pairs again
  ASSERT_EQ(status().body["paired"], false);
  cx_->clear_log();
  auto key = owner_->post("/api/v1/settings/requests-key", Json::object());
  ASSERT_EQ(key.status, 200) << key.body.dump();
  secrets_seen_.push_back(key.body["requests_api_key"].get<std::string>());
  EXPECT_EQ(profile_rows(), "0");
  EXPECT_NE(profile_sync(), "failed");
  EXPECT_TRUE(cx_->log().empty()) << cx_->log().dump();
}

TEST_F(CloudonixPairingE2E, Z_NoKeyAppearsInAnyLogLine) {
  auto pbxd_log = svc_->log_text();
  auto double_log = cx_->output() + cx_->log().dump();
  ASSERT_FALSE(pbxd_log.empty());
  ASSERT_NE(double_log.find("/customers/self/domains/"), std::string::npos);
  std::vector<std::string> secrets{kKey, kOtherKey, kWrongKey, tenant_->requests_api_key,
                                   tenant_->webhook_token};
  secrets.insert(secrets.end(), secrets_seen_.begin(), secrets_seen_.end());
  ASSERT_GE(secrets.size(), 9U);
  for (const auto& s : secrets) {
    EXPECT_EQ(pbxd_log.find(s), std::string::npos) << "pbxd's log shows " << s;
    EXPECT_EQ(double_log.find(s), std::string::npos) << "the double's log shows " << s;
  }
}

}  // namespace
}  // namespace pbx::testing
