#include "provisioning/sync_worker.hpp"
#include "provisioning/outbox.hpp"

#include <gtest/gtest.h>

namespace pbx::provisioning {
namespace {

TEST(SyncOutcome, ARetryableFailureIsTriedAgainWithItsStatusAndRetryAfter) {
  Failure f{429, true, std::chrono::seconds(7), "Too many requests"};
  auto o = outcome_of(f);
  EXPECT_EQ(o.kind, Outcome::Kind::retry);
  EXPECT_EQ(o.status, 429);
  EXPECT_EQ(o.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(o.error, "Cloudonix answered 429: Too many requests");

  auto none = outcome_of({0, true, std::nullopt, "timeout"});
  EXPECT_EQ(none.kind, Outcome::Kind::retry);
  EXPECT_EQ(none.status, 0);
  EXPECT_EQ(none.error, "Cloudonix did not answer: timeout");
}

TEST(SyncOutcome, ARefusalFailsTheObjectWithItsReason) {
  auto o = outcome_of({403, false, std::nullopt, "Forbidden"});
  EXPECT_EQ(o.kind, Outcome::Kind::failed);
  EXPECT_EQ(o.status, 403);
  EXPECT_EQ(o.error, "Cloudonix answered 403: Forbidden");

  auto ours = failed_outcome("a stored secret cannot be decrypted: pair again");
  EXPECT_EQ(ours.kind, Outcome::Kind::failed);
  EXPECT_EQ(ours.status, 0);
  EXPECT_EQ(ours.error, "a stored secret cannot be decrypted: pair again");
}

TEST(OutboxObjectType, NamesAsTheTableChecksThem) {
  EXPECT_STREQ(to_string(ObjectType::extension), "extension");
  EXPECT_STREQ(to_string(ObjectType::phone_number), "phone_number");
  EXPECT_STREQ(to_string(ObjectType::profile), "profile");
}

}  // namespace
}  // namespace pbx::provisioning
