// Webhook authentication through the running service, as real Cloudonix delivers: session
// updates with only the requests key as a bearer token, CDRs with only the webhook token in
// their URL, and nothing accepted without a credential, in every webhook_auth mode.
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

constexpr const char* kDomain = "realcx.cloudonix.net";

class WebhookAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete tenant_;
    delete env_;
  }

  static std::string url(const std::string& kind, const std::string& query = "") {
    return svc_->base_url() + "/api/webhooks/cloudonix/" + kind + query;
  }
  // A delivery with exactly these headers (and JSON), under a request id of its own.
  static HttpResponse deliver(const std::string& kind, const std::string& body,
                              std::map<std::string, std::string> headers,
                              const std::string& query = "", const std::string& rid = "") {
    HttpClient http;
    headers.emplace("Content-Type", "application/json");
    if (!rid.empty()) headers.emplace("X-Request-Id", rid);
    return http.request("POST", url(kind, query), body, headers);
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  static std::string code_of(const HttpResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }
  // The webhook log's row of one request: "<outcome> <http_status> <error>".
  static std::string logged(const std::string& rid) {
    std::string row;
    eventually([&] {
      row = scalar(
          "SELECT outcome || ' ' || http_status || ' ' || coalesce(error, '') FROM webhook_events"
          " WHERE request_id = '" +
          rid + "'");
      return !row.empty();
    });
    return row;
  }
  static std::string cdrs_of(const std::string& session) {
    return scalar("SELECT count(*) FROM cdrs WHERE session_token = '" + session + "'");
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
};

TEST_F(WebhookAuth, NewTenantsAcceptAnyCredentialAndGetAToken) {
  EXPECT_EQ(scalar("SELECT webhook_auth FROM tenants WHERE id = '" + tenant_->id + "'"), "any");
  ASSERT_TRUE(tenant_->webhook_token.rfind("pbxt_", 0) == 0) << tenant_->webhook_token;
  // Only its hash is stored.
  EXPECT_EQ(scalar("SELECT count(*) FROM webhook_tokens WHERE tenant_id = '" + tenant_->id +
                   "' AND token_hash = sha256('" + tenant_->webhook_token + "'::bytea)"),
            "1");
}

TEST_F(WebhookAuth, SessionUpdateWithOnlyTheRequestsKeyIsStored) {
  auto session = unique_name("su-");
  auto body = session_update_payload(kDomain, session, "ringing", unique_name("e-")).dump();
  auto r =
      deliver("session-update", body, {{"Authorization", "Bearer " + tenant_->requests_api_key}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "processed");
  EXPECT_EQ(scalar("SELECT tenant_id FROM session_events WHERE session_token = '" + session + "'"),
            tenant_->id);
  // X-CX-APIKey is the same key.
  auto other = session_update_payload(kDomain, session, "answered", unique_name("e-")).dump();
  EXPECT_EQ(deliver("session-update", other, {{"X-CX-APIKey", tenant_->requests_api_key}}).status,
            200);
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + session + "'"),
            "2");
}

TEST_F(WebhookAuth, CdrWithOnlyTheTokenIsStored) {
  auto session = unique_name("cdr-");
  auto r =
      deliver("cdr", cdr_payload(kDomain, session).dump(), {}, "?token=" + tenant_->webhook_token);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "processed");
  EXPECT_EQ(scalar("SELECT tenant_id FROM cdrs WHERE session_token = '" + session + "'"),
            tenant_->id);
  // The token names the tenant on its own: the payload need not say which domain it is.
  auto anonymous = cdr_payload("", unique_name("cdr-"));
  anonymous.erase("domain");
  EXPECT_EQ(deliver("cdr", anonymous.dump(), {}, "?token=" + tenant_->webhook_token).status, 200);
}

