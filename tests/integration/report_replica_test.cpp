// Report reads from a real streaming replica (a pg_basebackup of the test primary): CDR lists,
// stats and exports read it while it keeps up, and the primary while it trails too far or is
// down, with no request failing on the way.
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kMaxLagMs = "3000";

class ReportReplica : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto env = TestEnv::get().migrated_env();
    tenant_ = new TenantCredentials(bootstrap_tenant(env, "replica.cloudonix.net"));
    replica_ = PgServer::standby_of(TestEnv::get().pg()).release();
    env["PBX_DATABASE_REPLICA_URL"] = replica_->url();
    env["PBX_DATABASE_REPLICA_MAX_LAG_MS"] = kMaxLagMs;
    svc_ = new ServiceProcess({"serve"}, env);
    svc_->wait_healthy();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete replica_;
    delete tenant_;
  }

  // A CDR stored on the primary only; the replica gets it by streaming.
  static void add_cdr(const std::string& session) {
    TestEnv::get().pg().execute(
        "INSERT INTO cdrs (tenant_id, session_token, started_at, from_number, to_number,"
        " disposition, disposition_raw, raw) VALUES ('" +
        tenant_->id + "', '" + session +
        "', now() - interval '1 minute', '+12125550100', '1001',"
        " 'answered', 'ANSWER', '{}')");
  }

  static HttpResponse get(const std::string& path) {
    HttpClient http;
    return http.get(svc_->base_url() + path, {{"Authorization", "Bearer " + tenant_->admin_token}});
  }

  // Whether each report answers 200 and shows the CDR of `session`.
  static bool list_shows(const std::string& session) {
    auto r = get("/api/v1/cdrs?limit=500");
    EXPECT_EQ(r.status, 200) << r.body;
    auto body = json::parse(r.body, nullptr, false);
    if (!body.is_object()) return false;
    for (const auto& cdr : body["data"]) {
      if (cdr["session_token"] == session) return true;
    }
    return false;
  }
  static bool export_shows(const std::string& session) {
    auto r = get("/api/v1/cdrs?format=csv");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body.find("," + session + ",") != std::string::npos;
  }
  static long stats_total() {
    auto r = get("/api/v1/cdrs/stats");
    EXPECT_EQ(r.status, 200) << r.body;
    auto body = json::parse(r.body, nullptr, false);
    return body.is_object() ? body.value("total", -1L) : -1L;
  }
  static long cdrs_on_primary() {
    return std::stol(TestEnv::get().pg().query_scalar(
        "SELECT count(*) FROM cdrs WHERE tenant_id = '" + tenant_->id + "'"));
  }

  // A series of /metrics ("" when absent).
  static std::string metric(const std::string& series) {
    HttpClient http;
    auto body = http.get(svc_->base_url() + "/metrics").body;
    auto at = body.find("\n" + series + " ");
    if (at == std::string::npos) return "";
    auto start = at + series.size() + 2;
    return body.substr(start, body.find('\n', start) - start);
  }
  static bool replica_in_use() { return metric("pbx_replica_in_use") == "1"; }
  static long replica_reads() {
    auto v = metric("pbx_report_reads_total{database=\"replica\"}");
    return v.empty() ? 0 : std::stol(v);
  }

  static inline TenantCredentials* tenant_ = nullptr;
  static inline PgServer* replica_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
};

TEST_F(ReportReplica, ReportsReadTheReplicaAndThePrimaryOnceItTrailsTooFar) {
  add_cdr("replica-1");
  ASSERT_TRUE(eventually([] { return replica_in_use() && list_shows("replica-1"); }))
      << svc_->log_text();
  EXPECT_TRUE(export_shows("replica-1"));
  EXPECT_EQ(stats_total(), cdrs_on_primary());
  auto reads = replica_reads();
  EXPECT_GE(reads, 3);

  // Replay stops: a CDR stored now is on the primary alone. Until the replica trails by more
  // than the bound, reports keep reading it and do not show that CDR: they come from the replica.
  replica_->execute("SELECT pg_wal_replay_pause()");
  add_cdr("replica-2");
  EXPECT_FALSE(list_shows("replica-2"));
  EXPECT_GT(replica_reads(), reads);

  // Beyond the bound they read the primary, which has it.
  ASSERT_TRUE(eventually([] { return list_shows("replica-2"); }, std::chrono::seconds(20)))
      << svc_->log_text();
  EXPECT_FALSE(replica_in_use());
  EXPECT_TRUE(export_shows("replica-2"));
  EXPECT_EQ(stats_total(), cdrs_on_primary());
  EXPECT_NE(svc_->log_text().find("report reads go to the primary"), std::string::npos);

  // Replay resumes: the replica catches up and serves again.
  replica_->execute("SELECT pg_wal_replay_resume()");
  ASSERT_TRUE(eventually(replica_in_use, std::chrono::seconds(20))) << svc_->log_text();
  reads = replica_reads();
  EXPECT_TRUE(list_shows("replica-2"));
  EXPECT_GT(replica_reads(), reads);
}

TEST_F(ReportReplica, AStoppedReplicaCostsNoRequest) {
  ASSERT_TRUE(eventually(replica_in_use, std::chrono::seconds(20))) << svc_->log_text();
  replica_->stop();
  // Stored after the replica stopped, so only the primary can show it; the service has not
  // noticed yet, so the first reads fail over inside the request.
  add_cdr("replica-3");
  EXPECT_TRUE(list_shows("replica-3"));
  EXPECT_TRUE(export_shows("replica-3"));
  EXPECT_EQ(stats_total(), cdrs_on_primary());
  EXPECT_TRUE(eventually([] { return !replica_in_use(); }));

  replica_->start();
  ASSERT_TRUE(eventually(replica_in_use, std::chrono::seconds(30))) << svc_->log_text();
  auto reads = replica_reads();
  EXPECT_TRUE(list_shows("replica-3"));
  EXPECT_GT(replica_reads(), reads);
}

}  // namespace
}  // namespace pbx::testing
