// Which requests keys a tenant's in-memory entry accepts: its current one, and the one it
// replaced until the end of the grace period.
#include "store/tenant_directory.hpp"

#include "core/crypto.hpp"

#include <gtest/gtest.h>

namespace pbx::store {
namespace {

using std::chrono::seconds;

const auto kNow = std::chrono::system_clock::time_point(seconds(1'800'000'000));

TenantEntry with_keys(const std::string& current, const std::string& previous,
                      std::chrono::system_clock::time_point previous_ends) {
  TenantEntry e;
  e.requests_key_hash = crypto::sha256(current);
  e.previous_requests_key = PreviousRequestsKey{crypto::sha256(previous), previous_ends};
  return e;
}

TEST(TenantEntryRequestsKey, TheCurrentKeyAlwaysAndTheOtherKeysNever) {
  TenantEntry e;
  e.requests_key_hash = crypto::sha256("pbxk_current");
  EXPECT_TRUE(e.requests_key_valid_at(crypto::sha256("pbxk_current"), kNow));
  EXPECT_FALSE(e.requests_key_valid_at(crypto::sha256("pbxk_other"), kNow));
  EXPECT_FALSE(e.requests_key_valid_at("", kNow));
}

TEST(TenantEntryRequestsKey, ThePreviousKeyUntilItsGracePeriodEnds) {
  auto e = with_keys("pbxk_current", "pbxk_previous", kNow + seconds(60));
  EXPECT_TRUE(e.requests_key_valid_at(crypto::sha256("pbxk_previous"), kNow));
  EXPECT_TRUE(e.requests_key_valid_at(crypto::sha256("pbxk_previous"), kNow + seconds(59)));
  EXPECT_FALSE(e.requests_key_valid_at(crypto::sha256("pbxk_previous"), kNow + seconds(60)));
  EXPECT_FALSE(e.requests_key_valid_at(crypto::sha256("pbxk_previous"), kNow + seconds(61)));
  // The current one is unaffected by the previous one's end.
  EXPECT_TRUE(e.requests_key_valid_at(crypto::sha256("pbxk_current"), kNow + seconds(61)));
  EXPECT_FALSE(e.requests_key_valid_at(crypto::sha256("pbxk_other"), kNow));
}

TEST(TenantEntryRequestsKey, NoKeyAcceptsNothing) {
  TenantEntry none;
  EXPECT_FALSE(none.requests_key_valid_at(crypto::sha256(""), kNow));
  EXPECT_FALSE(none.requests_key_valid_at("", kNow));
}

}  // namespace
}  // namespace pbx::store