TEST_F(WebhookAuth, CdrWithoutCredentialIsRefused) {
  auto session = unique_name("bare-");
  auto rid = unique_name("rid-bare-");
  auto r =
      deliver("cdr", cdr_payload(kDomain, session).dump(), {{"X-CX-Domain", kDomain}}, "", rid);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(code_of(r), "unauthorized");
  EXPECT_EQ(logged(rid), "rejected 401 no_credentials");
  EXPECT_EQ(cdrs_of(session), "0");
  // An empty token is no credential either.
  auto empty_rid = unique_name("rid-empty-");
  EXPECT_EQ(deliver("cdr", cdr_payload(kDomain, session).dump(), {}, "?token=", empty_rid).status,
            401);
  EXPECT_EQ(logged(empty_rid), "rejected 401 no_credentials");
}

TEST_F(WebhookAuth, ForgedTokenWrongKeyAndWrongSignatureAreRefused) {
  auto session = unique_name("forged-");
  auto body = cdr_payload(kDomain, session).dump();
  auto forged = unique_name("rid-forged-");
  EXPECT_EQ(deliver("cdr", body, {}, "?token=pbxt_forged-token-0000", forged).status, 401);
  EXPECT_EQ(logged(forged), "rejected 401 unknown_key");
  auto wrong_key = unique_name("rid-key-");
  EXPECT_EQ(
      deliver("cdr", body, {{"Authorization", "Bearer pbxk_wrong-key-0000"}}, "", wrong_key).status,
      401);
  EXPECT_EQ(logged(wrong_key), "rejected 401 unknown_key");
  auto wrong_signature = unique_name("rid-sig-");
  EXPECT_EQ(deliver("cdr", body, signed_webhook_headers("pbxw_not-the-secret", body, kDomain), "",
                    wrong_signature)
                .status,
            401);
  EXPECT_EQ(logged(wrong_signature), "rejected 401 bad_signature");
  auto stale = unique_name("rid-stale-");
  auto stale_answer = deliver(
      "cdr", body, signed_webhook_headers(tenant_->webhook_secret, body, kDomain, unix_now() - 400),
      "", stale);
  EXPECT_EQ(stale_answer.status, 400);
  EXPECT_EQ(code_of(stale_answer), "stale_timestamp");
  EXPECT_EQ(logged(stale), "rejected 400 stale_timestamp");
  // Another tenant's token for the domain that X-CX-Domain names.
  auto other = bootstrap_tenant(*env_, "realcx-other.cloudonix.net");
  EXPECT_TRUE(eventually([&] {
    auto rid = unique_name("rid-domain-");
    return deliver("cdr", body, {{"X-CX-Domain", kDomain}}, "?token=" + other.webhook_token, rid)
                   .status == 401 &&
           logged(rid) == "rejected 401 wrong_domain";
  }));
  // A signature for a domain that names no tenant.
  auto nobody = unique_name("rid-nobody-");
  EXPECT_EQ(deliver("cdr", body,
                    signed_webhook_headers(tenant_->webhook_secret, body, "nobody.cloudonix.net"),
                    "", nobody)
                .status,
            401);
  EXPECT_EQ(logged(nobody), "rejected 401 wrong_domain");
  EXPECT_EQ(cdrs_of(session), "0");
  // Rejections are counted by reason.
  HttpClient http;
  auto metrics = http.get(svc_->base_url() + "/metrics").body;
  EXPECT_NE(metrics.find(R"(pbx_webhook_rejections_total{kind="cdr",reason="unknown_key"})"),
            std::string::npos)
      << metrics;
}

