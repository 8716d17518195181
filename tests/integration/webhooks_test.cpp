// The webhook plane against real Postgres and Redis: authentication, exactly-once storage,
// outages, dead letters and replay, forward-only call state, stream fan-out.
#include "admin/activity.hpp"
#include "cloudonix/signature.hpp"
#include "core/crypto.hpp"
#include "core/secret_box.hpp"
#include "store/sealed_columns.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"
#include "support/webhook_payloads.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <future>
#include <thread>

namespace pbx::testing {
namespace {

using nlohmann::json;

constexpr const char* kDomain = "hooks.cloudonix.net";

json session_update(const std::string& token, const std::string& status,
                    const std::string& event_id,
                    const std::string& modified = "2026-03-04T10:30:02Z") {
  return session_update_payload(kDomain, token, status, event_id, modified);
}

json cdr(const std::string& token, const std::string& disposition = "ANSWER") {
  return cdr_payload(kDomain, token, disposition);
}

class Webhooks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    // The signature alone, so that the key-only refusals below are the mode's doing.
    TestEnv::get().pg().execute("UPDATE tenants SET webhook_auth = 'hmac' WHERE id = '" +
                                tenant_->id + "'");
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete tenant_;
    delete env_;
  }

  static std::string url(const std::string& kind) {
    return svc_->base_url() + "/api/webhooks/cloudonix/" + kind;
  }

  // Signs as the tenant's sender does: HMAC over "<timestamp>.<body>".
  static HttpResponse post_signed(HttpClient& http, const std::string& kind,
                                  const std::string& body, const std::string& secret, int64_t ts,
                                  const std::map<std::string, std::string>& extra = {}) {
    auto headers = signed_webhook_headers(secret, body, kDomain, ts);
    for (const auto& [name, value] : extra) headers[name] = value;
    return http.request("POST", url(kind), body, headers);
  }
  static HttpResponse post(HttpClient& http, const std::string& kind, const json& body) {
    return post_signed(http, kind, body.dump(), tenant_->webhook_secret, unix_now());
  }
  static std::string status_of(const HttpResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("status") ? j["status"].get<std::string>() : "?" + r.body;
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }

  // A tenant of its own, for tests that delete it.
  struct OtherTenant {
    std::string domain;
    TenantCredentials credentials;

    HttpResponse post(HttpClient& http, const std::string& kind, const json& body) const {
      auto text = body.dump();
      return http.request("POST", url(kind), text,
                          signed_webhook_headers(credentials.webhook_secret, text, domain));
    }
    // Once the service has learnt of the tenant (within a second of its creation).
    bool known(HttpClient& http) const {
      return eventually([&] {
        return status_of(post(http, "cdr", cdr_payload(domain, unique_name("k-")))) == "processed";
      });
    }
    std::string rows(const std::string& table) const {
      return TestEnv::get().pg().query_scalar("SELECT count(*) FROM " + table +
                                              " WHERE tenant_id = '" + credentials.id + "'");
    }
  };

  static Env* env_;
  static TenantCredentials* tenant_;
  static ServiceProcess* svc_;
};

Env* Webhooks::env_ = nullptr;
TenantCredentials* Webhooks::tenant_ = nullptr;
ServiceProcess* Webhooks::svc_ = nullptr;

