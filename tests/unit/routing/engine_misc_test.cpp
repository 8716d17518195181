// Voicemail, business hours, conferences, forwards, hang-ups and chains of destinations.
#include "engine_fixture.hpp"

#include "business_hours_helpers.hpp"

namespace pbx::routing::engine_test {
namespace {

constexpr const char* kDialE1 =
    R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
    R"(method="POST" timeout="25">)"
    R"(<Number>1001</Number></Dial></Response>)";
constexpr const char* kRecord =
    R"(<Record action="https://pbx.example.com/api/voice/voicemail?state=…" )"
    R"(method="POST" maxLength="120" )"
    R"(playBeep="true" finishOnKey="#"/>)"
    "<Say>We did not receive a message. Goodbye.</Say><Hangup/></Response>";

class RoutingMisc : public RoutingTest {
 protected:
  Shown to(Destination d) {
    add_did("n9", "+12125550199", std::move(d));
    t.index();
    return route(inbound("+12125550199"));
  }
  BusinessHoursRule& rule(const char* id, std::optional<Schedule> schedule, Destination open,
                          Destination closed) {
    return t.business_hours[id] =
               BusinessHoursRule{id, id, std::move(schedule), std::move(open), std::move(closed)};
  }
};

TEST_F(RoutingMisc, VoicemailDefaultGreetingNamesTheExtension) {
  auto r = to(mailbox("e1"));
  EXPECT_EQ(r.xml,
            "<Response><Say>You have reached Alice at extension 1001. Please leave a message "
            "after the tone.</Say>" +
                std::string(kRecord));
  EXPECT_EQ(r.state(), "voicemail:e1 position=0 turn=1 start=0 attempt=1");
  EXPECT_EQ(to(mailbox("e5")).xml,
            "<Response><Say>You have reached extension 1005. Please leave a message after the "
            "tone.</Say>" +
                std::string(kRecord));
}

TEST_F(RoutingMisc, VoicemailCustomGreeting) {
  t.extensions["e1"].voicemail_greeting = "Alice & Co. are out; leave a \"message\".";
  EXPECT_EQ(
      to(mailbox("e1")).xml,
      "<Response><Say>Alice &amp; Co. are out; leave a \"message\".</Say>" + std::string(kRecord));
}

TEST_F(RoutingMisc, RecordingIsReturnedForStorage) {
  auto r = to(mailbox("e1"));
  auto recorded = parse_call({{"Session", kCallId},
                              {"From", "+14155550142"},
                              {"RecordingUrl", "https://recordings.example.net/acme/6a1f0c2e.mp3"},
                              {"RecordingDuration", "14"}});
  auto done = next(Callback::voicemail, recorded, r.token());
  EXPECT_EQ(done.xml,
            "<Response><Say>Thank you. Your message has been saved. Goodbye.</Say><Hangup/>"
            "</Response>");
  ASSERT_TRUE(done.voicemail);
  EXPECT_EQ(done.voicemail->tenant_id, "t-acme");
  EXPECT_EQ(done.voicemail->extension_id, "e1");
  EXPECT_EQ(done.voicemail->from, "+14155550142");
  EXPECT_EQ(done.voicemail->recording_url, "https://recordings.example.net/acme/6a1f0c2e.mp3");
  EXPECT_EQ(done.voicemail->duration, 14);
  EXPECT_EQ(done.voicemail->call_id, kCallId);
}

TEST_F(RoutingMisc, NoRecordingSaysGoodbyeWithoutAMessage) {
  auto done = next(Callback::voicemail, inbound("+12125550199"), to(mailbox("e1")).token());
  EXPECT_EQ(done.xml,
            "<Response><Say>We did not receive a message. Goodbye.</Say><Hangup/></Response>");
  EXPECT_FALSE(done.voicemail);
}

TEST_F(RoutingMisc, RecordingForADeletedMailboxApologises) {
  auto r = to(mailbox("e1"));
  t.extensions.erase("e1");
  auto recorded = inbound("+12125550199");
  recorded.recording_url = "https://recordings.example.net/x.mp3";
  auto done = next(Callback::voicemail, recorded, r.token());
  EXPECT_EQ(done.xml, kApology);
  EXPECT_FALSE(done.voicemail);
  EXPECT_EQ(done.problems.size(), 1u);
}

TEST_F(RoutingMisc, BusinessHoursOpenAndClosed) {
  rule("office", hours_test::parse_ok("UTC", hours_test::kNineToFive), ext("e1"),
       forward("+16465550100"));
  EXPECT_EQ(to(hours("office")).xml, kDialE1);  // Wednesday 10:00 UTC
  now = kNow + 72h;                             // Saturday
  EXPECT_EQ(to(hours("office")).xml,
            "<Response><Dial><Number>+16465550100</Number></Dial></Response>");
}

TEST_F(RoutingMisc, BusinessHoursUseTheScheduleZone) {
  // 10:00 UTC is 05:00 in New York.
  rule("office", hours_test::parse_ok("America/New_York", hours_test::kNineToFive), ext("e1"),
       hangup_dest());
  auto r = to(hours("office"));
  EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(RoutingMisc, UnusableScheduleIsClosedAndNoted) {
  rule("broken", std::nullopt, ext("e1"), hangup_dest());
  auto r = to(hours("broken"));
  EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("broken"), std::string::npos) << r.problems[0];
}

TEST_F(RoutingMisc, ConferenceRoomAttributes) {
  t.conferences["standup"] = ConferenceRoom{"c1", "standup", "", 10, false, true};
  EXPECT_EQ(to(room("standup")).xml,
            R"(<Response><Dial><Conference beep="false" maxParticipants="10" )"
            R"(record="record-from-start">standup</Conference></Dial></Response>)");
  t.conferences["R&D"] = ConferenceRoom{"c2", "R&D", "", 250, true, false};
  EXPECT_EQ(to(room("R&D")).xml,
            R"(<Response><Dial><Conference beep="true" maxParticipants="250">R&amp;D)"
            "</Conference></Dial></Response>");
}

TEST_F(RoutingMisc, ConferenceWithoutARoomUsesDefaults) {
  EXPECT_EQ(to(room("lobby")).xml,
            R"(<Response><Dial><Conference beep="true">lobby</Conference></Dial></Response>)");
}

TEST_F(RoutingMisc, ForwardToNumberOrSip) {
  EXPECT_EQ(to(forward("+16465550100")).xml,
            "<Response><Dial><Number>+16465550100</Number></Dial></Response>");
  EXPECT_EQ(to(forward("sip:desk@pbx.example.net;transport=tls")).xml,
            "<Response><Dial><Sip>sip:desk@pbx.example.net;transport=tls</Sip></Dial></Response>");
  EXPECT_EQ(to(forward("sips:desk@pbx.example.net")).xml,
            "<Response><Dial><Sip>sips:desk@pbx.example.net</Sip></Dial></Response>");
}

TEST_F(RoutingMisc, HangupDestination) {
  auto r = to(hangup_dest());
  EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(RoutingMisc, ChainsAreFollowed) {
  auto open = hours_test::parse_ok("UTC", hours_test::kNineToFive);
  rule("a", open, hours("b"), hangup_dest());
  rule("b", open, hours("c"), hangup_dest());
  rule("c", open, ext("e1"), hangup_dest());
  EXPECT_EQ(to(hours("a")).xml, kDialE1);
}

TEST_F(RoutingMisc, BusinessHoursOpenOnItselfIsALoop) {
  rule("self", hours_test::parse_ok("UTC", hours_test::kNineToFive), hours("self"), hangup_dest());
  auto r = to(hours("self"));
  EXPECT_EQ(r.xml, kApology);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("loop"), std::string::npos) << r.problems[0];
}

TEST_F(RoutingMisc, TwoRulesPointingAtEachOtherAreALoop) {
  auto open = hours_test::parse_ok("UTC", hours_test::kNineToFive);
  rule("a", open, hours("b"), hangup_dest());
  rule("b", open, hours("a"), hangup_dest());
  auto r = to(hours("a"));
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST_F(RoutingMisc, EmptyRingGroupFallingBackOnItselfIsALoop) {
  auto& g = t.ring_groups["g"];
  g.id = "g";
  g.fallback = group("g");
  auto r = to(group("g"));
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST_F(RoutingMisc, LongChainsStop) {
  auto open = hours_test::parse_ok("UTC", hours_test::kNineToFive);
  const int length = 20;
  for (int i = 0; i < length; ++i) {
    auto id = "h" + std::to_string(i);
    auto after = "h" + std::to_string(i + 1);
    rule(id.c_str(), open, i + 1 < length ? hours(after.c_str()) : ext("e1"), hangup_dest());
  }
  auto r = to(hours("h0"));
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST_F(RoutingMisc, DanglingReferencesApologise) {
  for (const auto& d : {ext("nope"), group("nope"), menu("nope"), mailbox("nope"), hours("nope")}) {
    SCOPED_TRACE(describe(CallbackState{{}, {}, d}));
    auto r = to(d);
    EXPECT_EQ(r.xml, kApology);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_NE(r.problems[0].find("dangling"), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find(":nope"), std::string::npos) << r.problems[0];
  }
}

TEST_F(RoutingMisc, DanglingFallbackApologises) {
  auto& g = t.ring_groups["g"];
  g.id = "g";
  g.fallback = menu("gone");
  auto r = to(group("g"));
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
}

}  // namespace
}  // namespace pbx::routing::engine_test