TEST_F(WebhookAuth, RotatedTokenKeepsTheOldOneDuringTheGracePeriod) {
  auto tenant = bootstrap_tenant(*env_, "rotate.cloudonix.net");
  AdminClient owner(svc_->base_url(), tenant.admin_token);
  auto issued = owner.post("/api/v1/settings/webhook-token", json::object());
  ASSERT_EQ(issued.status, 200) << issued.body.dump();
  EXPECT_EQ(issued.headers["cache-control"], "no-store");
  auto fresh = issued.body["webhook_token"].get<std::string>();
  ASSERT_NE(fresh, tenant.webhook_token);
  EXPECT_EQ(issued.body["previous_tokens_valid_for"], "24 hours");
  auto base = owner.get("/api/v1/settings").body["public_base_url"].get<std::string>();
  EXPECT_EQ(issued.body["webhook_urls"]["cdr"],
            base + "/api/webhooks/cloudonix/cdr?token=" + fresh);
  EXPECT_EQ(issued.body["webhook_urls"]["session_update"],
            base + "/api/webhooks/cloudonix/session-update?token=" + fresh);

  auto cdr_with = [&](const std::string& token) {
    return deliver("cdr", cdr_payload("rotate.cloudonix.net", unique_name("rot-")).dump(), {},
                   "?token=" + token)
        .status;
  };
  EXPECT_TRUE(eventually([&] { return cdr_with(fresh) == 200; }));
  EXPECT_EQ(cdr_with(tenant.webhook_token), 200) << "the previous token, in its grace period";
  // The new token in a session-update URL too.
  auto su = session_update_payload("rotate.cloudonix.net", unique_name("rot-"), "ringing",
                                   unique_name("e-"));
  EXPECT_EQ(deliver("session-update", su.dump(), {}, "?token=" + fresh).status, 200);
  auto settings = owner.get("/api/v1/settings");
  EXPECT_EQ(settings.body["webhook_tokens_valid"], 2);
  EXPECT_EQ(settings.body.dump().find(fresh), std::string::npos);

  // A second rotation ends the first token at once: only the current one and the previous one,
  // in its grace period, stay valid.
  auto hash_of = [](const std::string& token) { return "sha256('" + token + "'::bytea)"; };
  auto expiry = [&](const std::string& token) {
    return scalar("SELECT expires_at FROM webhook_tokens WHERE token_hash = " + hash_of(token));
  };
  auto second = owner.post("/api/v1/settings/webhook-token", json::object());
  ASSERT_EQ(second.status, 200);
  auto newest = second.body["webhook_token"].get<std::string>();
  EXPECT_EQ(owner.get("/api/v1/settings").body["webhook_tokens_valid"], 2);
  EXPECT_EQ(cdr_with(tenant.webhook_token), 401);
  EXPECT_FALSE(expiry(fresh).empty());
  EXPECT_EQ(cdr_with(fresh), 200) << "the previous token, in its grace period";
  // Once the grace period is over, the previous token is refused.
  TestEnv::get().pg().execute(
      "UPDATE webhook_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = " +
      hash_of(fresh));
  EXPECT_TRUE(eventually([&] { return cdr_with(fresh) == 401; }));
  EXPECT_EQ(cdr_with(newest), 200);

  // Only the owner issues tokens.
  EXPECT_EQ(AdminClient(svc_->base_url(), "pbxa_nobody")
                .post("/api/v1/settings/webhook-token", json::object())
                .status,
            401);
}

TEST_F(WebhookAuth, EachModeAcceptsItsCredentialsAndNeverNone) {
  struct Row {
    const char* mode;
    int signature, key, token;
  };
  for (const auto& row :
       {Row{"any", 200, 200, 200}, Row{"hmac", 200, 401, 401}, Row{"bearer", 401, 200, 401},
        Row{"url_token", 401, 401, 200}, Row{"hmac_or_bearer", 200, 200, 401}}) {
    SCOPED_TRACE(row.mode);
    std::string domain = std::string("mode-") + row.mode + ".cloudonix.net";
    for (auto& c : domain) c = c == '_' ? '-' : c;
    auto t = bootstrap_tenant(*env_, domain);
    AdminClient owner(svc_->base_url(), t.admin_token);
    auto set = owner.patch("/api/v1/settings", {{"webhook_auth", row.mode}});
    ASSERT_EQ(set.status, 200) << set.body.dump();
    EXPECT_EQ(set.body["webhook_auth"], row.mode);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the directory polls

    auto body = [&] { return cdr_payload(domain, unique_name("m-")).dump(); };
    auto signed_body = body();
    EXPECT_EQ(
        deliver("cdr", signed_body, signed_webhook_headers(t.webhook_secret, signed_body, domain))
            .status,
        row.signature)
        << "signature";
    EXPECT_EQ(deliver("cdr", body(), {{"Authorization", "Bearer " + t.requests_api_key}}).status,
              row.key)
        << "key";
    EXPECT_EQ(deliver("cdr", body(), {}, "?token=" + t.webhook_token).status, row.token) << "token";
    EXPECT_EQ(deliver("cdr", body(), {{"X-CX-Domain", domain}}).status, 401) << "none";
    EXPECT_EQ(
        deliver(
            "session-update",
            session_update_payload(domain, unique_name("s-"), "ringing", unique_name("e-")).dump(),
            {{"X-CX-Domain", domain}})
            .status,
        401)
        << "none";
  }
}