TEST_F(Webhooks, SignatureAcceptedAndEveryBadFormRefused) {
  HttpClient http;
  auto body = cdr(unique_name("sig-")).dump();
  auto secret = tenant_->webhook_secret;

  auto valid = post_signed(http, "cdr", body, secret, unix_now());
  EXPECT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(status_of(valid), "processed");

  auto s = cloudonix::sign(secret, body, unix_now());
  std::string altered = body;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'a' ? 'b' : 'a';
  auto r = http.request("POST", url("cdr"), altered,
                        {{"Content-Type", "application/json"},
                         {"X-CX-Domain", "hooks.cloudonix.net"},
                         {"X-Cloudonix-Signature", s.signature},
                         {"X-Cloudonix-Timestamp", s.timestamp}});
  EXPECT_EQ(r.status, 401) << "altered body";

  EXPECT_EQ(
      post_signed(http, "cdr", cdr(unique_name("w-")).dump(), "pbxw_wrong", unix_now()).status,
      401);
  auto stale = post_signed(http, "cdr", cdr(unique_name("st-")).dump(), secret, unix_now() - 301);
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(json::parse(stale.body)["error"]["code"], "stale_timestamp");
  EXPECT_EQ(
      post_signed(http, "cdr", cdr(unique_name("fu-")).dump(), secret, unix_now() + 301).status,
      400);
  EXPECT_EQ(
      post_signed(http, "cdr", cdr(unique_name("ok-")).dump(), secret, unix_now() - 250).status,
      200);

  auto unsigned_body = cdr(unique_name("un-")).dump();
  EXPECT_EQ(
      http.request("POST", url("cdr"), unsigned_body,
                   {{"Content-Type", "application/json"}, {"X-CX-Domain", "hooks.cloudonix.net"}})
          .status,
      401);
  // The untimestamped (OPBX) form is refused unless the tenant allows it.
  auto opbx = cloudonix::sign(secret, unsigned_body, std::nullopt);
  std::map<std::string, std::string> opbx_headers = {{"Content-Type", "application/json"},
                                                     {"X-CX-Domain", "hooks.cloudonix.net"},
                                                     {"X-Cloudonix-Signature", opbx.signature}};
  EXPECT_EQ(http.request("POST", url("cdr"), unsigned_body, opbx_headers).status, 401);
  // Unknown domain, no key: 401 without a tenant.
  EXPECT_EQ(post_signed(http, "cdr", cdr(unique_name("x-")).dump(), secret, unix_now(),
                        {{"X-CX-Domain", "nobody.cloudonix.net"}})
                .status,
            401);
  EXPECT_EQ(http.request("POST", url("cdr"), cdr(unique_name("ct-")).dump(), {}).status, 415);
  // The payload's domain names the tenant when the header is absent.
  auto payload_body = cdr(unique_name("pd-")).dump();
  auto ps = cloudonix::sign(secret, payload_body, unix_now());
  auto r3 = http.request("POST", url("cdr"), payload_body,
                         {{"Content-Type", "application/json"},
                          {"X-Cloudonix-Signature", ps.signature},
                          {"X-Cloudonix-Timestamp", ps.timestamp}});
  EXPECT_EQ(r3.status, 200) << r3.body;

  // Rejections are logged (the log holds no bodies at all).
  EXPECT_NE(
      scalar(
          "SELECT count(*) FROM webhook_events WHERE outcome = 'rejected' AND http_status = 401"),
      "0");
  // Nothing secret reaches the log.
  auto log = svc_->log_text();
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_EQ(log.find(s.signature.substr(7)), std::string::npos);
}

TEST_F(Webhooks, RotatedSecretAndUntimestampedFormWhenAllowed) {
  HttpClient http;
  auto& pg = TestEnv::get().pg();
  pg.execute(
      "UPDATE webhook_secrets SET expires_at = now() + interval '1 hour' WHERE tenant_id = '" +
      tenant_->id + "'");
  // Stored as pbxd stores them: sealed, bound to their tenant and row.
  auto insert_secret = [&](const std::string& secret, const std::string& expires_at) {
    crypto::SecretBox box({crypto::from_hex(kSecretKey).value()});
    auto id = crypto::uuid_v4();
    pg.execute("INSERT INTO webhook_secrets (id, tenant_id, secret, expires_at) VALUES ('" + id +
               "', '" + tenant_->id + "', '" +
               box.seal(secret, store::webhook_secret_context(tenant_->id, id)) + "', " +
               expires_at + ")");
  };
  insert_secret("pbxw_rotated", "NULL");
  insert_secret("pbxw_expired", "now() - interval '1 second'");
  pg.execute("UPDATE tenants SET allow_untimestamped = true WHERE id = '" + tenant_->id + "'");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the directory polls every 0.5 s

  EXPECT_EQ(
      post_signed(http, "cdr", cdr(unique_name("new-")).dump(), "pbxw_rotated", unix_now()).status,
      200);
  EXPECT_EQ(
      post_signed(http, "cdr", cdr(unique_name("old-")).dump(), tenant_->webhook_secret, unix_now())
          .status,
      200);
  EXPECT_EQ(
      post_signed(http, "cdr", cdr(unique_name("exp-")).dump(), "pbxw_expired", unix_now()).status,
      401);
  auto body = cdr(unique_name("opbx-")).dump();
  auto s = cloudonix::sign("pbxw_rotated", body, std::nullopt);
  auto r = http.request("POST", url("cdr"), body,
                        {{"Content-Type", "application/json"},
                         {"X-CX-Domain", "hooks.cloudonix.net"},
                         {"X-Cloudonix-Signature", s.signature}});
  EXPECT_EQ(r.status, 200) << r.body;
  pg.execute("UPDATE tenants SET allow_untimestamped = false WHERE id = '" + tenant_->id + "'");
}

