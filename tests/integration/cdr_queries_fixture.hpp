#pragma once

// Shared set-up of cdr_queries_test: two tenants, 100,000 generated CDRs for tenant A (60 days,
// every disposition and direction, four number prefixes, two extensions, shared timestamps) and
// a few for tenant B, one service, and a token per role.
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace pbx::testing {

using nlohmann::json;

inline constexpr int kSeedRows = 100000;
inline constexpr const char* kExtension1 = "11111111-1111-4111-8111-111111111111";
inline constexpr const char* kZone = "America/New_York";

class CdrQueries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    a_ = new TenantCredentials(bootstrap_tenant(*env_, "reports-a.cloudonix.net"));
    b_ = new TenantCredentials(bootstrap_tenant(*env_, "reports-b.cloudonix.net"));
    auto& pg = TestEnv::get().pg();
    pg.execute("UPDATE tenants SET timezone = '" + std::string(kZone) + "' WHERE id = '" + a_->id +
               "'");
    seed(a_->id, kSeedRows, "a");
    seed(b_->id, 20, "b");
    // The row that CSV must quote: commas, quotes and a line break.
    pg.execute(
        "INSERT INTO cdrs (tenant_id, session_token, started_at, from_number, to_number,"
        " disposition, disposition_raw, raw) VALUES ('" +
        a_->id +
        "', 'quoted-1', '2020-01-02T03:04:05Z', 'Evil, \"Caller\"', '+1999,\"x\"', 'other',"
        " E'NO,\"ANSWER\"\\nline2', '{}')");
    pg.execute("ANALYZE cdrs");
    for (const char* role : {"admin", "reporter", "user"}) {
      pg.execute("WITH u AS (INSERT INTO users (tenant_id, email, role, password_hash) VALUES ('" +
                 a_->id + "', '" + role + "@reports-a', '" + role +
                 "', 'x') RETURNING id) INSERT INTO admin_tokens (tenant_id, user_id,"
                 " token_hash, expires_at) SELECT '" +
                 a_->id + "', id, sha256('token-" + role +
                 "'::bytea), now() + interval '1 hour' FROM u");
    }
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete b_;
    delete a_;
    delete env_;
  }

  // One INSERT ... SELECT: started_at spread over 60 days before 2026-03-01 (pairs of rows
  // share a timestamp, so the id decides their order), numbers under four prefixes.
  static void seed(const std::string& tenant, int rows, const std::string& tag) {
    TestEnv::get().pg().execute(
        "INSERT INTO cdrs (tenant_id, session_token, call_id, started_at, answered_at, ended_at,"
        " from_number, to_number, direction, disposition, disposition_raw, duration, billsec,"
        " answered, cost, extension_id, raw)"
        " SELECT '" +
        tenant + "', '" + tag +
        "-' || g, 'c' || g || '@sip', ts, CASE WHEN disp = 'answered' THEN ts + interval '4 s'"
        " END, ts + make_interval(secs => g % 300),"
        " (ARRAY['+1212555', '+1415555', '+4420755', '+3314455'])[1 + g % 4]"
        "   || lpad((g % 10000)::text, 4, '0'),"
        " CASE WHEN g % 3 = 0 THEN (1000 + g % 50)::text"
        "   ELSE '+1646555' || lpad((g % 9973)::text, 4, '0') END,"
        " (ARRAY['inbound', 'outbound', 'internal', 'unknown'])[1 + (g / 7) % 4], disp,"
        " upper(disp), g % 300,"
        " CASE WHEN disp = 'answered' THEN greatest(g % 300 - 4, 0) ELSE 0 END,"
        " disp = 'answered', CASE WHEN g % 5 <> 0 THEN (g % 100) / 1000.0 END,"
        " CASE WHEN g % 10 = 0 THEN '" +
        std::string(kExtension1) +
        "'::uuid END, '{}'"
        " FROM generate_series(1, " +
        std::to_string(rows) +
        ") AS g,"
        " LATERAL (SELECT timestamptz '2026-03-01T00:00:00Z'"
        "   - make_interval(secs => (g / 2) * 103.68) AS ts,"
        "   (ARRAY['answered', 'busy', 'no_answer', 'cancelled', 'failed', 'other'])"
        "   [1 + (g * 7 / 3) % 6] AS disp) AS x");
  }

  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  static long count(const std::string& where, const std::string& tenant) {
    return std::stol(
        scalar("SELECT count(*) FROM cdrs WHERE tenant_id = '" + tenant + "' AND (" + where + ")"));
  }
  static std::string token(const std::string& role) {
    return role == "owner" ? a_->admin_token : "token-" + role;
  }
  static HttpResponse get(HttpClient& http, const std::string& path,
                          const std::string& bearer = a_->admin_token,
                          std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + bearer;
    return http.request("GET", svc_->base_url() + path, "", headers);
  }
  static json get_json(HttpClient& http, const std::string& path,
                       const std::string& bearer = a_->admin_token) {
    auto r = get(http, path, bearer);
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // Ids of every page of a list, following next_cursor.
  static std::vector<std::string> all_ids(HttpClient& http, const std::string& path) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int pages = 0; pages < 1000; ++pages) {
      auto sep = path.find('?') == std::string::npos ? "?" : "&";
      auto page = get_json(http, path + sep + "limit=500" + cursor);
      if (!page.is_object()) break;
      for (const auto& item : page["data"]) ids.push_back(item["id"]);
      if (page["next_cursor"].is_null()) break;
      cursor = "&cursor=" + page["next_cursor"].get<std::string>();
    }
    return ids;
  }
  static std::string sql_ids(const std::string& where, const std::string& order) {
    return scalar("SELECT coalesce(string_agg(id::text, ',' ORDER BY " + order +
                  "), '') FROM cdrs WHERE tenant_id = '" + a_->id + "' AND (" + where + ")");
  }
  static std::string joined(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
    return out;
  }
  static long rss_kb() {
    std::ifstream in("/proc/" + std::to_string(svc_->pid()) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }
  static HttpResponse post_webhook(HttpClient& http, const std::string& kind, const json& body) {
    auto text = body.dump();
    return http.request("POST", svc_->base_url() + "/api/webhooks/cloudonix/" + kind, text,
                        signed_webhook_headers(a_->webhook_secret, text, a_->domain));
  }

  static Env* env_;
  static TenantCredentials* a_;
  static TenantCredentials* b_;
  static ServiceProcess* svc_;
};

inline Env* CdrQueries::env_ = nullptr;
inline TenantCredentials* CdrQueries::a_ = nullptr;
inline TenantCredentials* CdrQueries::b_ = nullptr;
inline ServiceProcess* CdrQueries::svc_ = nullptr;

}  // namespace pbx::testing
