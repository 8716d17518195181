// The sample of refused webhook deliveries stays bounded per tenant, per source address and in
// memory, however long a flood lasts.
#include "webhooks/rejections.hpp"

#include <gtest/gtest.h>

namespace pbx::webhooks {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

TEST(RejectionSampler, KeepsAtMostTheTenantsBudgetPerMinute) {
  RejectionSampler s(3, 100);
  auto t0 = Clock::now();
  int kept = 0;
  for (int i = 0; i < 50; ++i) kept += s.admit("tenant-a", "10.0.0." + std::to_string(i), t0);
  EXPECT_EQ(kept, 3);
  EXPECT_TRUE(s.admit("tenant-b", "10.0.1.1", t0)) << "another tenant has its own budget";
  EXPECT_FALSE(s.admit("tenant-a", "10.0.2.1", t0 + seconds(59)));
  EXPECT_TRUE(s.admit("tenant-a", "10.0.2.1", t0 + seconds(60))) << "a new minute, a new budget";
}

TEST(RejectionSampler, KeepsAtMostTheSourcesBudgetPerMinuteAcrossTenants) {
  RejectionSampler s(100, 2);
  auto t0 = Clock::now();
  EXPECT_TRUE(s.admit("a", "192.0.2.7", t0));
  EXPECT_TRUE(s.admit("b", "192.0.2.7", t0));
  EXPECT_FALSE(s.admit("c", "192.0.2.7", t0));
  EXPECT_TRUE(s.admit("c", "192.0.2.8", t0));
}

TEST(RejectionSampler, ARefusalSpendsNoBudget) {
  RejectionSampler s(1, 1);
  auto t0 = Clock::now();
  EXPECT_TRUE(s.admit("a", "ip1", t0));
  // Refused for tenant a; the source ip2 keeps its one admission for another tenant.
  EXPECT_FALSE(s.admit("a", "ip2", t0));
  EXPECT_TRUE(s.admit("b", "ip2", t0));
}

TEST(RejectionSampler, MemoryIsBoundedAndOldWindowsAreForgottenFirst) {
  RejectionSampler s(1000, 1000, 10);
  auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(s.admit("t", "ip" + std::to_string(i), t0));
  // Full of live windows: a new address is refused rather than growing the table.
  EXPECT_FALSE(s.admit("t", "ip-new", t0 + seconds(1)));
  // Once those windows are over, new addresses take their place.
  EXPECT_TRUE(s.admit("t", "ip-new", t0 + seconds(61)));
}

}  // namespace
}  // namespace pbx::webhooks