TEST_F(Webhooks, BearerModeUsesTheRequestsKeyOnly) {
  auto other = bootstrap_tenant(*env_, "bearer.cloudonix.net");
  TestEnv::get().pg().execute("UPDATE tenants SET webhook_auth = 'bearer' WHERE id = '" + other.id +
                              "'");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  HttpClient http;
  auto body = cdr(unique_name("b-")).dump();
  auto ok = http.request("POST", url("cdr"), body,
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + other.requests_api_key}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto via_header =
      http.request("POST", url("cdr"), cdr(unique_name("b-")).dump(),
                   {{"Content-Type", "application/json"}, {"X-CX-APIKey", other.requests_api_key}});
  EXPECT_EQ(via_header.status, 200);
  // HMAC is not enough for a bearer-mode tenant, and a wrong key is refused.
  EXPECT_EQ(post_signed(http, "cdr", cdr(unique_name("b-")).dump(), other.webhook_secret,
                        unix_now(), {{"X-CX-Domain", "bearer.cloudonix.net"}})
                .status,
            401);
  EXPECT_EQ(
      http.request("POST", url("cdr"), body,
                   {{"Content-Type", "application/json"}, {"Authorization", "Bearer pbxk_nope"}})
          .status,
      401);
  // The hmac tenant's key alone is not accepted either.
  EXPECT_EQ(http.request("POST", url("cdr"), cdr(unique_name("b-")).dump(),
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + tenant_->requests_api_key}})
                .status,
            401);
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE tenant_id = '" + other.id + "'"), "2");
}

TEST_F(Webhooks, SequentialDuplicatesAreStoredOnce) {
  HttpClient http;
  auto token = unique_name("dup-");
  auto first = post(http, "cdr", cdr(token));
  auto second = post(http, "cdr", cdr(token));
  EXPECT_EQ(status_of(first), "processed");
  EXPECT_EQ(status_of(second), "duplicate");
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token = '" + token + "'"), "1");
  auto event = unique_name("ev-");
  EXPECT_EQ(status_of(post(http, "session-update", session_update(token, "ringing", event))),
            "processed");
  EXPECT_EQ(status_of(post(http, "session-update", session_update(token, "ringing", event))),
            "duplicate");
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + token + "'"),
            "1");
  // Without eventId the key is session + status + modification time.
  auto plain = session_update(token, "connected", "");
  plain.erase("eventId");
  EXPECT_EQ(status_of(post(http, "session-update", plain)), "processed");
  EXPECT_EQ(status_of(post(http, "session-update", plain)), "duplicate");
}

// Ids of the webhook rows are version 7 (time-ordered) UUIDs made by the service, so that
// inserts append to the primary key indexes; the id answered is the webhook_events row's.
TEST_F(Webhooks, StoredRowsHaveTimeOrderedIds) {
  HttpClient http;
  auto token = unique_name("v7-");
  auto update = post(http, "session-update", session_update(token, "ringing", unique_name("ev-")));
  auto record = post(http, "cdr", cdr(token));
  ASSERT_EQ(status_of(update), "processed");
  ASSERT_EQ(status_of(record), "processed");
  auto answered = [](const HttpResponse& r) {
    return json::parse(r.body)["id"].get<std::string>();
  };
  auto version = [](const std::string& id) { return id.substr(14, 1); };
  EXPECT_EQ(version(answered(update)), "7");
  EXPECT_LT(answered(update), answered(record));
  EXPECT_EQ(scalar("SELECT count(*) FROM webhook_events WHERE id IN ('" + answered(update) +
                   "', '" + answered(record) + "')"),
            "2");
  auto where = " WHERE session_token = '" + token + "'";
  auto event_id = scalar("SELECT id FROM session_events" + where);
  auto cdr_id = scalar("SELECT id FROM cdrs" + where);
  EXPECT_EQ(version(event_id), "7");
  EXPECT_EQ(version(cdr_id), "7");
  EXPECT_EQ(version(scalar("SELECT id FROM calls" + where)), "7");
  EXPECT_LT(event_id, cdr_id);
}

