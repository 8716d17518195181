#include "provisioning/sync_diff.hpp"

#include <gtest/gtest.h>

namespace pbx::provisioning {
namespace {

Subscriber sub(std::int64_t id, std::string msisdn, bool active = true,
               std::optional<std::string> password = std::nullopt) {
  Subscriber s;
  s.id = id;
  s.msisdn = std::move(msisdn);
  s.active = active;
  s.sip_password = std::move(password);
  return s;
}

TEST(SubscriberDrift, NoneWhenBothSidesAgree) {
  LocalExtension e{"e1", "101", true, "pw-1"};
  EXPECT_TRUE(subscriber_drift(e, sub(1, "101", true, "pw-1")).empty());
}

TEST(SubscriberDrift, ActiveAndPasswordDiffer) {
  LocalExtension e{"e1", "101", false, "pw-1"};
  EXPECT_EQ(subscriber_drift(e, sub(1, "101", true, "pw-2")),
            (std::vector<std::string>{"active", "sip_password"}));
}

TEST(SubscriberDrift, APasswordIsComparedOnlyWhenBothSidesShowOne) {
  EXPECT_TRUE(
      subscriber_drift({"e1", "101", true, std::nullopt}, sub(1, "101", true, "x")).empty());
  EXPECT_TRUE(subscriber_drift({"e1", "101", true, "x"}, sub(1, "101")).empty());
}

TEST(Compare, SortsMissingDriftedAndExtra) {
  std::vector<LocalExtension> ext{
      {"e1", "101", true, "a"}, {"e2", "102", true, "b"}, {"e3", "103", false, "c"}};
  std::vector<Subscriber> subs{sub(7, "101", true, "a"), sub(8, "103", true, "c"),
                               sub(9, "555", true, "z")};
  auto diff = compare(ext, subs);
  ASSERT_EQ(diff.missing.size(), 1u);
  EXPECT_EQ(diff.missing[0]->id, "e2");
  ASSERT_EQ(diff.drifted.size(), 1u);
  EXPECT_EQ(diff.drifted[0].extension->id, "e3");
  EXPECT_EQ(diff.drifted[0].subscriber->id, 8);
  EXPECT_EQ(diff.drifted[0].fields, std::vector<std::string>{"active"});
  ASSERT_EQ(diff.extra.size(), 1u);
  EXPECT_EQ(diff.extra[0]->msisdn, "555");
}

TEST(Compare, ASecondSubscriberOfOneMsisdnIsExtra) {
  std::vector<LocalExtension> ext{{"e1", "101", true, std::nullopt}};
  std::vector<Subscriber> subs{sub(7, "101"), sub(8, "101")};
  auto diff = compare(ext, subs);
  EXPECT_TRUE(diff.missing.empty());
  EXPECT_TRUE(diff.drifted.empty());
  ASSERT_EQ(diff.extra.size(), 1u);
  EXPECT_EQ(diff.extra[0]->id, 8);
}

TEST(Compare, EmptySidesGiveEmptyLists) {
  auto diff = compare({}, {});
  EXPECT_EQ(
      to_json(diff),
      (Json{{"missing", Json::array()}, {"drifted", Json::array()}, {"extra", Json::array()}}));
}

TEST(DiffJson, NamesFieldsButNeverAPassword) {
  std::vector<LocalExtension> ext{{"e1", "101", true, "local-secret"},
                                  {"e2", "102", true, "other-secret"}};
  std::vector<Subscriber> subs{sub(7, "101", true, "remote-secret"),
                               sub(9, "555", false, "extra-secret")};
  auto shown = to_json(compare(ext, subs));
  EXPECT_EQ(shown["missing"], (Json::array({{{"extension_id", "e2"}, {"number", "102"}}})));
  EXPECT_EQ(shown["drifted"], (Json::array({{{"extension_id", "e1"},
                                             {"number", "101"},
                                             {"subscriber_id", 7},
                                             {"fields", {"sip_password"}}}})));
  EXPECT_EQ(shown["extra"],
            (Json::array({{{"subscriber_id", 9}, {"msisdn", "555"}, {"active", false}}})));
  auto text = shown.dump();
  for (const char* secret : {"local-secret", "other-secret", "remote-secret", "extra-secret"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

TEST(SipPassword, GeneratedPasswordsAreLongAndDistinct) {
  auto a = generate_sip_password();
  auto b = generate_sip_password();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(sip_password_context("abc"), "sip_password:abc");
}

}  // namespace
}  // namespace pbx::provisioning
