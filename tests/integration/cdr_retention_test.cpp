// CDRs age out per tenant, with their calls and session updates, in small batches that never
// wait for ingest, and the rollups follow them exactly; against real Postgres.
#include "cdr/retention.hpp"
#include "store/pg.hpp"
#include "store/retention.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <chrono>
#include <string>

namespace pbx::testing {
namespace {

class CdrRetention : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    a_ = new TenantCredentials(bootstrap_tenant(*env_, "retention-a.cloudonix.net"));
    b_ = new TenantCredentials(bootstrap_tenant(*env_, "retention-b.cloudonix.net"));
    pg_ = new store::PgPool({env_->at("PBX_DATABASE_URL"), 4}, cdr::cdr_retention_statements());
  }
  static void TearDownTestSuite() {
    delete pg_;
    delete b_;
    delete a_;
    delete env_;
  }
  void SetUp() override {
    for (const char* table : {"cdrs", "calls", "session_events"}) {
      execute(std::string("DELETE FROM ") + table);
    }
    execute("UPDATE tenants SET cdr_retention_days = NULL");
  }

  static void execute(const std::string& sql) { TestEnv::get().pg().execute(sql); }
  static long long number(const std::string& sql) {
    return std::stoll(TestEnv::get().pg().query_scalar(sql));
  }
  // `n` calls of the tenant that began `days` ago (spread over the hour before), each with a
  // CDR, a calls row and two session updates; their session tokens start with `tag`.
  static void add_calls(const std::string& tenant, const std::string& tag, int n, int days) {
    auto series = " FROM generate_series(1, " + std::to_string(n) + ") AS g";
    auto started = "now() - interval '" + std::to_string(days) + " days' - g * interval '1 s'";
    auto token = "'" + tag + "-' || g";
    execute(
        "INSERT INTO cdrs (tenant_id, session_token, started_at, from_number, to_number,"
        " direction, disposition, disposition_raw, duration, billsec, answered, raw) SELECT '" +
        tenant + "', " + token + ", " + started +
        ", '+12125550100', '1001', (ARRAY['inbound', 'outbound'])[1 + g % 2],"
        " (ARRAY['answered', 'busy', 'no_answer'])[1 + g % 3], 'X', g % 60, g % 30, g % 3 = 0,"
        " '{}'" +
        series);
    execute("INSERT INTO calls (tenant_id, session_token, created_at) SELECT '" + tenant + "', " +
            token + ", " + started + series);
    execute(
        "INSERT INTO session_events (tenant_id, session_token, dedupe_key, status, raw,"
        " received_at) SELECT '" +
        tenant + "', " + token + ", " + token + " || '-' || s, 'ringing', '{}', " + started +
        series + ", generate_series(1, 2) AS s");
  }
  static long long rows(const std::string& table, const std::string& tenant,
                        const std::string& tag) {
    return number("SELECT count(*) FROM " + table + " WHERE tenant_id = '" + tenant +
                  "' AND session_token LIKE '" + tag + "-%'");
  }
  // The rollups' count of calls of the tenant, whatever disposition.
  static long long rolled_up(const std::string& tenant) {
    return number(
        "SELECT coalesce(sum(answered_calls + busy_calls + no_answer_calls + cancelled_calls"
        " + failed_calls + other_calls), 0) FROM cdr_rollups WHERE tenant_id = '" +
        tenant + "'");
  }
  static store::Retention job(int keep_days, int batch = 100) {
    return {*pg_, {cdr::cdr_rows(keep_days)}, {batch, std::chrono::milliseconds(1)}};
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* a_ = nullptr;
  static inline TenantCredentials* b_ = nullptr;
  static inline store::PgPool* pg_ = nullptr;
};

TEST_F(CdrRetention, OnlyExpiredCallsGoEachTenantByItsOwnPeriod) {
  execute("UPDATE tenants SET cdr_retention_days = 10 WHERE id = '" + a_->id + "'");
  add_calls(a_->id, "a-old", 300, 12);
  add_calls(a_->id, "a-new", 50, 8);
  add_calls(b_->id, "b-old", 200, 40);
  add_calls(b_->id, "b-new", 20, 12);  // older than a's period, within the default
  ASSERT_EQ(rolled_up(a_->id), 350);

  auto retention = job(30);
  EXPECT_EQ(retention.run_once(), 500U);
  for (const char* table : {"cdrs", "calls", "session_events"}) {
    EXPECT_EQ(rows(table, a_->id, "a-old"), 0) << table;
    EXPECT_EQ(rows(table, b_->id, "b-old"), 0) << table;
  }
  EXPECT_EQ(rows("cdrs", a_->id, "a-new"), 50);
  EXPECT_EQ(rows("calls", a_->id, "a-new"), 50);
  EXPECT_EQ(rows("session_events", a_->id, "a-new"), 100);
  EXPECT_EQ(rows("cdrs", b_->id, "b-new"), 20);
  EXPECT_EQ(rows("calls", b_->id, "b-new"), 20);
  EXPECT_EQ(rows("session_events", b_->id, "b-new"), 40);

  // The rollups count what is left, and keep no row for the expired hours.
  EXPECT_EQ(rolled_up(a_->id), 50);
  EXPECT_EQ(rolled_up(b_->id), 20);
  EXPECT_EQ(number("SELECT count(*) FROM cdr_rollups WHERE tenant_id = '" + a_->id +
                   "' AND hour < now() - interval '11 days'"),
            0);
  EXPECT_EQ(retention.run_once(), 0U);
}

TEST_F(CdrRetention, CallsHeldByAnotherTransactionAreSkippedNotWaitedFor) {
  add_calls(a_->id, "held", 10, 50);
  // Another transaction holds one expired CDR (as an instance removing it would).
  pqxx::connection holder(env_->at("PBX_DATABASE_URL"));
  pqxx::work held(holder);
  held.exec("SELECT id FROM cdrs WHERE tenant_id = '" + a_->id +
            "' ORDER BY started_at LIMIT 1 FOR UPDATE");
  auto retention = job(30);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(retention.run_once(), 9U);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  held.abort();
  EXPECT_EQ(retention.run_once(), 1U);
  EXPECT_EQ(rows("calls", a_->id, "held"), 0);
  EXPECT_EQ(rolled_up(a_->id), 0);
}

TEST_F(CdrRetention, TheServiceRunsItInTheBackground) {
  add_calls(b_->id, "bg-old", 40, 9);
  add_calls(b_->id, "bg-new", 5, 3);
  Env env = *env_;
  env["PBX_CDR_RETENTION_DAYS"] = "7";
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();
  EXPECT_TRUE(eventually([] { return rows("cdrs", b_->id, "bg-old") == 0; }))
      << rows("cdrs", b_->id, "bg-old");
  EXPECT_EQ(rows("cdrs", b_->id, "bg-new"), 5);
  EXPECT_EQ(rows("calls", b_->id, "bg-old"), 0);
  HttpClient http;
  auto metrics = http.get(svc.base_url() + "/metrics").body;
  EXPECT_NE(metrics.find("pbx_cdr_removed_total 40"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace pbx::testing
