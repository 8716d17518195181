#include "provisioning/sync_pacer.hpp"

#include <gtest/gtest.h>

namespace pbx::provisioning {
namespace {

using std::chrono::milliseconds;

// Without Redis each instance keeps the window itself.
class LocalPacer : public ::testing::Test {
 protected:
  store::RedisPool unreachable_{{"redis://127.0.0.1:1", 1, milliseconds(50)}};
};

TEST_F(LocalPacer, TakesTheLimitThenSaysHowLongToWait) {
  Pacer pacer(unreachable_, {3, milliseconds(1000)});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(pacer.try_acquire("a.example"), milliseconds(0)) << i;
  auto wait = pacer.try_acquire("a.example");
  EXPECT_GT(wait, milliseconds(900));
  EXPECT_LE(wait, milliseconds(1000));
  EXPECT_EQ(pacer.try_acquire("b.example"), milliseconds(0)) << "per domain";
}

TEST_F(LocalPacer, AcquireWaitsForASlotOrGivesUp) {
  Pacer pacer(unreachable_, {1, milliseconds(200)});
  EXPECT_TRUE(pacer.acquire("a.example", milliseconds(0)));
  EXPECT_FALSE(pacer.acquire("a.example", milliseconds(50)));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(pacer.acquire("a.example", milliseconds(1000)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(100));
}

TEST_F(LocalPacer, APauseHoldsTheDomainBack) {
  Pacer pacer(unreachable_, {10, milliseconds(1000)});
  pacer.pause("a.example", milliseconds(5000));
  EXPECT_GT(pacer.try_acquire("a.example"), milliseconds(4000));
  pacer.pause("a.example", milliseconds(10));
  EXPECT_GT(pacer.try_acquire("a.example"), milliseconds(4000)) << "a shorter pause never shortens";
  EXPECT_EQ(pacer.try_acquire("b.example"), milliseconds(0));
}

}  // namespace
}  // namespace pbx::provisioning