TEST_F(WebhookAuth, SettingsShowWhatToEnterIntoCloudonixAndNoSecret) {
  AdminClient owner(svc_->base_url(), tenant_->admin_token);
  auto s = owner.get("/api/v1/settings");
  ASSERT_EQ(s.status, 200);
  auto base = s.body["public_base_url"].get<std::string>();
  const auto& urls = s.body["webhook_urls"];
  EXPECT_EQ(urls["voice_route"], base + "/api/voice/route");
  EXPECT_EQ(urls["session_update"], base + "/api/webhooks/cloudonix/session-update");
  EXPECT_EQ(urls["cdr"], base + "/api/webhooks/cloudonix/cdr");
  const auto& cx = urls["cloudonix"];
  EXPECT_EQ(cx["voice_application_url"], base + "/api/voice/route");
  EXPECT_EQ(cx["voice_application_method"], "POST");
  EXPECT_EQ(cx["session_update_endpoint"],
            base + "/api/webhooks/cloudonix/session-update?token={webhook_token}");
  EXPECT_EQ(cx["cdr_endpoint"], base + "/api/webhooks/cloudonix/cdr?token={webhook_token}");
  EXPECT_EQ(cx["authorization_api_key"], "<your requests API key>");
  EXPECT_NE(cx["where"]["cdr_endpoint"].get<std::string>().find("cdr-endpoint"), std::string::npos);
  EXPECT_NE(cx["where"]["authorization_api_key"].get<std::string>().find("authorization-api-key"),
            std::string::npos);
  EXPECT_TRUE(cx["placeholders"].contains("{webhook_token}"));
  EXPECT_FALSE(cx.contains("warning"));
  EXPECT_EQ(s.body["webhook_tokens_valid"], 1);
  for (const auto& secret :
       {tenant_->webhook_token, tenant_->requests_api_key, tenant_->webhook_secret}) {
    EXPECT_EQ(s.body.dump().find(secret), std::string::npos);
  }
  // A mode that refuses real Cloudonix says so.
  auto hmac = bootstrap_tenant(*env_, "warn.cloudonix.net");
  AdminClient hmac_owner(svc_->base_url(), hmac.admin_token);
  auto patched = hmac_owner.patch("/api/v1/settings", {{"webhook_auth", "hmac"}});
  ASSERT_EQ(patched.status, 200);
  EXPECT_NE(
      patched.body["webhook_urls"]["cloudonix"]["warning"].get<std::string>().find("signs nothing"),
      std::string::npos);
  EXPECT_EQ(hmac_owner.patch("/api/v1/settings", {{"webhook_auth", "url_token"}}).status, 200);
  EXPECT_EQ(hmac_owner.patch("/api/v1/settings", {{"webhook_auth", "token"}}).status, 422);
}

