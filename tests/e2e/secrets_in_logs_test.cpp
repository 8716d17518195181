// No secret ever reaches a log line or an error body: a full run at debug level (logins good and
// bad, voice requests with good and bad keys, webhooks signed well and badly or with webhook
// tokens in their URLs, key, secret and token rotation), then every secret that was used or
// shown is searched for in the service's log.
#include "cloudonix/signature.hpp"
#include "support/admin_client.hpp"
#include "support/test_env.hpp"
#include "support/voice.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <sstream>
#include <vector>

namespace pbx::testing {
namespace {

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(SecretsInLogs, NoSecretAppearsInTheLogOrInErrorBodies) {
  auto env = TestEnv::get().service_env();
  ASSERT_EQ(ServiceProcess::run({"migrate"}, env).exit_code, 0);
  auto tenant = bootstrap_tenant(env, "secrets.cloudonix.net");
  env["PBX_LOG_LEVEL"] = "debug";
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();
  HttpClient http;
  std::vector<std::string> secrets{tenant.admin_token, tenant.requests_api_key,
                                   tenant.webhook_secret, tenant.webhook_token, "owner-password-1"};
  std::vector<std::string> bodies;

  const std::string wrong_password = "wrong-password-4f7c2a";
  auto bad_login = http.post_json(
      svc.base_url() + "/api/v1/auth/login",
      nlohmann::json{{"email", "owner@secrets.cloudonix.net"}, {"password", wrong_password}}
          .dump());
  EXPECT_EQ(bad_login.status, 401);
  bodies.push_back(bad_login.body);
  secrets.push_back(wrong_password);
  auto token = login(svc.base_url(), "owner@secrets.cloudonix.net", "owner-password-1");
  ASSERT_FALSE(token.empty());
  secrets.push_back(token);

  const std::string wrong_key = "pbxk_wrong-key-9d41e0b7";
  secrets.push_back(wrong_key);
  auto call = nlohmann::json{{"CallSid", "s1"}, {"To", "+12125550100"}}.dump();
  for (const auto& key : {tenant.requests_api_key, wrong_key}) {
    for (const char* header : {"Authorization", "X-CX-APIKey"}) {
      std::string value = std::string(header) == "Authorization" ? "Bearer " + key : key;
      auto r = http.post_json(svc.base_url() + "/api/voice/route", call, {{header, value}});
      bodies.push_back(r.body);
    }
  }

  auto body = nlohmann::json{
      {"domain", "secrets.cloudonix.net"},
      {"token", "sess-1"},
      {"eventId", "e-1"},
      {"status",
       "ringing"}}.dump();
  auto good = cloudonix::sign(tenant.webhook_secret, body, now_s());
  auto bad = cloudonix::sign("not-the-secret", body, now_s());
  for (const auto& signed_headers : {good, bad}) {
    auto r = http.post_json(svc.base_url() + "/api/webhooks/cloudonix/session-update", body,
                            {{"X-Cloudonix-Signature", signed_headers.signature},
                             {"X-Cloudonix-Timestamp", signed_headers.timestamp},
                             {"X-CX-Domain", "secrets.cloudonix.net"}});
    bodies.push_back(r.body);
    secrets.push_back(signed_headers.signature.substr(signed_headers.signature.find('=') + 1));
  }
  auto bearer_webhook = http.post_json(svc.base_url() + "/api/webhooks/cloudonix/cdr", "{}",
                                       {{"Authorization", "Bearer " + wrong_key}});
  bodies.push_back(bearer_webhook.body);
  // Webhook tokens travel in the URL: good, forged, and on requests refused before they are read.
  const std::string forged_token = "pbxt_forged-token-3b9e21";
  secrets.push_back(forged_token);
  for (const auto& t : {tenant.webhook_token, forged_token}) {
    for (const char* path :
         {"/api/webhooks/cloudonix/cdr", "/api/webhooks/cloudonix/session-update",
          "/api/webhooks/cloudonix/nowhere"}) {
      auto r = http.post_json(svc.base_url() + path + "?token=" + t, body);
      bodies.push_back(r.body);
    }
    bodies.push_back(http.get(svc.base_url() + "/api/webhooks/cloudonix/cdr?a=1&token=" + t).body);
  }

  AdminClient admin(svc.base_url(), token);
  auto key = admin.post("/api/v1/settings/requests-key", nlohmann::json::object());
  auto secret = admin.post("/api/v1/settings/webhook-secret", nlohmann::json::object());
  auto webhook_token = admin.post("/api/v1/settings/webhook-token", nlohmann::json::object());
  ASSERT_EQ(key.status, 200);
  ASSERT_EQ(secret.status, 200);
  ASSERT_EQ(webhook_token.status, 200);
  secrets.push_back(key.body["requests_api_key"]);
  secrets.push_back(secret.body["webhook_secret"]);
  secrets.push_back(webhook_token.body["webhook_token"]);
  AdminClient stranger(svc.base_url(), "pbxa_not-a-token-51c3");
  bodies.push_back(stranger.send("GET", "/api/v1/settings", "").body.dump());
  secrets.push_back("pbxa_not-a-token-51c3");

  svc.signal(SIGTERM);
  EXPECT_EQ(svc.wait_exit(std::chrono::seconds(20)), 0);
  auto log = svc.log_text();
  ASSERT_NE(log.find("POST /api/voice/route 401"), std::string::npos) << "the run was logged";
  for (const auto& s : secrets) {
    ASSERT_GE(s.size(), 8u);
    EXPECT_EQ(log.find(s), std::string::npos) << "a secret is in the log: " << s.substr(0, 6);
    for (const auto& b : bodies) {
      EXPECT_EQ(b.find(s), std::string::npos) << "a secret is in an answer: " << b;
    }
  }
}

// A value from a request cannot forge a log line: a line break in the Domain, To or call id of a
// voice request is written escaped, on the line that logs it.
TEST(SecretsInLogs, RequestValuesCannotForgeLogLines) {
  auto env = TestEnv::get().service_env();
  ASSERT_EQ(ServiceProcess::run({"migrate"}, env).exit_code, 0);
  auto tenant = bootstrap_tenant(env, "forgery.cloudonix.net");
  env["PBX_LOG_LEVEL"] = "debug";
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();
  HttpClient http;
  const std::string forged = "\n2020-01-01T00:00:00.000000Z info GET /forged 200 0.1ms rid=forged";
  const std::string control = "\r\x1b[2J\x7f";
  auto url = svc.base_url() + "/api/voice/route";
  auto auth =
      std::map<std::string, std::string>{{"Authorization", "Bearer " + tenant.requests_api_key}};
  auto other_domain = http.post_json(
      url,
      nlohmann::json{
          {"CallSid", "s1"}, {"Domain", "other.example" + forged + control}, {"To", "+12125550100"}}
          .dump(),
      auth);
  EXPECT_EQ(other_domain.status, 401);
  auto own_domain = http.post_json(
      url,
      nlohmann::json{
          {"CallSid", "call" + forged}, {"Domain", tenant.domain}, {"To", "+1999" + forged}}
          .dump(),
      auth);
  EXPECT_EQ(own_domain.status, 200);

  svc.signal(SIGTERM);
  EXPECT_EQ(svc.wait_exit(std::chrono::seconds(20)), 0);
  auto log = svc.log_text();
  EXPECT_NE(log.find("other.example\\n2020-01-01T00:00:00.000000Z info GET /forged 200 0.1ms "
                     "rid=forged\\r\\x1b[2J\\x7f"),
            std::string::npos)
      << "the value is logged, escaped:\n"
      << log;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_NE(line.rfind("2020-01-01", 0), 0u) << "a forged line: " << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace pbx::testing
