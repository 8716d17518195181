// The service skeleton against real Postgres and Redis: migrations, bootstrap, health and
// readiness, limits, errors, graceful shutdown.
#include "support/eventually.hpp"
#include "support/raw_http.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <future>
#include <thread>

namespace pbx::testing {
namespace {

std::map<std::string, std::string> service_env() {
  auto& env = TestEnv::get();
  return {{"PBX_DATABASE_URL", env.pg().url()}, {"PBX_REDIS_URL", env.redis().url()},
          {"PBX_SECRET_KEY", kSecretKey},       {"PBX_DEBUG_ROUTES", "true"},
          {"PBX_MAX_BODY_BYTES", "65536"},      {"PBX_SHUTDOWN_GRACE_S", "10"}};
}

class Foundation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto migrated = ServiceProcess::run({"migrate"}, service_env(), std::chrono::seconds(60));
    ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  }
};

TEST_F(Foundation, MigrationsApplyOnceAndChangeNothingTheSecondTime) {
  auto& pg = TestEnv::get().pg();
  auto schema = [&] {
    return pg.query_scalar(
        "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' "
        "ORDER BY table_name, column_name) FROM information_schema.columns "
        "WHERE table_schema = 'public'");
  };
  auto before = schema();
  auto count_before = pg.query_scalar("SELECT count(*) FROM schema_migrations");
  auto again = ServiceProcess::run({"migrate"}, service_env(), std::chrono::seconds(60));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 applied"), std::string::npos) << again.output;
  EXPECT_EQ(schema(), before);
  EXPECT_EQ(pg.query_scalar("SELECT count(*) FROM schema_migrations"), count_before);
  EXPECT_NE(count_before, "0");
}

TEST_F(Foundation, ConcurrentMigratorsTakeTurns) {
  auto env = service_env();
  std::vector<std::future<ServiceProcess::Result>> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(std::async(std::launch::async, [env] {
      return ServiceProcess::run({"migrate"}, env, std::chrono::seconds(60));
    }));
  }
  for (auto& r : runs) {
    auto result = r.get();
    EXPECT_EQ(result.exit_code, 0) << result.output;
  }
}

TEST_F(Foundation, BootstrapCreatesTenantWithHashedSecretsOnly) {
  auto r = ServiceProcess::run({"bootstrap", "--domain", "boot.cloudonix.net", "--owner-email",
                                "owner@boot.example", "--owner-password", "a-long-password"},
                               service_env(), std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* key :
       {"tenant_id=", "admin_token=pbxa_", "requests_api_key=pbxk_", "webhook_secret=pbxw_"}) {
    EXPECT_NE(r.output.find(key), std::string::npos) << key << "\n" << r.output;
  }
  auto& pg = TestEnv::get().pg();
  EXPECT_EQ(
      pg.query_scalar(
          "SELECT substr(password_hash, 1, 10) FROM users WHERE email = 'owner@boot.example'"),
      "$argon2id$");
  EXPECT_EQ(pg.query_scalar("SELECT octet_length(requests_key_hash) FROM tenants "
                            "WHERE domain_name = 'boot.cloudonix.net'"),
            "32");
  auto key = r.output.substr(r.output.find("requests_api_key=") + 17);
  key = key.substr(0, key.find('\n'));
  EXPECT_EQ(pg.query_scalar("SELECT count(*) FROM tenants WHERE requests_key_hash::text LIKE '%" +
                            key + "%'"),
            "0");

  auto again = ServiceProcess::run(
      {"bootstrap", "--domain", "boot.cloudonix.net", "--owner-email", "other@boot.example"},
      service_env(), std::chrono::seconds(60));
  EXPECT_EQ(again.exit_code, 3) << again.output;
  auto skip = ServiceProcess::run({"bootstrap", "--domain", "boot.cloudonix.net", "--owner-email",
                                   "other@boot.example", "--if-exists-skip"},
                                  service_env(), std::chrono::seconds(60));
  EXPECT_EQ(skip.exit_code, 0) << skip.output;
  auto bad = ServiceProcess::run({"bootstrap", "--domain", "x.cloudonix.net", "--owner-email",
                                  "nope", "--timezone", "Mars/Olympus"},
                                 service_env(), std::chrono::seconds(60));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("timezone"), std::string::npos) << bad.output;
}

TEST_F(Foundation, BadConfigurationStopsWithTheVariableNamed) {
  auto env = service_env();
  env["PBX_HTTP_THREADS"] = "many";
  auto r = ServiceProcess::run({"serve"}, env, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("PBX_HTTP_THREADS"), std::string::npos) << r.output;
}