// The listings, newest first, read their ascending (append-friendly) indexes backwards: no
// sort and no table scan (migration 0007).
TEST_F(Webhooks, NewestFirstListingsReadTheirIndexesBackwards) {
  const std::map<std::string, std::string> args = {
      {"activity_webhook_events", "NULL, NULL, NULL, NULL, 50, false"},
      {"activity_active_calls", "NULL, NULL, 50"}};
  int checked = 0;
  for (const auto& st : admin::activity_statements()) {
    auto it = args.find(st.name);
    if (it == args.end()) continue;
    auto plan = scalar("SET enable_seqscan = off; SET enable_bitmapscan = off; PREPARE p AS " +
                       std::string(st.sql) + "; EXPLAIN (FORMAT JSON) EXECUTE p('" + tenant_->id +
                       "', " + it->second + ")");
    EXPECT_NE(plan.find(R"("Scan Direction": "Backward")"), std::string::npos) << st.name << plan;
    EXPECT_EQ(plan.find(R"("Node Type": "Sort")"), std::string::npos) << st.name << plan;
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << st.name << plan;
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST_F(Webhooks, ConcurrentCopiesOnTwoInstancesAreStoredOnce) {
  ServiceProcess second({"serve"}, *env_);
  second.wait_healthy();
  std::vector<std::string> tokens(40);
  for (auto& t : tokens) t = unique_name("cc-");
  auto blast = [&](const std::string& base) {
    HttpClient http;
    std::map<std::string, int> statuses;
    for (const auto& t : tokens) {
      auto body = cdr(t).dump();
      auto r = http.request("POST", base + "/api/webhooks/cloudonix/cdr", body,
                            signed_webhook_headers(tenant_->webhook_secret, body, kDomain));
      statuses[status_of(r)]++;
    }
    return statuses;
  };
  std::vector<std::future<std::map<std::string, int>>> runs;
  runs.reserve(4);
  for (int i = 0; i < 4; ++i) {
    runs.push_back(
        std::async(std::launch::async, blast, i % 2 == 0 ? svc_->base_url() : second.base_url()));
  }
  int processed = 0;
  int duplicates = 0;
  for (auto& r : runs) {
    auto s = r.get();
    processed += s["processed"];
    duplicates += s["duplicate"];
  }
  EXPECT_EQ(processed, 40);
  EXPECT_EQ(duplicates, 120);
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token LIKE 'cc-%'"), "40");
}

TEST_F(Webhooks, RedisDownStillStoresExactlyOnce) {
  auto& redis = TestEnv::get().redis();
  redis.stop();
  HttpClient http;
  auto token = unique_name("nr-");
  EXPECT_EQ(status_of(post(http, "cdr", cdr(token))), "processed");
  EXPECT_EQ(status_of(post(http, "cdr", cdr(token))), "duplicate");
  redis.start();
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token = '" + token + "'"), "1");
  // After Redis returns, markers and stream entries resume without a restart.
  auto after = unique_name("nr2-");
  for (int i = 0;
       i < 30 && status_of(post(http, "cdr", cdr(after + std::to_string(i)))) != "processed"; ++i) {
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto next = unique_name("nr3-");
  EXPECT_EQ(status_of(post(http, "cdr", cdr(next))), "processed");
  EXPECT_EQ(redis.cli("EXISTS pbx:wh:" + tenant_->id + ":cdr:" + next), "1\n");
}

TEST_F(Webhooks, PostgresDownAnswers503ThenStoresTheRetryOnce) {
  auto& pg = TestEnv::get().pg();
  HttpClient http;
  auto token = unique_name("pgd-");
  auto body = cdr(token).dump();
  pg.stop();
  auto down = post_signed(http, "cdr", body, tenant_->webhook_secret, unix_now());
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(json::parse(down.body)["error"]["code"], "unavailable");
  pg.start();
  HttpResponse retry;
  eventually(
      [&] {
        retry = post_signed(http, "cdr", body, tenant_->webhook_secret, unix_now());
        return retry.status == 200;
      },
      std::chrono::seconds(5));
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(status_of(retry), "processed");
  EXPECT_EQ(status_of(post_signed(http, "cdr", body, tenant_->webhook_secret, unix_now())),
            "duplicate");
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token = '" + token + "'"), "1");
}

const std::vector<std::string> kTenantTables = {"webhook_events", "session_events", "calls", "cdrs",
                                                "dead_letters"};

// The webhook tables check their tenant once per batch, not by a foreign key per row
// (migration 0008); deleting a tenant still deletes its rows.
TEST_F(Webhooks, DeletingATenantDeletesItsWebhookRows) {
  OtherTenant leaving{"leaving.cloudonix.net", bootstrap_tenant(*env_, "leaving.cloudonix.net")};
  HttpClient http;
  ASSERT_TRUE(leaving.known(http));
  auto token = unique_name("gone-");
  ASSERT_EQ(status_of(leaving.post(
                http, "session-update",
                session_update_payload(leaving.domain, token, "ringing", unique_name("ev-")))),
            "processed");
  ASSERT_EQ(status_of(leaving.post(http, "cdr", json{{"hello", "world"}})), "dead_lettered");
  for (const auto& t : kTenantTables) ASSERT_NE(leaving.rows(t), "0") << t;
  TestEnv::get().pg().execute("DELETE FROM tenants WHERE id = '" + leaving.credentials.id + "'");
  for (const auto& t : kTenantTables) EXPECT_EQ(leaving.rows(t), "0") << t;
}

// A webhook written while its tenant is being deleted waits for the deletion, then stores
// nothing and asks the sender to retry: no row outlives its tenant.
TEST_F(Webhooks, AWebhookRacingItsTenantsDeletionStoresNothing) {
  OtherTenant racing{"racing.cloudonix.net", bootstrap_tenant(*env_, "racing.cloudonix.net")};
  HttpClient http;
  ASSERT_TRUE(racing.known(http));
  pqxx::connection admin(TestEnv::get().pg().url());
  pqxx::work deleting(admin);
  deleting.exec0("DELETE FROM tenants WHERE id = '" + racing.credentials.id + "'");
  auto pending = std::async(std::launch::async, [&] {
    HttpClient own;
    return racing.post(own, "cdr", cdr_payload(racing.domain, unique_name("race-")));
  });
  EXPECT_TRUE(eventually([&] {
    return scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") != "0";
  })) << "the webhook did not wait for the tenant's deletion";
  deleting.commit();
  auto answer = pending.get();
  EXPECT_EQ(answer.status, 503) << answer.body;
  for (const auto& t : kTenantTables) EXPECT_EQ(racing.rows(t), "0") << t;
}

TEST_F(Webhooks, ArraysOddTypesAndMissingFields) {
  HttpClient http;
  auto token = unique_name("arr-");
  json batch = json::array({session_update(token, "new", unique_name("e-")),
                            session_update(token, "ringing", unique_name("e-"))});
  batch.push_back({{"status", "ringing"}});  // no token, no id: dead letter for that element
  auto r = post(http, "session-update", batch);
  EXPECT_EQ(status_of(r), "processed");
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + token + "'"),
            "2");
  EXPECT_EQ(
      scalar("SELECT count(*) FROM dead_letters WHERE body LIKE '%\"ringing\"%' AND error <> ''"),
      "1");

  json odd = {{"id", "48211999"},
              {"token", unique_name("odd-")},
              {"domain", {{"name", "hooks.cloudonix.net"}, {"uuid", "x"}}},
              {"status", "RINGING"},
              {"callStartTime", "1772620200000"},
              {"callAnswerTime", nullptr},
              {"direction", "Incoming"}};
  EXPECT_EQ(status_of(post(http, "session-update", odd)), "processed");
  json sparse_cdr = {{"session", nullptr},
                     {"call_id", unique_name("sparse-")},
                     {"duration", "12"},
                     {"disposition", nullptr}};
  EXPECT_EQ(status_of(post(http, "cdr", sparse_cdr)), "processed");
  EXPECT_EQ(scalar("SELECT disposition || '/' || duration FROM cdrs WHERE call_id = '" +
                   sparse_cdr["call_id"].get<std::string>() + "'"),
            "other/12");
}

// Older, simplified (OPBX-style) payloads: the tenant is named by the payload's domain_uuid
// alone, and the calls and CDRs are stored with the same states and dispositions as native
// ones.
TEST_F(Webhooks, OpbxStylePayloadsAreStoredWithTheirStatesAndDispositions) {
  const std::string domain = "opbx.cloudonix.net";
  const std::string uuid = "5f0c9e2a-8d41-4b7e-a3c6-1e9d7b2f4a58";
  auto opbx = bootstrap_tenant(*env_, domain);
  TestEnv::get().pg().execute("UPDATE tenants SET domain_uuid = '" + uuid +
                              "', config_version = config_version + 1 WHERE id = '" + opbx.id +
                              "'");
  HttpClient http;
  auto post_opbx = [&](const std::string& kind, const json& body) {
    auto text = body.dump();
    auto headers = signed_webhook_headers(opbx.webhook_secret, text, domain);
    headers.erase("X-CX-Domain");
    return http.request("POST", url(kind), text, headers);
  };
  ASSERT_TRUE(eventually([&] {
    return status_of(post_opbx("cdr", opbx_cdr_payload(uuid, unique_name("known-"), "busy"))) ==
           "processed";
  })) << "the tenant was not found by its domain_uuid";

  auto where = [&](const std::string& token) {
    return " WHERE tenant_id = '" + opbx.id + "' AND session_token = '" + token + "'";
  };
  auto call = [&](const std::string& token) {
    return scalar(
        "SELECT state || '/' || last_status || '/' || direction || '/' || from_number"
        " || '/' || to_number FROM calls" +
        where(token));
  };
  auto answered = unique_name("opbx-a-");
  auto update = [&](const std::string& token, const std::string& state, const std::string& at) {
    return status_of(
        post_opbx("session-update", opbx_session_update_payload(uuid, token, state, at)));
  };
  EXPECT_EQ(update(answered, "new", "2026-03-04T10:30:00Z"), "processed");
  EXPECT_EQ(call(answered), "initiated/new/inbound/+14155550142/+12125550100");
  EXPECT_EQ(update(answered, "ringing", "2026-03-04T10:30:02Z"), "processed");
  EXPECT_EQ(call(answered), "ringing/ringing/inbound/+14155550142/+12125550100");
  EXPECT_EQ(update(answered, "answered", "2026-03-04T10:30:06Z"), "processed");
  EXPECT_EQ(update(answered, "answered", "2026-03-04T10:30:06Z"), "duplicate");
  EXPECT_EQ(call(answered), "connected/connected/inbound/+14155550142/+12125550100");
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events" + where(answered)), "3");
  EXPECT_EQ(scalar("SELECT to_char(started_at AT TIME ZONE 'UTC', 'HH24:MI:SS') || ' ' ||"
                   " to_char(answered_at AT TIME ZONE 'UTC', 'HH24:MI:SS') FROM calls" +
                   where(answered)),
            "10:30:00 10:30:06");
  EXPECT_EQ(status_of(post_opbx("cdr", opbx_cdr_payload(uuid, answered, "answered"))), "processed");
  EXPECT_EQ(
      scalar("SELECT disposition || '/' || disposition_raw || '/' || duration || '/' ||"
             " billsec || '/' || answered || '/' || extract(epoch FROM ended_at - started_at)::int"
             " FROM cdrs" +
             where(answered)),
      "answered/answered/187/0/true/187");
  EXPECT_EQ(call(answered), "completed/completed/inbound/+14155550142/+12125550100");
  EXPECT_EQ(scalar("SELECT raw->>'recording_url' FROM cdrs" + where(answered)),
            "https://recordings.example/" + answered + ".mp3");

  auto unanswered = unique_name("opbx-n-");
  EXPECT_EQ(update(unanswered, "ringing", "2026-03-04T10:35:00Z"), "processed");
  EXPECT_EQ(update(unanswered, "no answer", "2026-03-04T10:35:30Z"), "processed");
  EXPECT_EQ(call(unanswered), "no_answer/noanswer/inbound/+14155550142/+12125550100");
  EXPECT_EQ(status_of(post_opbx("cdr", opbx_cdr_payload(uuid, unanswered, "no answer"))),
            "processed");
  EXPECT_EQ(scalar("SELECT disposition || '/' || disposition_raw || '/' || answered FROM cdrs" +
                   where(unanswered)),
            "no_answer/no answer/false");

  auto busy = unique_name("opbx-b-");
  EXPECT_EQ(status_of(post_opbx("cdr", opbx_cdr_payload(uuid, busy, "busy"))), "processed");
  EXPECT_EQ(scalar("SELECT disposition || '/' || disposition_raw FROM cdrs" + where(busy)),
            "busy/busy");
  EXPECT_EQ(call(busy), "busy/busy/unknown/+14155550142/+12125550100");
  EXPECT_EQ(scalar("SELECT count(*) FROM dead_letters WHERE tenant_id = '" + opbx.id + "'"), "0");
}

// A session-update array beyond the item limit is kept whole as a dead letter (the sender is
// authenticated and the body is JSON: api.md) and none of its elements is stored.
TEST_F(Webhooks, SessionUpdateArraysBeyondTheLimitAreDeadLettered) {
  HttpClient http;
  auto token = unique_name("lim-");
  auto batch = [&](int n) {
    auto body = json::array();
    for (int i = 0; i < n; ++i) {
      body.push_back(session_update(token, "ringing", token + "-" + std::to_string(i)));
    }
    return body;
  };
  auto over = post(http, "session-update", batch(101));
  EXPECT_EQ(over.status, 200) << over.body;
  EXPECT_EQ(status_of(over), "dead_lettered");
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + token + "'"),
            "0");
  EXPECT_EQ(scalar("SELECT error FROM dead_letters WHERE tenant_id = '" + tenant_->id +
                   "' AND body LIKE '%" + token + "-100\"%'"),
            "a session-update array holds at most 100 elements; this one holds 101");
  auto id = json::parse(over.body)["id"].get<std::string>();
  EXPECT_EQ(scalar("SELECT outcome FROM webhook_events WHERE id = '" + id + "'"), "dead_lettered");

  EXPECT_EQ(status_of(post(http, "session-update", batch(100))), "processed");
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + token + "'"),
            "100");
}

