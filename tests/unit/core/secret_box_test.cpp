#include "core/secret_box.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace pbx::crypto {
namespace {

const std::string kOld(32, 'o');
const std::string kNew(32, 'n');

TEST(SecretBox, OpensWhatItSealedAndTheTextHidesThePlainValue) {
  SecretBox box({kNew});
  auto sealed = box.seal("whsec_plain-value", "webhook_secret:1");
  EXPECT_TRUE(SecretBox::is_sealed(sealed));
  EXPECT_EQ(sealed.rfind("pbx1." + SecretBox::key_id(kNew) + ".", 0), 0U) << sealed;
  EXPECT_EQ(sealed.find("plain-value"), std::string::npos);
  EXPECT_EQ(box.open(sealed, "webhook_secret:1"), "whsec_plain-value");
}

TEST(SecretBox, EverySealUsesAFreshNonce) {
  SecretBox box({kNew});
  EXPECT_NE(box.seal("same", "c"), box.seal("same", "c"));
}

TEST(SecretBox, AnEmptyValueRoundTrips) {
  SecretBox box({kNew});
  EXPECT_EQ(box.open(box.seal("", "c"), "c"), "");
}

TEST(SecretBox, AValueDoesNotOpenInAnotherContext) {
  SecretBox box({kNew});
  auto sealed = box.seal("secret", "webhook_secret:1");
  EXPECT_EQ(box.open(sealed, "webhook_secret:2"), std::nullopt);
}

TEST(SecretBox, AnyChangedCharacterIsRefused) {
  SecretBox box({kNew});
  auto sealed = box.seal("secret value", "c");
  for (size_t i = 0; i < sealed.size(); ++i) {
    auto changed = sealed;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(box.open(changed, "c"), std::nullopt) << "position " << i;
  }
  EXPECT_EQ(box.open(sealed.substr(0, sealed.size() - 1), "c"), std::nullopt);
  EXPECT_EQ(box.open(sealed + "A", "c"), std::nullopt);
}

TEST(SecretBox, DuringARotationOldValuesOpenAndAreNotCurrent) {
  SecretBox before({kOld});
  auto old_value = before.seal("secret", "c");
  SecretBox during({kNew, kOld});
  EXPECT_EQ(during.open(old_value, "c"), "secret");
  EXPECT_FALSE(during.is_current(old_value));
  auto resealed = during.seal(*during.open(old_value, "c"), "c");
  EXPECT_TRUE(during.is_current(resealed));

  SecretBox after({kNew});
  EXPECT_EQ(after.open(old_value, "c"), std::nullopt);
  EXPECT_EQ(after.open(resealed, "c"), "secret");
}

TEST(SecretBox, PlainValuesAreNotSealed) {
  EXPECT_FALSE(SecretBox::is_sealed("whsec_abc"));
  EXPECT_FALSE(SecretBox::is_sealed(""));
  EXPECT_FALSE(SecretBox::is_sealed("pbx1."));
  EXPECT_FALSE(SecretBox::is_sealed("pbx1.0123456789"));
  SecretBox box({kNew});
  EXPECT_EQ(box.open("whsec_abc", "c"), std::nullopt);
  EXPECT_FALSE(box.is_current("whsec_abc"));
}

TEST(SecretBox, KeysMustBe32Bytes) {
  EXPECT_THROW(SecretBox({}), std::invalid_argument);
  EXPECT_THROW(SecretBox({std::string(31, 'k')}), std::invalid_argument);
  EXPECT_THROW(SecretBox({kNew, std::string(33, 'k')}), std::invalid_argument);
}

}  // namespace
}  // namespace pbx::crypto