TEST_F(Foundation, StoredServiceKeysAreSealedAndFollowARotationOfTheSecretKey) {
  const std::string first(64, 'a');
  const std::string second(64, 'b');
  auto env = service_env();
  auto& pg = TestEnv::get().pg();
  const std::string stored =
      "SELECT convert_from(value, 'UTF8') FROM service_keys WHERE name = 'callback_state'";
  // What an earlier version kept: the key itself.
  pg.execute("DELETE FROM service_keys WHERE name = 'callback_state'");
  pg.execute(
      "INSERT INTO service_keys (name, value) VALUES ('callback_state', "
      "decode(repeat('ab', 32), 'hex'))");

  env.erase("PBX_SECRET_KEY");
  auto refused = ServiceProcess::run({"serve"}, env, std::chrono::seconds(30));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("PBX_SECRET_KEY"), std::string::npos) << refused.output;

  env["PBX_SECRET_KEY"] = first;
  ServiceProcess({"serve"}, env).wait_healthy();
  auto sealed_first = pg.query_scalar(stored);
  EXPECT_EQ(sealed_first.rfind("pbx1.", 0), 0U) << sealed_first;
  EXPECT_EQ(pg.query_scalar("SELECT count(*) FROM service_keys WHERE position("
                            "decode(repeat('ab', 32), 'hex') IN value) > 0"),
            "0");

  env["PBX_SECRET_KEY"] = second;
  env["PBX_SECRET_KEY_PREVIOUS"] = first;
  ServiceProcess({"serve"}, env).wait_healthy();
  auto sealed_second = pg.query_scalar(stored);
  EXPECT_EQ(sealed_second.rfind("pbx1.", 0), 0U);
  EXPECT_NE(sealed_second.substr(0, 14), sealed_first.substr(0, 14)) << "not re-sealed";

  env.erase("PBX_SECRET_KEY_PREVIOUS");
  ServiceProcess({"serve"}, env).wait_healthy();
  EXPECT_EQ(pg.query_scalar(stored), sealed_second);

  env["PBX_SECRET_KEY"] = first;
  auto wrong = ServiceProcess::run({"serve"}, env, std::chrono::seconds(30));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.output.find("PBX_SECRET_KEY"), std::string::npos) << wrong.output;
  // The other tests' services seal under the suite's key: they make their own.
  pg.execute("DELETE FROM service_keys WHERE name = 'callback_state'");
}