TEST_F(Webhooks, DeadLettersAreKeptAndReplayable) {
  HttpClient http;
  auto bad = post_signed(http, "cdr", "{\"not\": json", tenant_->webhook_secret, unix_now());
  EXPECT_EQ(bad.status, 200);
  EXPECT_EQ(status_of(bad), "dead_lettered");
  auto wrong_shape = post(http, "cdr", json{{"hello", "world"}});
  EXPECT_EQ(status_of(wrong_shape), "dead_lettered");
  auto id = scalar(
      "SELECT id FROM dead_letters WHERE body LIKE '%hello%' ORDER BY received_at DESC LIMIT 1");
  ASSERT_FALSE(id.empty());

  auto replay = http.request("POST", svc_->base_url() + "/api/v1/dead-letters/" + id + "/replay",
                             "", {{"Authorization", "Bearer " + tenant_->admin_token}});
  EXPECT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["replay_outcome"], "failed");

  // A dead letter whose body is good now (stored when it could not be) replays into a CDR.
  auto token = unique_name("rp-");
  auto& pg = TestEnv::get().pg();
  auto good_id = pg.query_scalar(
      "INSERT INTO dead_letters (tenant_id, kind, body, error) VALUES ('" + tenant_->id +
      "', 'cdr', '" + cdr(token).dump() + "', 'could not be stored') RETURNING id");
  auto ok = http.request("POST", svc_->base_url() + "/api/v1/dead-letters/" + good_id + "/replay",
                         "", {{"Authorization", "Bearer " + tenant_->admin_token}});
  EXPECT_EQ(json::parse(ok.body)["replay_outcome"], "processed") << ok.body;
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token = '" + token + "'"), "1");
  auto again =
      http.request("POST", svc_->base_url() + "/api/v1/dead-letters/" + good_id + "/replay", "",
                   {{"Authorization", "Bearer " + tenant_->admin_token}});
  EXPECT_EQ(json::parse(again.body)["replay_outcome"], "duplicate");
  EXPECT_EQ(scalar("SELECT replay_outcome FROM dead_letters WHERE id = '" + good_id + "'"),
            "duplicate");

  // Another tenant cannot replay it, and cannot tell it exists.
  auto other = bootstrap_tenant(*env_, "other-dl.cloudonix.net");
  auto foreign =
      http.request("POST", svc_->base_url() + "/api/v1/dead-letters/" + good_id + "/replay", "",
                   {{"Authorization", "Bearer " + other.admin_token}});
  EXPECT_EQ(foreign.status, 404);
}

