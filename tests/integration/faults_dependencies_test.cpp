// Redis killed and Postgres stopped under a load of calls and webhooks: calls keep being routed,
// webhooks are stored exactly once (503 while Postgres is away, never a 200 for an event not
// stored), and everything resumes when the server returns, without restarting the service.
#include "faults_fixture.hpp"

namespace pbx::testing {
namespace {

TEST_F(Faults, RedisKilledUnderLoadThenBackWithoutRestart) {
  auto svc = start_service();
  auto& redis = TestEnv::get().redis();
  auto run = unique_name("rk") + "-";
  MixedLoad load(svc->port(), run);
  auto& [duplicates, calls, hooks] = load;
  ASSERT_NO_FATAL_FAILURE(load.warm_up());

  redis.kill();
  auto before = duplicates.load();
  EXPECT_TRUE(calls.wait_for(200, 300)) << calls.report().describe();
  EXPECT_TRUE(hooks.wait_for(200, 300)) << hooks.report().describe();
  EXPECT_GT(duplicates.load(), before) << "duplicates were sent while Redis was down";
  HttpClient http;
  auto ready = http.get(svc->base_url() + "/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("redis"), std::string::npos) << ready.body;

  redis.start();  // empty: whatever appears in it was written after its return
  EXPECT_TRUE(eventually([&] {
    // redis-cli's errors come back as its output too: the keys themselves must be listed.
    return redis_keys("pbx:rr:" + tenant_->id + ":" + group_id_).find("pbx:rr:") !=
               std::string::npos &&
           redis_keys("pbx:wh:" + tenant_->id + ":*" + run + "*").find("pbx:wh:") !=
               std::string::npos;
  })) << "rotation counter and dedupe markers are written to Redis again";
  EXPECT_TRUE(eventually([&] { return http.get(svc->base_url() + "/ready").status == 200; }));
  EXPECT_TRUE(hooks.wait_for(200, 100));

  auto c = calls.stop();
  auto h = hooks.stop();
  expect_all_answered_200(c);
  expect_all_answered_200(h);
  EXPECT_GT(duplicates.load(), 0);
  expect_stored_once(run, h);
}

TEST_F(Faults, PostgresStoppedUnderLoadRoutesFromMemoryAndRefusesWebhooks) {
  auto svc = start_service();
  auto& pg = TestEnv::get().pg();
  auto run = unique_name("pg") + "-";
  MixedLoad load(svc->port(), run);
  auto& [duplicates, calls, hooks] = load;
  ASSERT_NO_FATAL_FAILURE(load.warm_up());

  pg.stop();
  EXPECT_TRUE(hooks.wait_for(503, 100)) << hooks.report().describe();
  EXPECT_TRUE(calls.wait_for(200, 300))
      << "calls are routed while Postgres is down; " << calls.report().describe();
  pg.start();
  EXPECT_TRUE(hooks.wait_for(200, 300))
      << "webhooks are stored again; " << hooks.report().describe();

  auto c = calls.stop();
  auto h = hooks.stop();
  expect_all_answered_200(c);
  EXPECT_EQ(h.problems, 0) << h.describe();
  EXPECT_TRUE(h.failures.empty()) << h.describe();
  EXPECT_EQ(h.count(200) + h.count(503), h.exchanges) << h.describe();
  EXPECT_TRUE(h.abandoned.empty()) << h.describe();
  EXPECT_GT(duplicates.load(), 0);
  expect_stored_once(run, h);
}

}  // namespace
}  // namespace pbx::testing
