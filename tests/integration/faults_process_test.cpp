// The service itself stopped under load: killed outright (every acknowledged webhook survives
// the crash), and asked to stop with SIGTERM (what it took in is answered, no connection is
// reset, it exits 0 within its grace period).
#include "faults_fixture.hpp"

#include <csignal>

namespace pbx::testing {
namespace {

TEST_F(Faults, KilledMidLoadLosesNoAcknowledgedWebhook) {
  auto svc = start_service();
  int port = svc->port();
  auto run = unique_name("kill") + "-";
  std::atomic<long> duplicates{0};
  LoadGenerator hooks(
      {port, 6}, [&](int c, long n) { return webhook(run, c, n); },
      check_webhook_counting(duplicates));
  ASSERT_TRUE(hooks.wait_for(200, 300)) << hooks.report().describe();

  svc->kill();
  auto at_kill = hooks.report();
  svc = start_service(port);  // back where its senders look for it
  EXPECT_TRUE(hooks.wait_for(200, 300)) << hooks.report().describe();
  auto h = hooks.stop();

  EXPECT_EQ(h.problems, 0) << h.describe();
  EXPECT_TRUE(h.abandoned.empty()) << h.describe();
  EXPECT_GT(h.exchanges - h.count(200), 0) << "the crash was felt: " << h.describe();
  auto stored = stored_keys(run);
  for (const auto& key : at_kill.acknowledged) {
    ASSERT_EQ(stored.count(key), 1u) << key << " was acknowledged before the crash";
  }
  expect_stored_once(run, h);
}

TEST_F(Faults, SigtermUnderLoadAnswersWhatItTookAndResetsNothing) {
  constexpr int kGraceSeconds = 10;
  auto svc = start_service(0, {{"PBX_SHUTDOWN_GRACE_S", std::to_string(kGraceSeconds)}});
  auto run = unique_name("term") + "-";
  LoadGenerator calls({svc->port(), 4, kCallPause}, any_call, check_call);
  LoadGenerator hooks(
      {svc->port(), 4},
      [&](int c, long n) {
        auto r = webhook(run, c, n);
        r.retry = false;  // no one to retry against once the service is gone
        return r;
      },
      check_webhook);
  ASSERT_TRUE(calls.wait_for(200, 200)) << calls.report().describe();
  ASSERT_TRUE(hooks.wait_for(200, 200)) << hooks.report().describe();

  auto asked = std::chrono::steady_clock::now();
  svc->signal(SIGTERM);
  int code = svc->wait_exit(std::chrono::seconds(kGraceSeconds + 20));
  auto took = std::chrono::steady_clock::now() - asked;
  auto c = calls.stop(std::chrono::seconds(0));
  auto h = hooks.stop(std::chrono::seconds(0));

  EXPECT_EQ(code, 0) << svc->log_text();
  EXPECT_LT(took, std::chrono::seconds(kGraceSeconds)) << "exits within its grace period";
  EXPECT_EQ(svc->log_text().find("grace period over"), std::string::npos);
  for (const auto* r : {&c, &h}) {
    // A request is answered whole (200), or its connection is closed gracefully or refused
    // once the service stops listening: never reset, cut short or left hanging.
    EXPECT_EQ(r->problems, 0) << r->describe();
    EXPECT_EQ(r->count(200),
              r->exchanges - r->failed(Failure::closed) - r->failed(Failure::refused))
        << r->describe();
    EXPECT_EQ(r->failed(Failure::reset), 0) << r->describe();
  }
  // What the service took in it answered: a stored event is an acknowledged one.
  expect_stored_once(run, h);
}

}  // namespace
}  // namespace pbx::testing