TEST_F(WebhookAuth, TheTokenNeverReachesTheLog) {
  auto body = cdr_payload(kDomain, unique_name("log-")).dump();
  EXPECT_EQ(deliver("cdr", body, {}, "?token=" + tenant_->webhook_token).status, 200);
  const std::string forged = "pbxt_forged-for-the-log-7c1e";
  EXPECT_EQ(deliver("cdr", body, {}, "?token=" + forged).status, 401);
  // Refused before routing and before authentication: unknown path, wrong method, bad JSON type.
  HttpClient http;
  EXPECT_EQ(http.get(url("cdr", "?token=" + tenant_->webhook_token)).status, 405);
  EXPECT_EQ(http.request("POST", url("cdr", "?token=" + tenant_->webhook_token), body,
                         {{"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(http.get(svc_->base_url() + "/nowhere?token=" + tenant_->webhook_token).status, 404);
  AdminClient owner(svc_->base_url(), tenant_->admin_token);
  auto issued = owner.post("/api/v1/settings/webhook-token", json::object());
  ASSERT_EQ(issued.status, 200);
  auto fresh = issued.body["webhook_token"].get<std::string>();
  EXPECT_TRUE(eventually([&] {
    return deliver(
               "session-update",
               session_update_payload(kDomain, unique_name("log-"), "ringing", unique_name("e-"))
                   .dump(),
               {}, "?token=" + fresh)
               .status == 200;
  }));

  auto log = svc_->log_text();
  ASSERT_NE(log.find("POST /api/webhooks/cloudonix/cdr 401"), std::string::npos) << "logged";
  for (const auto& token : {tenant_->webhook_token, fresh, forged}) {
    EXPECT_EQ(log.find(token), std::string::npos) << token.substr(0, 8);
  }
}

// A database from before webhook tokens: its hmac tenants move to any, the others keep their
// mode, and new tenants default to any.
TEST(WebhookAuthMigration, HmacTenantsMoveToAny) {
  auto& pg = TestEnv::get().pg();
  pg.execute("CREATE DATABASE premigration");
  auto env = TestEnv::get().service_env();
  env["PBX_DATABASE_URL"] = pg.url("premigration");
  ASSERT_EQ(ServiceProcess::run({"migrate"}, env).exit_code, 0);
  // Back to the schema before 0010, with tenants of the old modes.
  pg.execute(
      "DELETE FROM schema_migrations WHERE name LIKE '0010%';"
      "DROP TABLE webhook_tokens;"
      "ALTER TABLE tenants DROP CONSTRAINT tenants_webhook_auth_check;"
      "ALTER TABLE tenants ADD CONSTRAINT tenants_webhook_auth_check"
      "  CHECK (webhook_auth IN ('hmac', 'bearer', 'hmac_or_bearer'));"
      "ALTER TABLE tenants ALTER COLUMN webhook_auth SET DEFAULT 'hmac';"
      "INSERT INTO tenants (name, domain_name, public_base_url) VALUES"
      "  ('old', 'old.cloudonix.net', 'http://x');"
      "INSERT INTO tenants (name, domain_name, public_base_url, webhook_auth) VALUES"
      "  ('b', 'b.cloudonix.net', 'http://x', 'bearer'),"
      "  ('hb', 'hb.cloudonix.net', 'http://x', 'hmac_or_bearer')",
      "premigration");
  ASSERT_EQ(pg.query_scalar("SELECT webhook_auth FROM tenants WHERE name = 'old'", "premigration"),
            "hmac");
  auto again = ServiceProcess::run({"migrate"}, env);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(pg.query_scalar("SELECT string_agg(name || '=' || webhook_auth, ',' ORDER BY name)"
                            " FROM tenants",
                            "premigration"),
            "b=bearer,hb=hmac_or_bearer,old=any");
  pg.execute(
      "INSERT INTO tenants (name, domain_name, public_base_url) VALUES"
      " ('new', 'new.cloudonix.net', 'http://x')",
      "premigration");
  EXPECT_EQ(pg.query_scalar("SELECT webhook_auth FROM tenants WHERE name = 'new'", "premigration"),
            "any");
  EXPECT_EQ(pg.query_scalar("SELECT count(*) FROM webhook_tokens", "premigration"), "0");
}

}  // namespace
}  // namespace pbx::testing
