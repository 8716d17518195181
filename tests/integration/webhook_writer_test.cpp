// The webhook writer against real Postgres and Redis: Postgres, not a Redis marker, decides
// that an event is already stored.
#include "store/webhook_store.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <string>
#include <vector>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kDomain = "writer.cloudonix.net";
constexpr const char* kOtherDomain = "writer-other.cloudonix.net";

class WebhookWriter : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    other_ = new TenantCredentials(bootstrap_tenant(*env_, kOtherDomain));
    Env env = *env_;
    svc_ = new ServiceProcess({"serve"}, env);
    svc_->wait_healthy();
    ASSERT_TRUE(eventually([] {
      return status_of(post(*other_, "cdr", cdr_payload(kOtherDomain, unique_name("known-")))) ==
             "processed";
    })) << "the service did not learn of the other tenant";
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete other_;
    delete tenant_;
    delete env_;
  }

  static HttpResponse post(const TenantCredentials& tenant, const std::string& kind,
                           const json& body) {
    HttpClient http;
    auto text = body.dump();
    return http.request("POST", svc_->base_url() + "/api/webhooks/cloudonix/" + kind, text,
                        signed_webhook_headers(tenant.webhook_secret, text, tenant.domain));
  }
  static std::string status_of(const HttpResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) return "?" + r.body;
    if (j.contains("status")) return j["status"].get<std::string>();
    if (j.contains("error")) return std::to_string(r.status) + " " + j["error"].value("code", "");
    return "?" + r.body;
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  static std::string count(const std::string& table, const std::string& token) {
    return scalar("SELECT count(*) FROM " + table + " WHERE session_token = '" + token + "'");
  }
  static bool marked(const TenantCredentials& tenant, const std::string& kind,
                     const std::string& key) {
    return TestEnv::get().redis().cli("EXISTS pbx:wh:" + tenant.id + ":" + kind + ":" + key) ==
           "1\n";
  }

  static Env* env_;
  static TenantCredentials* tenant_;
  static TenantCredentials* other_;
  static ServiceProcess* svc_;
};

Env* WebhookWriter::env_ = nullptr;
TenantCredentials* WebhookWriter::tenant_ = nullptr;
TenantCredentials* WebhookWriter::other_ = nullptr;
ServiceProcess* WebhookWriter::svc_ = nullptr;

// After a restore (or a failover to an asynchronous replica) Postgres lacks rows whose Redis
// markers remain: a redelivery is stored again, and only what Postgres holds is a duplicate.
TEST_F(WebhookWriter, ARedisMarkerWithoutItsRowsIsNotADuplicate) {
  auto token = unique_name("restored-");
  auto record = cdr_payload(kDomain, token);
  auto events = json::array({session_update_payload(kDomain, token, "ringing", token + "-a"),
                             session_update_payload(kDomain, token, "answer", token + "-b")});
  ASSERT_EQ(status_of(post(*tenant_, "cdr", record)), "processed");
  ASSERT_EQ(status_of(post(*tenant_, "session-update", events)), "processed");
  ASSERT_TRUE(marked(*tenant_, "cdr", token));
  ASSERT_EQ(count("session_events", token), "2");

  // The restore: the CDR and one of the two session events are gone, their markers are not.
  auto& pg = TestEnv::get().pg();
  pg.execute("DELETE FROM cdrs WHERE session_token = '" + token + "'");
  pg.execute(
      "DELETE FROM session_events WHERE id = (SELECT id FROM session_events"
      " WHERE session_token = '" +
      token + "' ORDER BY id LIMIT 1)");
  ASSERT_TRUE(marked(*tenant_, "cdr", token));

  EXPECT_EQ(status_of(post(*tenant_, "cdr", record)), "processed");
  EXPECT_EQ(count("cdrs", token), "1");
  EXPECT_EQ(status_of(post(*tenant_, "session-update", events)), "processed");
  EXPECT_EQ(count("session_events", token), "2");

  // Rows and markers both there: a true duplicate, stored once.
  EXPECT_EQ(status_of(post(*tenant_, "cdr", record)), "duplicate");
  EXPECT_EQ(status_of(post(*tenant_, "session-update", events)), "duplicate");
  EXPECT_EQ(count("cdrs", token), "1");
  EXPECT_EQ(count("session_events", token), "2");
  EXPECT_EQ(scalar("SELECT string_agg(outcome, ',' ORDER BY id) FROM webhook_events"
                   " WHERE tenant_id = '" +
                   tenant_->id + "' AND dedupe_key = '" + token + "'"),
            "processed,processed,duplicate");
}

// The confirmation of a batch's marked jobs is one query that reads the unique indexes that
// decide duplicates, never a table scan, in tables where a tenant has many rows.
TEST_F(WebhookWriter, MarkersAreConfirmedByTheUniqueIndexes) {
  auto& pg = TestEnv::get().pg();
  auto tenant = "'" + other_->id + "'";
  pg.execute(
      "INSERT INTO session_events (tenant_id, session_token, dedupe_key, raw)"
      " SELECT " +
      tenant +
      ", 'plan-' || i / 10, 'plan-' || i, '{}' FROM generate_series(1, 5000) i;"
      " INSERT INTO cdrs (tenant_id, session_token, started_at, disposition, raw)"
      " SELECT " +
      tenant +
      ", 'plan-' || i, now(), 'answered', '{}' FROM generate_series(1, 5000) i;"
      " ANALYZE session_events; ANALYZE cdrs");
  auto statements = store::webhook_statements();
  auto st = std::find_if(statements.begin(), statements.end(), [](const store::Statement& s) {
    return std::string(s.name) == "webhook_stored_keys";
  });
  ASSERT_NE(st, statements.end());
  auto keys = "'{" + other_->id + "}', '{plan-7}'";
  auto plan = scalar("SET enable_seqscan = off; SET enable_bitmapscan = off; PREPARE p AS " +
                     std::string(st->sql) + "; EXPLAIN (FORMAT JSON) EXECUTE p(" + keys + ", " +
                     keys + ")");
  EXPECT_NE(plan.find("session_events_dedupe_key"), std::string::npos) << plan;
  EXPECT_NE(plan.find("cdrs_session_key"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << plan;
}

}  // namespace
}  // namespace pbx::testing
