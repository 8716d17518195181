// The webhook writer against real Postgres and Redis: Postgres, not a Redis marker, decides
// that an event is already stored, and a statement timeout fails only the job that caused it.
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"
#include "webhooks/store.hpp"

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

// While it exists, inserting a CDR whose session token is "sleep:<seconds>:..." sleeps that
// long (past the statement timeout, or not) and counts one attempt.
class SleepTrigger {
 public:
  SleepTrigger() {
    TestEnv::get().pg().execute(
        "CREATE SEQUENCE test_sleep_attempts;"
        " CREATE FUNCTION test_sleep_on_token() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM nextval('test_sleep_attempts');"
        " PERFORM pg_sleep(split_part(NEW.session_token, ':', 2)::float8); RETURN NEW; END $$;"
        " CREATE TRIGGER test_sleep_on_token BEFORE INSERT ON cdrs FOR EACH ROW"
        " WHEN (NEW.session_token LIKE 'sleep:%') EXECUTE FUNCTION test_sleep_on_token()");
  }
  ~SleepTrigger() {
    TestEnv::get().pg().execute(
        "DROP TRIGGER test_sleep_on_token ON cdrs; DROP FUNCTION test_sleep_on_token();"
        " DROP SEQUENCE test_sleep_attempts");
  }
  SleepTrigger(const SleepTrigger&) = delete;
  SleepTrigger& operator=(const SleepTrigger&) = delete;

  // Rows that began to sleep so far (in transactions committed or not).
  static int attempts() {
    return std::stoi(TestEnv::get().pg().query_scalar(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM test_sleep_attempts"));
  }
};

class WebhookWriter : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    other_ = new TenantCredentials(bootstrap_tenant(*env_, kOtherDomain));
    Env env = *env_;
    // One writer, so that what queues while it writes a batch is its next batch.
    env["PBX_WEBHOOK_WRITERS"] = "1";
    env["PBX_DB_STATEMENT_TIMEOUT_MS"] = "2000";
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

  // A job slow but within the timeout ("sleep:1.0:..." under a timeout of 2 s) holds the only
  // writer while the next batch queues behind it: the jobs posted before it is answered are one
  // batch.
  static std::future<HttpResponse> hold_the_writer(const std::string& token) {
    auto held = std::async(std::launch::async,
                           [token] { return post(*tenant_, "cdr", cdr_payload(kDomain, token)); });
    EXPECT_TRUE(eventually([&] {
      return scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") == "1";
    }));
    return held;
  }
  static std::future<HttpResponse> post_async(const TenantCredentials& tenant,
                                              const std::string& kind, const json& body) {
    return std::async(std::launch::async,
                      [&tenant, kind, body] { return post(tenant, kind, body); });
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
  auto statements = webhooks::webhook_statements();
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

// One job of a batch runs past the statement timeout: the batch is written again job by job,
// the other jobs (another tenant's among them) are stored, and only the slow one is answered
// 503, so that its sender retries it.
TEST_F(WebhookWriter, AStatementTimeoutFailsOnlyTheJobThatCausedIt) {
  SleepTrigger trigger;
  auto holder = unique_name("sleep:1.0:");
  auto held = hold_the_writer(holder);
  auto slow = unique_name("sleep:60:");
  std::map<std::string, std::string> table = {{slow, "cdrs"}};
  std::map<std::string, std::future<HttpResponse>> answers;
  answers[slow] = post_async(*tenant_, "cdr", cdr_payload(kDomain, slow));
  for (int i = 0; i < 2; ++i) {
    auto mine = unique_name("fast-");
    table[mine] = "cdrs";
    answers[mine] = post_async(*tenant_, "cdr", cdr_payload(kDomain, mine));
    auto theirs = unique_name("fast-");
    table[theirs] = "session_events";
    answers[theirs] = post_async(*other_, "session-update",
                                 session_update_payload(kOtherDomain, theirs, "ringing", theirs));
  }

  EXPECT_EQ(status_of(held.get()), "processed");
  EXPECT_EQ(count("cdrs", holder), "1");
  for (auto& [token, answer] : answers) {
    auto r = answer.get();
    if (token == slow) {
      EXPECT_EQ(status_of(r), "503 unavailable") << r.body;
      EXPECT_EQ(count("cdrs", token), "0");
    } else {
      EXPECT_EQ(status_of(r), "processed") << token << ": " << r.body;
      EXPECT_EQ(count(table[token], token), "1") << token;
    }
  }
  // They were one batch: it timed out, then its jobs were written one by one.
  EXPECT_NE(svc_->log_text().find("webhook batch of 5 failed (database timeout)"),
            std::string::npos)
      << svc_->log_text();
  // The slow one was tried in the batch and once alone.
  EXPECT_EQ(SleepTrigger::attempts(), 3);
}

// When a second job of a batch times out alone, the database is slow for every job: the jobs
// not yet tried are answered 503 at once instead of each waiting for its own timeout.
TEST_F(WebhookWriter, ASecondJobTimingOutAloneAnswersTheRestAtOnce) {
  SleepTrigger trigger;
  auto holder = unique_name("sleep:1.0:");
  auto held = hold_the_writer(holder);
  std::vector<std::future<HttpResponse>> answers;
  for (int i = 0; i < 2; ++i) {
    answers.push_back(post_async(*tenant_, "cdr", cdr_payload(kDomain, unique_name("sleep:60:"))));
    answers.push_back(
        post_async(*other_, "cdr", cdr_payload(kOtherDomain, unique_name("sleep:60:"))));
  }
  EXPECT_EQ(status_of(held.get()), "processed");
  for (auto& answer : answers) EXPECT_EQ(status_of(answer.get()), "503 unavailable");
  EXPECT_NE(svc_->log_text().find("webhook batch of 4 failed (database timeout)"),
            std::string::npos)
      << svc_->log_text();
  // The holder, the batch, then two of its four jobs alone.
  EXPECT_EQ(SleepTrigger::attempts(), 4);
}

// A job that timed out is stored when its sender retries it once it is no longer slow.
TEST_F(WebhookWriter, AJobThatTimedOutIsStoredWhenRetried) {
  auto token = unique_name("sleep:60:");
  {
    SleepTrigger trigger;
    EXPECT_EQ(status_of(post(*tenant_, "cdr", cdr_payload(kDomain, token))), "503 unavailable");
    EXPECT_EQ(SleepTrigger::attempts(), 1);
  }
  EXPECT_EQ(status_of(post(*tenant_, "cdr", cdr_payload(kDomain, token))), "processed");
  EXPECT_EQ(count("cdrs", token), "1");
}

}  // namespace
}  // namespace pbx::testing
