// `pbxd simulate` against the running service, as Cloudonix would drive it: each call's
// report is checked against what the service stored (CDR, call state, voicemail).
#include "support/admin_client.hpp"
#include "support/test_env.hpp"
#include "voice/routing_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pbx::testing {
namespace {

constexpr const char* kDomain = "sim.cloudonix.net";

class Simulator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    // The demo PBX (IVR -> Sales ring group, Alice's voicemail), as `scripts/run.sh` seeds it.
    auto demo = ServiceProcess::run({"bootstrap", "--domain", kDomain, "--owner-email",
                                     std::string("owner@") + kDomain, "--if-exists-skip", "--demo"},
                                    *env_);
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    ASSERT_NE(demo.output.find("demo_number=+12025550100\n"), std::string::npos) << demo.output;
    seed_more();
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete tenant_;
    delete env_;
  }

  // DIDs straight to Bob (no voicemail) and Alice (voicemail), a schedule that is never open,
  // and Dave, who may call out.
  static void seed_more() {
    using routing::DestinationType;
    store::PgPool pool({(*env_)["PBX_DATABASE_URL"], 1}, voice::routing_statements());
    pool.with([](pqxx::connection& conn) {
      pqxx::work tx(conn);
      const auto& t = tenant_->id;
      auto ext = [&](const char* number) {
        return tx
            .exec_params1("SELECT id::text FROM extensions WHERE tenant_id = $1 AND number = $2", t,
                          number)[0]
            .as<std::string>();
      };
      auto alice = ext("101"), bob = ext("102");
      voice::insert_phone_number(tx, t, "+12025550101", {DestinationType::extension, alice});
      voice::insert_phone_number(tx, t, "+12025550102", {DestinationType::extension, bob});
      voice::NewBusinessHours never{"Never", ""};
      never.open_destination = {DestinationType::extension, bob};
      never.closed_destination = {DestinationType::voicemail, alice};
      auto hours = voice::insert_business_hours(tx, t, never);
      voice::insert_phone_number(tx, t, "+12025550103", {DestinationType::business_hours, hours});
      voice::NewExtension dave{"104", "Dave"};
      dave.outbound_allowed = true;
      dave.caller_id = "+12025550104";
      voice::insert_extension(tx, t, dave);
      tx.commit();
      return 0;
    });
  }

  struct Run {
    int exit_code = -1;
    nlohmann::json report;
    std::string output;
  };

  // `pbxd simulate --json` with the tenant's credentials as real Cloudonix has them (the
  // requests key, and the webhook token in the CDR URL) and these arguments.
  static Run simulate(std::vector<std::string> args) {
    std::vector<std::string> argv{"simulate",
                                  "--url",
                                  svc_->base_url(),
                                  "--key",
                                  tenant_->requests_api_key,
                                  "--token",
                                  tenant_->webhook_token,
                                  "--domain",
                                  kDomain,
                                  "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = ServiceProcess::run(argv, *env_);
    Run run{r.exit_code, nlohmann::json::parse(r.output, nullptr, false), r.output};
    EXPECT_FALSE(run.report.is_discarded()) << r.output;
    return run;
  }

  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }

  // The CDR and call row stored for the simulated call match its report.
  static void expect_stored(const Run& run, const std::string& disposition,
                            const std::string& state, const std::string& direction) {
    const auto& r = run.report;
    std::string session = r.value("session", "");
    ASSERT_FALSE(session.empty()) << run.output;
    EXPECT_EQ(scalar("SELECT disposition || ' ' || disposition_raw || ' ' || duration || ' ' || "
                     "billsec || ' ' || direction FROM cdrs WHERE session_token = '" +
                     session + "'"),
              disposition + " " + r.value("disposition", "") + " " +
                  std::to_string(r.value("duration", -1)) + " " +
                  std::to_string(r.value("billsec", -1)) + " " + direction)
        << run.output;
    EXPECT_EQ(scalar("SELECT state || ' ' || last_status || ' ' || (answered_at IS NOT NULL) || "
                     "' ' || direction FROM calls WHERE session_token = '" +
                     session + "'"),
              state + " " + r.value("status", "") + " " +
                  (r.value("answered", false) ? "true" : "false") + " " + direction)
        << run.output;
  }

  // The timeline's verbs in order, e.g. "Gather", "Dial", "Hangup".
  static std::vector<std::string> verbs(const Run& run) {
    std::vector<std::string> out;
    for (const auto& e : run.report["timeline"]) {
      auto what = e.value("what", "");
      if (!what.empty() && std::isupper(static_cast<unsigned char>(what.front()))) {
        out.push_back(what);
      }
    }
    return out;
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
};

