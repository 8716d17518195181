#pragma once

// Shared set-up of the fault tests: one tenant with a small PBX made through the admin API, the
// real service, and the two loads put on it while servers are killed, stopped and restarted:
// voice calls whose CXML must name the right destination, and signed session updates and CDRs
// (with deliberate duplicates) that their sender retries until it gets a 200.
#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/load.hpp"
#include "support/test_env.hpp"
#include "support/voice.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pbx::testing {

inline constexpr const char* kFaultsDomain = "faults.cloudonix.net";
inline constexpr const char* kExtensionDid = "+12125550100";  // extension 1001
inline constexpr const char* kGroupDid = "+12125550101";      // round robin over 1001, 1002, 1003
// Calls are paced a little: enough of them to see any failure, without starving the service's
// other work on a small (or sanitizer-slowed) machine.
inline constexpr std::chrono::milliseconds kCallPause{2};
inline const std::vector<std::string> kGroupMembers{"Dial[Number:1001]", "Dial[Number:1002]",
                                                    "Dial[Number:1003]"};

// Every request answered 200 and found right, no connection failed, nothing left unanswered.
inline void expect_all_answered_200(const LoadReport& r) {
  EXPECT_EQ(r.problems, 0) << r.describe();
  EXPECT_TRUE(r.failures.empty()) << r.describe();
  EXPECT_EQ(r.count(200), r.exchanges) << r.describe();
  EXPECT_TRUE(r.abandoned.empty()) << r.describe();
}

