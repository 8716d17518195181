// What `To` may reach in each call direction, and who may call out.
#include "engine_fixture.hpp"
#include "fixture.hpp"

namespace pbx::routing::engine_test {
namespace {

constexpr const char* kDialE1 =
    R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
    R"(method="POST" timeout="25">)"
    R"(<Number>1001</Number></Dial></Response>)";
constexpr const char* kNotAllowed =
    "<Response><Say>Sorry, this extension is not allowed to call external numbers. Goodbye.</Say>"
    "<Hangup/></Response>";
constexpr const char* kNotInService =
    "<Response><Say>Sorry, the number you dialled is not in service. Goodbye.</Say><Hangup/>"
    "</Response>";

std::string external(const char* caller_id, const char* number) {
  return std::string(R"(<Response><Dial callerId=")") + caller_id + R"("><Number>)" + number +
         "</Number></Dial></Response>";
}

CallRequest from_fixture(const char* name) {
  return parse_call(params_from_json(test::fixture_text(name)));
}

using RoutingDirections = RoutingTest;

TEST_F(RoutingDirections, InboundMatchesTheDidInAnyForm) {
  for (const char* to :
       {"+12125550100", "12125550100", "+1 (212) 555-0100", "tel:+12125550100",
        "sip:+12125550100@acme.cloudonix.net", "sip:12125550100@10.0.0.1;user=phone"}) {
    SCOPED_TRACE(to);
    auto r = route(inbound(to));
    EXPECT_EQ(r.xml, kDialE1);
    EXPECT_EQ(r.state(), "extension:e1 position=0 turn=1 start=0 attempt=1");
  }
}

TEST_F(RoutingDirections, InboundToAnUnknownNumberIsRejected) {
  for (const char* to : {"+12125550101", "1001", "", "sip:alice@acme.cloudonix.net"}) {
    SCOPED_TRACE(to);
    auto r = route(inbound(to));
    EXPECT_EQ(r.xml, "<Response><Reject/></Response>");
    EXPECT_EQ(r.problems.size(), 1u);
  }
}

TEST_F(RoutingDirections, InboundToAnInactiveNumberIsRejected) {
  add_did("n2", "+12125550102", ext("e2"), false);
  EXPECT_EQ(route(inbound("+12125550102")).xml, "<Response><Reject/></Response>");
}

TEST_F(RoutingDirections, InboundFixture) {
  call_id = "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0";
  auto r = route(from_fixture("voice-route-inbound.json"));
  EXPECT_EQ(r.xml, kDialE1);
}

TEST_F(RoutingDirections, SubscriberFixtureCallsAnExtension) {
  call_id = "b0e2d4f6a8c04e1b9d3f5a7c9e1b3d50";
  auto r = route(from_fixture("voice-route-subscriber.json"));
  EXPECT_EQ(r.xml,
            R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
            R"(method="POST" )"
            R"(timeout="30"><Number>1002</Number></Dial></Response>)");
  EXPECT_EQ(r.state(), "extension:e2 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingDirections, SubscriberReachesExtensionsAndOwnNumbers) {
  for (const char* to :
       {"1001", "sip:1001@acme.cloudonix.net", "+12125550100", "+1 212 555 0100"}) {
    SCOPED_TRACE(to);
    EXPECT_EQ(route(internal(Direction::subscriber, "1002", to)).xml, kDialE1);
  }
}

TEST_F(RoutingDirections, SubscriberExternalUsesTheExtensionCallerId) {
  auto r = route(internal(Direction::subscriber, "sip:1001@acme.cloudonix.net", "+16465550123"));
  EXPECT_EQ(r.xml, external("+12125550111", "+16465550123"));
  EXPECT_TRUE(r.states.empty());
  EXPECT_EQ(route(internal(Direction::subscriber, "1001", "+1 (646) 555-0123")).xml,
            external("+12125550111", "+16465550123"));
  EXPECT_EQ(route(internal(Direction::subscriber, "1001", "tel:+16465550123")).xml,
            external("+12125550111", "+16465550123"));
  EXPECT_EQ(route(internal(Direction::subscriber, "1001", "16465550123")).xml,
            external("+12125550111", "16465550123"));
}

TEST_F(RoutingDirections, SubscriberExternalFallsBackToTheTenantCallerId) {
  EXPECT_EQ(
      route(internal(Direction::subscriber, "sip:1003@acme.cloudonix.net", "+442071234567")).xml,
      external("+12125550100", "+442071234567"));
}

TEST_F(RoutingDirections, SubscriberExternalNeedsPermission) {
  // 1002 may not call out, 1004 may but is inactive, 1999 and a PSTN number are no extension.
  for (const char* from :
       {"1002", "sip:1002@acme.cloudonix.net", "1004", "1999", "+14155550142", ""}) {
    SCOPED_TRACE(from);
    EXPECT_EQ(route(internal(Direction::subscriber, from, "+16465550123")).xml, kNotAllowed);
  }
}

TEST_F(RoutingDirections, ExternalNumberLengthAndCharacters) {
  EXPECT_EQ(route(internal(Direction::subscriber, "1001", "5550123")).xml,
            external("+12125550111", "5550123"));
  EXPECT_EQ(route(internal(Direction::subscriber, "1001", "+123456789012345")).xml,
            external("+12125550111", "+123456789012345"));
  for (const char* to : {"555012", "+1234567890123456", "abc", "*72", "1800FLOWERS", "", "99"}) {
    SCOPED_TRACE(to);
    EXPECT_EQ(route(internal(Direction::subscriber, "1001", to)).xml, kNotInService);
    EXPECT_EQ(route(internal(Direction::outbound_api, "", to)).xml, kNotInService);
  }
}

TEST_F(RoutingDirections, OutboundApiNeedsNoPermission) {
  EXPECT_EQ(route(internal(Direction::outbound_api, "1002", "+16465550123")).xml,
            external("+12125550100", "+16465550123"));
  EXPECT_EQ(route(internal(Direction::outbound_api, "", "+16465550123")).xml,
            external("+12125550100", "+16465550123"));
  EXPECT_EQ(route(internal(Direction::outbound_api, "", "1001")).xml, kDialE1);
  EXPECT_EQ(route(internal(Direction::outbound_api, "", "+12125550100")).xml, kDialE1);
}

TEST_F(RoutingDirections, NoCallerIdAttributeWithoutADefault) {
  t.default_caller_id.clear();
  EXPECT_EQ(route(internal(Direction::outbound_api, "", "+16465550123")).xml,
            "<Response><Dial><Number>+16465550123</Number></Dial></Response>");
}

TEST_F(RoutingDirections, SubscriberReachesConferenceRoomByNumber) {
  t.conferences["standup"] = ConferenceRoom{"c1", "standup", "4000", 10, false, true};
  t.index();
  EXPECT_EQ(route(internal(Direction::subscriber, "1002", "4000")).xml,
            R"(<Response><Dial><Conference beep="false" maxParticipants="10" )"
            R"(record="record-from-start">standup</Conference></Dial></Response>)");
}

}  // namespace
}  // namespace pbx::routing::engine_test