TEST_F(Simulator, DidToExtensionThatAnswers) {
  auto run = simulate({"--from", "+14155550142", "--to", "+12025550102", "--dial", "answer:30"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.report["disposition"], "ANSWER");
  EXPECT_EQ(run.report["billsec"], 30);
  EXPECT_EQ(verbs(run), (std::vector<std::string>{"Dial", "Hangup"}));
  expect_stored(run, "answered", "completed", "inbound");
}

TEST_F(Simulator, DidToExtensionThatDoesNotAnswerTakesAVoicemail) {
  auto run = simulate({"--from", "+14155550177", "--to", "+12025550101", "--dial", "no-answer",
                       "--voicemail", "yes"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(verbs(run), (std::vector<std::string>{"Dial", "Say", "Record", "Say", "Hangup"}));
  EXPECT_EQ(run.report["billsec"], 0);
  expect_stored(run, "no_answer", "no_answer", "inbound");

  AdminClient owner(svc_->base_url(), tenant_->admin_token);
  auto list = owner.get("/api/v1/voicemails");
  ASSERT_EQ(list.status, 200) << list.body.dump();
  std::string session = run.report["session"];
  int found = 0;
  for (const auto& m : list.body["data"]) {
    if (m.value("recording_url", "") ==
        "https://recordings.simulator.invalid/" + session + ".mp3") {
      ++found;
      EXPECT_EQ(m.value("from", ""), "+14155550177");
    }
  }
  EXPECT_EQ(found, 1) << list.body.dump();
}

TEST_F(Simulator, IvrWrongDigitThenRightOneIntoSequentialGroup) {
  auto run = simulate({"--from", "+14155550142", "--to", "+12025550100", "--digits", "5,1",
                       "--dial", "busy,answer:20"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(verbs(run), (std::vector<std::string>{"Say", "Gather", "Say", "Say", "Gather", "Dial",
                                                  "Dial", "Hangup"}));
  auto dials = run.output;
  EXPECT_NE(dials.find("Number:102: busy"), std::string::npos) << run.output;
  EXPECT_NE(dials.find("Number:103: answer:20"), std::string::npos) << run.output;
  EXPECT_EQ(run.report["billsec"], 20);
  expect_stored(run, "answered", "completed", "inbound");
}

TEST_F(Simulator, BusinessHoursClosedGoesToVoicemail) {
  auto run = simulate(
      {"--from", "+14155550142", "--to", "+12025550103", "--voicemail", "none", "--dial", ""});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(verbs(run), (std::vector<std::string>{"Say", "Record", "Say", "Hangup"}));
  expect_stored(run, "no_answer", "no_answer", "inbound");
}

TEST_F(Simulator, SubscriberCallsOutWithPermission) {
  auto run = simulate({"--direction", "subscriber", "--from", "104", "--to", "+14155550100",
                       "--dial", "answer:12"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("Number:+14155550100: answer:12"), std::string::npos) << run.output;
  EXPECT_EQ(run.report["billsec"], 12);
  expect_stored(run, "answered", "completed", "outbound");
}

TEST_F(Simulator, SubscriberCallsOutWithoutPermission) {
  auto run = simulate({"--direction", "subscriber", "--from", "102", "--to", "+14155550100"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(verbs(run), (std::vector<std::string>{"Say", "Hangup"}));
  expect_stored(run, "no_answer", "no_answer", "outbound");
}

TEST_F(Simulator, DigitsForACallThatEndedAreNotAsScripted) {
  auto run = simulate({"--from", "+14155550142", "--to", "+12025550102", "--digits", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_EQ(run.report["ok"], false);
  EXPECT_NE(run.output.find("scripted digits left unused"), std::string::npos) << run.output;
}

TEST_F(Simulator, WebhooksSignedWithAWrongSecretAreNotAsScripted) {
  auto r = ServiceProcess::run(
      {"simulate", "--url", svc_->base_url(), "--key", tenant_->requests_api_key, "--auth", "hmac",
       "--secret", "pbxw_not-the-secret", "--domain", kDomain, "--json", "--from", "+14155550142",
       "--to", "+12025550102"},
      *env_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output;
  EXPECT_EQ(report["problems"][0], "session-update ringing: 401") << r.output;
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token = '" +
                   report.value("session", "") + "'"),
            "0");
}

// The line scripts/run.sh prints: the demo call, with the key and the token and no secret.
TEST_F(Simulator, TheRunCommandsDemoCallIsStoredWithoutHmac) {
  auto run = simulate({"--from", "+14155550142", "--to", "+12025550100", "--digits", "1", "--dial",
                       "no-answer,no-answer", "--voicemail", "yes"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  expect_stored(run, "no_answer", "no_answer", "inbound");
  EXPECT_EQ(scalar("SELECT count(*) FROM voicemails WHERE recording_url LIKE '%" +
                   run.report.value("session", "?") + "%'"),
            "1");
}

TEST_F(Simulator, SignedWebhooksStayAnOption) {
  auto r = ServiceProcess::run(
      {"simulate", "--url", svc_->base_url(), "--key", tenant_->requests_api_key, "--auth", "hmac",
       "--secret", tenant_->webhook_secret, "--domain", kDomain, "--json", "--from", "+14155550142",
       "--to", "+12025550102", "--dial", "answer:9"},
      *env_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Run run{r.exit_code, nlohmann::json::parse(r.output, nullptr, false), r.output};
  expect_stored(run, "answered", "completed", "inbound");
  // --auth hmac without a secret is a usage error.
  auto unsigned_run = ServiceProcess::run(
      {"simulate", "--url", svc_->base_url(), "--key", tenant_->requests_api_key, "--auth", "hmac",
       "--from", "+14155550142", "--to", "+12025550102"},
      *env_);
  EXPECT_EQ(unsigned_run.exit_code, 2) << unsigned_run.output;
}

TEST_F(Simulator, WithoutATokenTheCdrIsRefusedAsCloudonixWouldSeeIt) {
  auto r = ServiceProcess::run(
      {"simulate", "--url", svc_->base_url(), "--key", tenant_->requests_api_key, "--domain",
       kDomain, "--json", "--from", "+14155550142", "--to", "+12025550102", "--dial", "answer:7"},
      *env_);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.output;
  // The session updates (the key as bearer) are stored; the bare CDR is not.
  EXPECT_EQ(report["problems"], nlohmann::json::array({"cdr: 401"})) << r.output;
  std::string session = report.value("session", "");
  EXPECT_EQ(scalar("SELECT state || ' ' || last_status FROM calls WHERE session_token = '" +
                   session + "'"),
            "completed completed");
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE session_token = '" + session + "'"), "0");
  EXPECT_EQ(scalar("SELECT error FROM webhook_events WHERE kind = 'cdr' AND outcome = 'rejected'"
                   " ORDER BY received_at DESC LIMIT 1"),
            "no_credentials");
}

TEST_F(Simulator, TheTokenIsNotPrintedOnTheTimeline) {
  auto run = simulate({"--from", "+14155550142", "--to", "+12025550102", "--dial", "answer:3"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find(tenant_->webhook_token), std::string::npos);
  EXPECT_NE(run.output.find("/api/webhooks/cloudonix/cdr?token=[redacted]"), std::string::npos)
      << run.output;
}

TEST_F(Simulator, TimelineIsPlainTextOffATerminal) {
  auto r = ServiceProcess::run(
      {"simulate", "--url", svc_->base_url(), "--key", tenant_->requests_api_key, "--no-webhooks",
       "--domain", kDomain, "--from", "+14155550142", "--to", "+12025550102"},
      *env_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find('\033'), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("POST /api/voice/route 200"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("as scripted"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace pbx::testing