class Faults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kFaultsDomain));
    auto svc = start_service();
    seed(AdminClient(svc->base_url(), tenant_->admin_token));
  }
  static void TearDownTestSuite() {
    delete tenant_;
    delete env_;
  }

  static std::unique_ptr<ServiceProcess> start_service(int port = 0, const Env& extra = {}) {
    Env env = *env_;
    for (const auto& [k, v] : extra) env[k] = v;
    auto svc = std::make_unique<ServiceProcess>(std::vector<std::string>{"serve"}, env, port);
    svc->wait_healthy();
    return svc;
  }

  static void seed(AdminClient admin) {
    std::vector<nlohmann::json> members;
    for (const char* number : {"1001", "1002", "1003"}) {
      auto ext = admin.post("/api/v1/extensions", {{"number", number}, {"name", number}});
      ASSERT_EQ(ext.status, 201) << ext.body.dump();
      members.push_back({{"extension_id", ext.id()}, {"priority", members.size()}});
      if (members.size() == 1) extension_id_ = ext.id();
    }
    auto group = admin.post("/api/v1/ring-groups", {{"name", "Rotation"},
                                                    {"number", "600"},
                                                    {"strategy", "round_robin"},
                                                    {"members", members}});
    ASSERT_EQ(group.status, 201) << group.body.dump();
    group_id_ = group.id();
    for (const auto& [did, destination] :
         {std::pair{kExtensionDid, nlohmann::json{{"type", "extension"}, {"id", extension_id_}}},
          std::pair{kGroupDid, nlohmann::json{{"type", "ring_group"}, {"id", group_id_}}}}) {
      auto r = admin.post("/api/v1/phone-numbers", {{"number", did}, {"destination", destination}});
      ASSERT_EQ(r.status, 201) << r.body.dump();
    }
  }

  // A new inbound call to `did`, as Cloudonix asks for it.
  static LoadRequest call(const std::string& did, const std::string& call_id) {
    LoadRequest r;
    r.path = "/api/voice/route";
    r.body =
        nlohmann::json{{"CallSid", call_id}, {"Session", call_id},     {"From", "+14155550142"},
                       {"To", did},          {"Direction", "inbound"}, {"Domain", kFaultsDomain}}
            .dump();
    r.headers = {{"Authorization", "Bearer " + tenant_->requests_api_key},
                 {"Content-Type", "application/json"}};
    return r;
  }

  // Calls alternate between the extension's number and the ring group's.
  static LoadRequest any_call(int connection, long n) {
    return call(n % 2 == 0 ? kExtensionDid : kGroupDid,
                "call-" + std::to_string(connection) + "-" + std::to_string(n));
  }

  // Whatever happens to Postgres or Redis, a call is answered 200 with the CXML of its number's
  // destination.
  static std::string check_call(const LoadRequest& req, const RawResponse& res) {
    if (res.status != 200) return "status " + std::to_string(res.status) + ": " + res.body;
    auto type = res.headers.find("content-type");
    if (type == res.headers.end() || type->second != "application/xml; charset=utf-8") {
      return "not CXML: " + res.body;
    }
    auto to = nlohmann::json::parse(req.body)["To"].get<std::string>();
    auto summary = summarize_cxml(res.body);
    if (to == kExtensionDid && summary == kGroupMembers[0]) return "";
    if (to == kGroupDid &&
        std::find(kGroupMembers.begin(), kGroupMembers.end(), summary) != kGroupMembers.end()) {
      return "";
    }
    return "wrong destination for " + to + ": " + res.body;
  }

  // Event n of a connection in run `run`: session updates and CDRs in turn, and every fifth
  // one a deliberate duplicate of the event two before. Keys: "su:<eventId>", "cdr:<token>".
  static LoadRequest webhook(const std::string& run, int connection, long n) {
    long event = n % 5 == 4 ? n - 2 : n;
    auto name = run + std::to_string(connection) + "-" + std::to_string(event);
    LoadRequest r;
    r.retry = true;
    if (event % 2 == 0) {
      r.path = "/api/webhooks/cloudonix/session-update";
      r.body = session_update_payload(kFaultsDomain, name, "ringing", name).dump();
      r.key = "su:" + name;
    } else {
      r.path = "/api/webhooks/cloudonix/cdr";
      r.body = cdr_payload(kFaultsDomain, name).dump();
      r.key = "cdr:" + name;
    }
    r.headers = signed_webhook_headers(tenant_->webhook_secret, r.body, kFaultsDomain);
    return r;
  }

  // A 200 names the outcome and the event's id; a 503 (the database cannot take the event) has
  // docs/api.md's error body; nothing else is acceptable from a healthy sender's webhook.
  static std::string check_webhook(const LoadRequest&, const RawResponse& res) {
    auto body = nlohmann::json::parse(res.body, nullptr, false);
    if (res.status == 200) {
      auto status = body.is_object() ? body.value("status", "") : "";
      if ((status == "processed" || status == "duplicate") && !body.value("id", "").empty()) {
        return "";
      }
    }
    if (res.status == 503 && body.is_object() && body.contains("error")) {
      const auto& e = body["error"];
      auto rid = res.headers.find("x-request-id");
      if (e.value("code", "") == "unavailable" && !e.value("message", "").empty() &&
          e.contains("details") && rid != res.headers.end() && !rid->second.empty() &&
          e.value("request_id", "") == rid->second) {
        return "";
      }
    }
    return "status " + std::to_string(res.status) + ": " + res.body;
  }

  // check_webhook, also counting the answers that say "duplicate".
  static LoadGenerator::Checker check_webhook_counting(std::atomic<long>& duplicates) {
    return [&duplicates](const LoadRequest& req, const RawResponse& res) {
      if (res.status == 200 && res.body.find("\"duplicate\"") != std::string::npos) ++duplicates;
      return check_webhook(req, res);
    };
  }

  // Calls, and the webhooks of run `run`, on one service at once until stopped.
  struct MixedLoad {
    MixedLoad(int port, const std::string& run)
        : calls({port, 3, kCallPause}, any_call, check_call),
          hooks(
              {port, 4}, [run](int c, long n) { return webhook(run, c, n); },
              check_webhook_counting(duplicates)) {}
    std::atomic<long> duplicates{0};
    LoadGenerator calls;
    LoadGenerator hooks;

    // Both loads are being answered before a fault is injected (use with
    // ASSERT_NO_FATAL_FAILURE).
    void warm_up() {
      ASSERT_TRUE(calls.wait_for(200, 100)) << calls.report().describe();
      ASSERT_TRUE(hooks.wait_for(200, 100)) << hooks.report().describe();
    }
  };

  // The keys of run `run` stored in Postgres, each as often as it is stored.
  static std::multiset<std::string> stored_keys(const std::string& run) {
    pqxx::connection c(TestEnv::get().pg().url());
    pqxx::nontransaction tx(c);
    std::multiset<std::string> keys;
    auto rows = tx.exec_params(
        "SELECT 'su:' || (raw->>'eventId') FROM session_events WHERE tenant_id = $1"
        " AND session_token LIKE $2 UNION ALL SELECT 'cdr:' || session_token FROM cdrs"
        " WHERE tenant_id = $1 AND session_token LIKE $2",
        tenant_->id, run + "%");
    for (const auto& row : rows) keys.insert(row[0].as<std::string>());
    return keys;
  }

  // Every event of the run is stored exactly once, and the stored ones are exactly those whose
  // sender got a 200: none acknowledged and lost, none stored behind its sender's back.
  static void expect_stored_once(const std::string& run, const LoadReport& report) {
    auto stored = stored_keys(run);
    std::set<std::string> distinct(stored.begin(), stored.end());
    EXPECT_EQ(distinct.size(), stored.size()) << "an event is stored twice";
    std::vector<std::string> missing;
    std::set_difference(report.acknowledged.begin(), report.acknowledged.end(), distinct.begin(),
                        distinct.end(), std::back_inserter(missing));
    EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged events are not stored, e.g. "
                                 << missing.front();
    std::vector<std::string> unanswered;
    std::set_difference(distinct.begin(), distinct.end(), report.acknowledged.begin(),
                        report.acknowledged.end(), std::back_inserter(unanswered));
    EXPECT_TRUE(unanswered.empty())
        << unanswered.size() << " events are stored but their sender got no 200, e.g. "
        << unanswered.front();
    EXPECT_FALSE(report.acknowledged.empty());
  }

  static std::string redis_keys(const std::string& pattern) {
    return TestEnv::get().redis().cli("--scan --pattern '" + pattern + "'");
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline std::string extension_id_;
  static inline std::string group_id_;
};

}  // namespace pbx::testing