TEST_F(Foundation, ServesHealthReadyMetricsWithRequestIdsAndJsonErrors) {
  ServiceProcess svc({"serve"}, service_env());
  svc.wait_healthy();
  HttpClient http;
  auto health = http.get(svc.base_url() + "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "ok");
  EXPECT_FALSE(health.headers["x-request-id"].empty());

  auto ready = http.get(svc.base_url() + "/ready");
  EXPECT_EQ(ready.status, 200) << ready.body;

  auto echoed = http.request("GET", svc.base_url() + "/health", "", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(echoed.headers["x-request-id"], "trace-42");

  auto missing = http.get(svc.base_url() + "/no/such/thing");
  EXPECT_EQ(missing.status, 404);
  auto body = nlohmann::json::parse(missing.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["request_id"], missing.headers["x-request-id"]);

  auto wrong_method = http.request("DELETE", svc.base_url() + "/health", "", {});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers["allow"], "GET");
  EXPECT_EQ(nlohmann::json::parse(wrong_method.body)["error"]["code"], "method_not_allowed");

  auto metrics = http.get(svc.base_url() + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find("pbx_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"}"),
      std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("pbx_http_request_duration_seconds_bucket{route=\"/health\""),
            std::string::npos);

  // Access log lines carry method, path, status, duration and the request id.
  auto log = svc.log_text();
  EXPECT_NE(log.find("GET /health 200"), std::string::npos) << log;
  EXPECT_NE(log.find("rid=trace-42"), std::string::npos) << log;
}

// Answers are written by the service itself: the status line, the headers it set, the length
// of the body, and a Connection header that follows the request's HTTP version and wishes.
TEST_F(Foundation, AnswersKeepTheConnectionAsTheRequestAsks) {
  ServiceProcess svc({"serve"}, service_env());
  svc.wait_healthy();
  constexpr auto kLimit = std::chrono::seconds(5);
  auto ask = [&](RawConnection& c, std::string_view version, std::string_view connection) {
    std::string request = "GET /health " + std::string(version) + "\r\nHost: pbx\r\n";
    if (!connection.empty()) request += "Connection: " + std::string(connection) + "\r\n";
    EXPECT_TRUE(c.send(request + "\r\n"));
    return c.read_response(kLimit);
  };

  RawConnection kept(svc.port());
  for (int i = 0; i < 3; ++i) {  // the same connection serves one request after another
    auto r = ask(kept, "HTTP/1.1", "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["connection"], "Keep-Alive");
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_EQ(r.headers["content-length"], std::to_string(r.body.size()));
    EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "ok");
    EXPECT_FALSE(r.headers["x-request-id"].empty());
    EXPECT_FALSE(r.closed);
  }

  RawConnection http10_kept(svc.port());
  auto r = ask(http10_kept, "HTTP/1.0", "keep-alive");
  EXPECT_EQ(r.headers["connection"], "Keep-Alive");
  EXPECT_EQ(ask(http10_kept, "HTTP/1.0", "keep-alive").status, 200);

  RawConnection closing(svc.port());
  EXPECT_EQ(ask(closing, "HTTP/1.1", "close").headers["connection"], "Close");
  RawConnection http10(svc.port());
  EXPECT_EQ(ask(http10, "HTTP/1.0", "").headers["connection"], "Close");
}

TEST_F(Foundation, OversizedBodyGets413WithJsonError) {
  ServiceProcess svc({"serve"}, service_env());
  svc.wait_healthy();
  HttpClient http;
  auto r = http.request("POST", svc.base_url() + "/api/v1/auth/login", std::string(70000, 'x'),
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "payload_too_large");
  EXPECT_EQ(r.headers["connection"], "Close");
  // Far over the limit: refused by Pistache itself before the body is read, still 413.
  // Pistache 0.0.5 then keeps reading the rest of that body on the same connection, so the
  // server's health is checked on a new one.
  auto huge = http.request("POST", svc.base_url() + "/api/v1/auth/login", std::string(300000, 'x'),
                           {{"Content-Type", "application/json"}});
  EXPECT_EQ(huge.status, 413);
  HttpClient fresh;
  EXPECT_EQ(fresh.get(svc.base_url() + "/health").status, 200);
}

TEST_F(Foundation, ReadyReportsRedisOutageAndRecoversWithoutRestart) {
  ServiceProcess svc({"serve"}, service_env());
  svc.wait_healthy();
  HttpClient http;
  ASSERT_EQ(http.get(svc.base_url() + "/ready").status, 200);
  auto& redis = TestEnv::get().redis();
  redis.stop();
  auto down = http.get(svc.base_url() + "/ready");
  EXPECT_EQ(down.status, 503);
  auto body = nlohmann::json::parse(down.body);
  EXPECT_EQ(body["error"]["code"], "unavailable");
  EXPECT_EQ(body["error"]["details"]["checks"]["redis"], "unavailable");
  EXPECT_EQ(body["error"]["details"]["checks"]["postgres"], "ok");
  EXPECT_EQ(http.get(svc.base_url() + "/health").status, 200);
  redis.start();
  int status = 0;
  eventually(
      [&] {
        status = http.get(svc.base_url() + "/ready").status;
        return status == 200;
      },
      std::chrono::seconds(5));
  EXPECT_EQ(status, 200);
}

TEST_F(Foundation, PostgresRestartCostsNoRequest) {
  ServiceProcess svc({"serve"}, service_env());
  svc.wait_healthy();
  HttpClient http;
  ASSERT_EQ(http.get(svc.base_url() + "/ready").status, 200);
  auto& pg = TestEnv::get().pg();
  pg.stop();
  auto down = http.get(svc.base_url() + "/ready");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(nlohmann::json::parse(down.body)["error"]["details"]["checks"]["postgres"],
            "unavailable");
  pg.start();
  int status = 0;
  eventually(
      [&] {
        status = http.get(svc.base_url() + "/ready").status;
        return status == 200;
      },
      std::chrono::seconds(5));
  EXPECT_EQ(status, 200);
  // Every pooled connection was broken by the restart; none of them may fail a request now.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(http.get(svc.base_url() + "/ready").status, 200) << i;
}

TEST_F(Foundation, SigtermLetsASlowRequestFinishThenExitsZero) {
  ServiceProcess svc({"serve"}, service_env());
  svc.wait_healthy();
  auto slow = std::async(std::launch::async, [url = svc.base_url()] {
    HttpClient http;
    return http.get(url + "/debug/sleep?ms=1500");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  svc.signal(SIGTERM);
  auto r = slow.get();
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(nlohmann::json::parse(r.body)["slept_ms"], 1500);
  EXPECT_EQ(svc.wait_exit(std::chrono::seconds(15)), 0);
}

}  // namespace
}  // namespace pbx::testing
