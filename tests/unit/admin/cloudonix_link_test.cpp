// The domain profile values pbxd manages, how they are shown, and how drift is found.
#include "admin/cloudonix_settings.hpp"

#include <gtest/gtest.h>

namespace pbx::admin {
namespace {

const std::string kBase = "https://pbx.example";
const std::string kVoice = kBase + "/api/voice/route";

provisioning::Domain domain_with(const Json& profile, std::optional<std::int64_t> default_app) {
  provisioning::Domain d;
  d.id = 1;
  d.name = "acme.cloudonix.net";
  d.profile = profile;
  d.default_application = default_app;
  return d;
}

provisioning::Application ours(std::int64_t id = 7) {
  provisioning::Application a;
  a.id = id;
  a.name = kVoiceApplicationName;
  a.type = "cxml";
  a.url = kVoice;
  a.method = "POST";
  return a;
}

TEST(CloudonixProfile, TheManagedKeys) {
  auto p = managed_profile(kBase, "pbxk_key", "pbxt_token", 25);
  EXPECT_EQ(p, Json({{"authorization-api-key", "pbxk_key"},
                     {"session-update-endpoint",
                      kBase + "/api/webhooks/cloudonix/session-update?token=pbxt_token"},
                     {"cdr-endpoint", kBase + "/api/webhooks/cloudonix/cdr?token=pbxt_token"},
                     {"call-timeout", 25},
                     {"redirect-unknown-to-border", false}}));
  EXPECT_TRUE(p["redirect-unknown-to-border"].is_boolean());
  EXPECT_TRUE(p["call-timeout"].is_number_integer());
}

TEST(CloudonixProfile, ShownValuesHideKeysAndTokens) {
  EXPECT_EQ(shown_profile_value("authorization-api-key", "pbxk_key"), "[secret]");
  EXPECT_EQ(shown_profile_value("authorization-api-key", nullptr), nullptr);
  EXPECT_EQ(shown_profile_value("cdr-endpoint", kBase + "/cdr?token=pbxt_token"),
            kBase + "/cdr?token=[redacted]");
  EXPECT_EQ(shown_profile_value("call-timeout", 30), 30);
}

TEST(CloudonixProfile, NoDriftWhenCloudonixHoldsOurValues) {
  auto p = managed_profile(kBase, "pbxk_key", "pbxt_token", 30);
  Json theirs = p;
  theirs["recording-media-type"] = "mp3";  // not ours: never drift
  EXPECT_EQ(profile_drift(p, domain_with(theirs, 7), ours(), kVoice), Json::array());
}

TEST(CloudonixProfile, EachDifferentValueIsDrift) {
  auto p = managed_profile(kBase, "pbxk_key", "pbxt_token", 30);
  Json theirs = p;
  theirs["call-timeout"] = 99;
  theirs.erase("redirect-unknown-to-border");
  theirs["authorization-api-key"] = "pbxk_other";
  theirs["cdr-endpoint"] = kBase + "/api/webhooks/cloudonix/cdr?token=pbxt_old";
  auto app = ours();
  app.method = "GET";
  auto drift = profile_drift(p, domain_with(theirs, 3), app, kVoice);
  std::map<std::string, Json> by_key;
  for (const auto& d : drift) by_key[d["key"].get<std::string>()] = d;
  ASSERT_EQ(by_key.size(), 6U) << drift.dump();
  EXPECT_EQ(by_key["profile.call-timeout"]["ours"], 30);
  EXPECT_EQ(by_key["profile.call-timeout"]["cloudonix"], 99);
  EXPECT_EQ(by_key["profile.redirect-unknown-to-border"]["cloudonix"], nullptr);
  EXPECT_EQ(by_key["profile.authorization-api-key"]["ours"], "[secret]");
  EXPECT_EQ(by_key["profile.authorization-api-key"]["note"], "differs in its secret part");
  EXPECT_EQ(by_key["profile.cdr-endpoint"]["note"], "differs in its secret part");
  EXPECT_EQ(by_key["application.method"]["ours"], "POST");
  EXPECT_EQ(by_key["application.method"]["cloudonix"], "GET");
  EXPECT_EQ(by_key["default_application"]["ours"], 7);
  EXPECT_EQ(by_key["default_application"]["cloudonix"], 3);
  EXPECT_EQ(drift.dump().find("pbxk_"), std::string::npos);
  EXPECT_EQ(drift.dump().find("pbxt_"), std::string::npos);
}

TEST(CloudonixProfile, AMissingApplicationIsDrift) {
  auto p = managed_profile(kBase, "k", "t", 30);
  auto drift = profile_drift(p, domain_with(p, 2), std::nullopt, kVoice);
  ASSERT_EQ(drift.size(), 1U);
  EXPECT_EQ(drift[0]["key"], "application");
  EXPECT_EQ(drift[0]["cloudonix"], nullptr);
}

}  // namespace
}  // namespace pbx::admin
