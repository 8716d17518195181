// What sealing and re-sealing do to one stored value, and the list of sealed columns.
#include "store/sealed_columns.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pbx::store {
namespace {

using crypto::SecretBox;

const std::string kOld(32, 'o');
const std::string kNew(32, 'n');
const std::string kContext = webhook_secret_context("tenant-1", "secret-1");

TEST(SealStep, PlainValuesAreSealedUnderTheirContextInEitherMode) {
  SecretBox box({kNew});
  for (bool all : {false, true}) {
    auto step = seal_step(box, "pbxw_plain", kContext, all);
    EXPECT_EQ(step.kind, SealStep::seal);
    EXPECT_TRUE(box.is_current(step.value));
    EXPECT_EQ(step.value.find("pbxw_plain"), std::string::npos);
    EXPECT_EQ(box.open(step.value, kContext), "pbxw_plain");
    EXPECT_EQ(box.open(step.value, webhook_secret_context("tenant-2", "secret-1")), std::nullopt);
  }
}

TEST(SealStep, ValuesOfTheCurrentKeyAreKept) {
  SecretBox box({kNew});
  auto sealed = box.seal("pbxw_current", kContext);
  EXPECT_EQ(seal_step(box, sealed, kContext, false).kind, SealStep::keep);
  EXPECT_EQ(seal_step(box, sealed, kContext, true).kind, SealStep::keep);
}

TEST(SealStep, ValuesOfAnEarlierKeyAreResealedOnlyWhenAskedTo) {
  auto sealed = SecretBox({kOld}).seal("pbxw_old", kContext);
  SecretBox rotating({kNew, kOld});
  EXPECT_EQ(seal_step(rotating, sealed, kContext, false).kind, SealStep::keep);
  auto step = seal_step(rotating, sealed, kContext, true);
  ASSERT_EQ(step.kind, SealStep::reseal);
  EXPECT_TRUE(rotating.is_current(step.value));
  // The new key alone opens it: the old key can go.
  EXPECT_EQ(SecretBox({kNew}).open(step.value, kContext), "pbxw_old");
}

TEST(SealStep, ValuesNoKeyOpensAreReportedNeverRewritten) {
  auto old = SecretBox({kOld}).seal("pbxw_old", kContext);
  SecretBox box({kNew});
  EXPECT_EQ(seal_step(box, old, kContext, true).kind, SealStep::unreadable);
  EXPECT_EQ(seal_step(box, old, kContext, false).kind, SealStep::keep);
  // Copied from another row: its context differs, so it does not open here.
  auto elsewhere = box.seal("pbxw_other", webhook_secret_context("tenant-2", "secret-9"));
  EXPECT_EQ(seal_step(box, elsewhere, kContext, true).kind, SealStep::unreadable);
  auto tampered = box.seal("pbxw_value", kContext);
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(seal_step(box, tampered, kContext, true).kind, SealStep::unreadable);
}

TEST(SealedColumns, EachColumnOnceWithContextsNamingOwnerAndRow) {
  std::set<std::string> seen;
  for (const auto& c : sealed_columns()) {
    EXPECT_TRUE(seen.insert(std::string(c.table) + "." + c.column).second) << c.table;
    EXPECT_NE(c.context("owner", "row-1"), c.context("owner", "row-2")) << c.table;
  }
  EXPECT_TRUE(seen.count("webhook_secrets.secret"));
  EXPECT_TRUE(seen.count("service_keys.value"));
  EXPECT_NE(webhook_secret_context("tenant-1", "s"), webhook_secret_context("tenant-2", "s"));
  EXPECT_EQ(service_key_context("callback_state"), "service_key:callback_state");
}

}  // namespace
}  // namespace pbx::store
