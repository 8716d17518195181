#include "store/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace pbx::store {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(Backoff, WaitDoublesFromTheNthFailureUpToTheLongest) {
  RateLimiter::Backoff b{10, minutes(1), hours(1)};
  EXPECT_EQ(b.wait(0), seconds(0));
  EXPECT_EQ(b.wait(9), seconds(0));
  EXPECT_EQ(b.wait(10), seconds(60));
  EXPECT_EQ(b.wait(11), seconds(120));
  EXPECT_EQ(b.wait(12), seconds(240));
  EXPECT_EQ(b.wait(15), seconds(1920));
  EXPECT_EQ(b.wait(16), seconds(3600));
  EXPECT_EQ(b.wait(1000000), seconds(3600)) << "bounded, and no overflow";
}

// With Redis unreachable the limiter still holds in the process.
TEST(Backoff, HoldsInTheProcessWithoutRedis) {
  RedisPool unreachable({"redis://127.0.0.1:1", 1, std::chrono::milliseconds(50)});
  RateLimiter limiter(unreachable);
  RateLimiter::Backoff b{3, seconds(10), seconds(100)};
  limiter.fail("acct", b);
  limiter.fail("acct", b);
  EXPECT_EQ(limiter.blocked_for("acct"), 0);
  limiter.fail("acct", b);
  EXPECT_EQ(limiter.blocked_for("acct"), 10);
  limiter.fail("acct", b);
  EXPECT_EQ(limiter.blocked_for("acct"), 20) << "the wait grows";
  EXPECT_EQ(limiter.blocked_for("other"), 0) << "per key";
  limiter.forgive("acct");
  EXPECT_EQ(limiter.blocked_for("acct"), 0);
  limiter.fail("acct", b);
  EXPECT_EQ(limiter.blocked_for("acct"), 0) << "a success starts the count again";
}

}  // namespace
}  // namespace pbx::store
