#include "store/replica.hpp"

#include <gtest/gtest.h>

namespace pbx::store {
namespace {

using std::chrono::seconds;
using Clock = ReplicaLag::Clock;

const Clock::time_point t0{};

TEST(ReplicaLag, NoSampleYetIsNoLag) {
  ReplicaLag lag;
  EXPECT_EQ(lag.replica_at(t0 + seconds(5), 0), Clock::duration::zero());
}

TEST(ReplicaLag, AReplicaAtThePrimarysLatestPositionHasNoLag) {
  ReplicaLag lag;
  lag.primary_at(t0, 100);
  lag.primary_at(t0 + seconds(1), 200);
  EXPECT_EQ(lag.replica_at(t0 + seconds(1), 200), Clock::duration::zero());
}

TEST(ReplicaLag, AnIdlePrimaryLeavesNothingToCatchUp) {
  ReplicaLag lag;
  for (int i = 0; i < 10; ++i) lag.primary_at(t0 + seconds(i), 500);
  EXPECT_EQ(lag.replica_at(t0 + seconds(9), 500), Clock::duration::zero());
}

TEST(ReplicaLag, TheLagIsTheAgeOfTheNewestPositionReached) {
  ReplicaLag lag;
  lag.primary_at(t0, 100);
  lag.primary_at(t0 + seconds(1), 200);
  lag.primary_at(t0 + seconds(2), 300);
  // Between the first and the second sample's positions: what was committed before the second
  // sample may be missing, so the data is as old as the first sample.
  EXPECT_EQ(lag.replica_at(t0 + seconds(2), 150), seconds(2));
  EXPECT_EQ(lag.replica_at(t0 + seconds(3), 200), seconds(2));
  EXPECT_EQ(lag.replica_at(t0 + seconds(3), 300), seconds(1));
}

TEST(ReplicaLag, AStuckReplicaTrailsMoreAndMore) {
  ReplicaLag lag;
  lag.primary_at(t0, 100);
  for (int i = 1; i <= 200; ++i) {
    lag.primary_at(t0 + seconds(i), 100 + static_cast<std::uint64_t>(i));
    // Replay stopped at 100: it never shrinks, however many samples were dropped.
    ASSERT_EQ(lag.replica_at(t0 + seconds(i), 100), seconds(i));
  }
  // Short of every position the primary was seen at: at least as old as the oldest sample.
  ReplicaLag behind;
  behind.primary_at(t0, 100);
  EXPECT_EQ(behind.replica_at(t0 + seconds(4), 50), seconds(4));
}

}  // namespace
}  // namespace pbx::store