TEST_F(Webhooks, CallStateOnlyMovesForward) {
  HttpClient http;
  auto token = unique_name("fw-");
  auto state = [&] {
    return scalar("SELECT state || '/' || last_status FROM calls WHERE session_token = '" + token +
                  "'");
  };
  post(http, "session-update",
       session_update(token, "connected", unique_name("e-"), "2026-03-04T10:30:05Z"));
  EXPECT_EQ(state(), "connected/connected");
  post(http, "session-update",
       session_update(token, "ringing", unique_name("e-"), "2026-03-04T10:30:02Z"));
  EXPECT_EQ(state(), "connected/connected");  // late ringing stays in history only
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + token + "'"),
            "2");
  post(http, "session-update", session_update(token, "weird-new-status", unique_name("e-")));
  EXPECT_EQ(state(), "connected/connected");
  EXPECT_EQ(scalar("SELECT count(*) FROM session_events WHERE session_token = '" + token +
                   "' AND status = 'weird-new-status'"),
            "1");
  post(http, "session-update",
       session_update(token, "completed", unique_name("e-"), "2026-03-04T10:33:00Z"));
  EXPECT_EQ(state(), "completed/completed");
  post(http, "session-update",
       session_update(token, "noanswer", unique_name("e-"), "2026-03-04T10:34:00Z"));
  EXPECT_EQ(state(), "completed/completed");
  // The CDR completes the row with its times.
  post(http, "cdr", cdr(token));
  EXPECT_EQ(scalar("SELECT ended_at IS NOT NULL AND answered_at IS NOT NULL FROM calls WHERE "
                   "session_token = '" +
                   token + "'"),
            "t");
}

