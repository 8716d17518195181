// The pacing of Cloudonix requests is shared by every instance through Redis.
#include "provisioning/sync_pacer.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>

namespace pbx::testing {
namespace {

using std::chrono::milliseconds;

TEST(CloudonixPacer, InstancesShareOneWindowPerDomain) {
  auto url = TestEnv::get().redis().url();
  store::RedisPool redis_a({url, 1, milliseconds(500)});
  store::RedisPool redis_b({url, 1, milliseconds(500)});
  provisioning::Pacer a(redis_a, {10, milliseconds(3000)});
  provisioning::Pacer b(redis_b, {10, milliseconds(3000)});
  int taken = 0;
  for (int i = 0; i < 8; ++i) {
    taken += a.try_acquire("shared.example").count() == 0;
    taken += b.try_acquire("shared.example").count() == 0;
  }
  EXPECT_EQ(taken, 10);
  auto wait = b.try_acquire("shared.example");
  EXPECT_GT(wait, milliseconds(2000));
  EXPECT_LE(wait, milliseconds(3001));
  EXPECT_EQ(a.try_acquire("other.example"), milliseconds(0));
}

TEST(CloudonixPacer, APauseHoldsEveryInstanceBack) {
  auto url = TestEnv::get().redis().url();
  store::RedisPool redis_a({url, 1, milliseconds(500)});
  store::RedisPool redis_b({url, 1, milliseconds(500)});
  provisioning::Pacer a(redis_a);
  provisioning::Pacer b(redis_b);
  a.pause("paused.example", milliseconds(5000));
  EXPECT_GT(b.try_acquire("paused.example"), milliseconds(4000));
  b.pause("paused.example", milliseconds(100));
  EXPECT_GT(a.try_acquire("paused.example"), milliseconds(4000)) << "never shortened";
}

}  // namespace
}  // namespace pbx::testing
