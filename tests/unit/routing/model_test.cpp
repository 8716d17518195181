// The routing model: destination objects, dialled numbers, and the snapshot's lookups.
#include "routing/model.hpp"

#include <gtest/gtest.h>

namespace pbx::routing {
namespace {

using json = nlohmann::json;

TEST(Model, TypeNamesRoundTrip) {
  for (const char* name : {"extension", "ring_group", "ivr_menu", "voicemail", "business_hours",
                           "conference", "forward", "hangup"}) {
    auto type = parse_type(name);
    ASSERT_TRUE(type) << name;
    EXPECT_EQ(type_name(*type), name);
  }
  EXPECT_FALSE(parse_type("Extension"));
  EXPECT_FALSE(parse_type(""));
}

TEST(Model, ParseDestinationOfEveryType) {
  const std::vector<std::pair<json, std::pair<DestinationType, std::string>>> cases{
      {{{"type", "extension"}, {"id", "e1"}}, {DestinationType::extension, "e1"}},
      {{{"type", "ring_group"}, {"id", "g1"}}, {DestinationType::ring_group, "g1"}},
      {{{"type", "ivr_menu"}, {"id", "m1"}}, {DestinationType::ivr_menu, "m1"}},
      {{{"type", "voicemail"}, {"id", "e1"}}, {DestinationType::voicemail, "e1"}},
      {{{"type", "business_hours"}, {"id", "b1"}}, {DestinationType::business_hours, "b1"}},
      {{{"type", "conference"}, {"name", "standup"}}, {DestinationType::conference, "standup"}},
      {{{"type", "forward"}, {"number", "+16465550100"}},
       {DestinationType::forward, "+16465550100"}},
      {{{"type", "forward"}, {"number", "sip:a@b.example"}},
       {DestinationType::forward, "sip:a@b.example"}},
      {{{"type", "hangup"}}, {DestinationType::hangup, ""}},
  };
  for (const auto& [j, expected] : cases) {
    auto d = parse_destination(j);
    ASSERT_TRUE(d) << j;
    EXPECT_EQ(d->type, expected.first) << j;
    EXPECT_EQ(d->ref, expected.second) << j;
    EXPECT_EQ(to_json(*d), j);
  }
}

TEST(Model, ParseDestinationRejectsBadShapes) {
  for (const char* text : {
           R"(null)",
           R"([])",
           R"("extension")",
           R"({})",
           R"({"type":5,"id":"e1"})",
           R"({"type":"nowhere","id":"e1"})",
           R"({"type":"Extension","id":"e1"})",
           R"({"type":"extension"})",
           R"({"type":"extension","id":""})",
           R"({"type":"extension","id":5})",
           R"({"type":"ring_group","name":"g"})",
           R"({"type":"forward","id":"+16465550100"})",
           R"({"type":"forward","number":16465550100})",
           R"({"type":"conference","id":"c1"})",
           R"({"type":"voicemail","number":"1001"})",
       }) {
    EXPECT_FALSE(parse_destination(json::parse(text))) << text;
  }
}

TEST(Model, HangupNeedsNoReference) {
  auto d = parse_destination(json::parse(R"({"type":"hangup","id":"ignored"})"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ref, "");
  EXPECT_EQ(to_json(*d), json::parse(R"({"type":"hangup"})"));
}

TEST(Model, ParsePromptAndStrategy) {
  auto p = parse_prompt(json::parse(R"({"say":"Hi","voice":"man","language":"en-GB"})"));
  EXPECT_EQ(p.say, "Hi");
  EXPECT_EQ(p.voice, "man");
  EXPECT_EQ(p.language, "en-GB");
  EXPECT_EQ(p.play_url, "");
  EXPECT_EQ(parse_prompt(json::parse(R"({"play_url":"https://a/b.wav"})")).play_url,
            "https://a/b.wav");
  EXPECT_EQ(parse_prompt(json::parse(R"({"say":5})")).say, "");
  EXPECT_EQ(parse_prompt(json()).say, "");
  EXPECT_EQ(parse_strategy("simultaneous"), Strategy::simultaneous);
  EXPECT_EQ(parse_strategy("sequential"), Strategy::sequential);
  EXPECT_EQ(parse_strategy("round_robin"), Strategy::round_robin);
  EXPECT_FALSE(parse_strategy("round-robin"));
  EXPECT_FALSE(parse_strategy(""));
}

TEST(Model, NumberDigits) {
  for (const char* dialled :
       {"+12125550100", "12125550100", "+1 (212) 555-0100", "1.212.555.0100", "tel:+12125550100",
        "sip:+12125550100@acme.cloudonix.net", "sip:12125550100@10.0.0.1;user=phone",
        "sips:+12125550100@acme.cloudonix.net"}) {
    EXPECT_EQ(number_digits(dialled), "12125550100") << dialled;
  }
  EXPECT_EQ(number_digits("1001"), "1001");
  for (const char* not_a_number : {"", "abc", "*72", "123#", "1800FLOWERS", "sip:alice@host"}) {
    EXPECT_EQ(number_digits(not_a_number), "") << not_a_number;
  }
}

TEST(Model, SipUser) {
  EXPECT_EQ(sip_user("sip:1001@acme.cloudonix.net"), "1001");
  EXPECT_EQ(sip_user("sips:1001@acme.cloudonix.net"), "1001");
  EXPECT_EQ(sip_user("sip:1001@acme.cloudonix.net;transport=tls"), "1001");
  EXPECT_EQ(sip_user("sip:+12125550100;user=phone"), "+12125550100");
  EXPECT_EQ(sip_user("tel:+12125550100"), "+12125550100");
  EXPECT_EQ(sip_user("alice@example.com"), "alice");
  EXPECT_EQ(sip_user("1001"), "1001");
  EXPECT_EQ(sip_user(""), "");
}

TEST(Model, SnapshotIndexAndLookups) {
  TenantSnapshot t;
  t.extensions["e1"].number = "1001";
  t.extensions["e1"].id = "e1";
  t.ring_groups["g1"].number = "2001";
  t.ring_groups["g2"].number = "";  // no internal number
  t.ivr_menus["m1"].number = "3000";
  t.conferences["standup"].number = "4000";
  t.phone_numbers["12125550100"].id = "n1";
  t.index();

  ASSERT_NE(t.extension_by_number("1001"), nullptr);
  EXPECT_EQ(t.extension_by_number("1001")->id, "e1");
  EXPECT_EQ(t.extension_by_number("1002"), nullptr);
  EXPECT_EQ(t.extension("nope"), nullptr);
  EXPECT_EQ(t.internal_numbers.size(), 3u);
  EXPECT_EQ(to_json(t.internal_numbers.at("2001")),
            json::parse(R"({"type":"ring_group","id":"g1"})"));
  EXPECT_EQ(to_json(t.internal_numbers.at("3000")),
            json::parse(R"({"type":"ivr_menu","id":"m1"})"));
  EXPECT_EQ(to_json(t.internal_numbers.at("4000")),
            json::parse(R"({"type":"conference","name":"standup"})"));
  for (const char* dialled : {"+12125550100", "+1 (212) 555-0100", "tel:+12125550100"}) {
    ASSERT_NE(t.phone_number(dialled), nullptr) << dialled;
    EXPECT_EQ(t.phone_number(dialled)->id, "n1");
  }
  EXPECT_EQ(t.phone_number("+12125550101"), nullptr);
  EXPECT_EQ(t.phone_number("abc"), nullptr);

  // Indexing again reflects removals.
  t.extensions.clear();
  t.ring_groups.clear();
  t.index();
  EXPECT_EQ(t.extension_by_number("1001"), nullptr);
  EXPECT_EQ(t.internal_numbers.count("2001"), 0u);
}

}  // namespace
}  // namespace pbx::routing