TEST_F(Webhooks, StoredEventsArePublishedToTheTenantStream) {
  HttpClient http;
  auto token = unique_name("st-");
  auto& redis = TestEnv::get().redis();
  auto before = redis.cli("XLEN pbx:events:" + tenant_->id);
  post(http, "session-update", session_update(token, "ringing", unique_name("e-")));
  post(http, "cdr", cdr(token));
  post(http, "cdr", cdr(token));  // a duplicate publishes nothing
  auto entries = redis.cli("XREVRANGE pbx:events:" + tenant_->id + " + - COUNT 2");
  EXPECT_NE(entries.find(token), std::string::npos) << entries;
  EXPECT_NE(entries.find("cdr"), std::string::npos);
  EXPECT_NE(entries.find("session_update"), std::string::npos);
  EXPECT_EQ(std::stoi(redis.cli("XLEN pbx:events:" + tenant_->id)), std::stoi(before) + 2);
}

TEST_F(Webhooks, MethodMediaTypeAndSizeLimits) {
  HttpClient http;
  auto get = http.get(url("cdr"));
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "POST");
  EXPECT_EQ(http.request("POST", url("cdr"), "a=b",
                         {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            415);
  std::string big = "{\"pad\":\"" + std::string(1100000, 'x') + "\"}";
  EXPECT_EQ(post_signed(http, "cdr", big, tenant_->webhook_secret, unix_now()).status, 413);
}

}  // namespace
}  // namespace pbx::testing
