// CXML rendering: every verb, attribute order and escaping, as exact strings.
#include "routing/cxml.hpp"

#include <gtest/gtest.h>

namespace pbx::routing::cxml {
namespace {

constexpr const char* kDecl = R"(<?xml version="1.0" encoding="UTF-8"?>)";

template <typename... V>
std::string doc(V... verbs) {
  Document d;
  (d.add(std::move(verbs)), ...);
  return render(d);
}
std::string response(const std::string& inner) {
  return std::string(kDecl) + "<Response>" + inner + "</Response>";
}

TEST(Cxml, EmptyDocument) { EXPECT_EQ(render(Document{}), std::string(kDecl) + "<Response/>"); }

TEST(Cxml, Say) {
  EXPECT_EQ(doc(Say{"Hello", {}, {}}), response("<Say>Hello</Say>"));
  EXPECT_EQ(doc(Say{"Hello", "Google:en-US-Neural2-F", "en-US"}),
            response(R"(<Say voice="Google:en-US-Neural2-F" language="en-US">Hello</Say>)"));
  EXPECT_EQ(doc(Say{"Bonjour", {}, "fr-FR"}), response(R"(<Say language="fr-FR">Bonjour</Say>)"));
}

TEST(Cxml, PlayPauseHangupRejectRedirect) {
  EXPECT_EQ(doc(Play{"https://cdn.example.com/a.wav"}),
            response("<Play>https://cdn.example.com/a.wav</Play>"));
  EXPECT_EQ(doc(Pause{}), response(R"(<Pause length="1"/>)"));
  EXPECT_EQ(doc(Pause{3}), response(R"(<Pause length="3"/>)"));
  EXPECT_EQ(doc(Hangup{}), response("<Hangup/>"));
  EXPECT_EQ(doc(Reject{}), response("<Reject/>"));
  EXPECT_EQ(doc(Reject{"busy"}), response(R"(<Reject reason="busy"/>)"));
  EXPECT_EQ(doc(Redirect{"https://pbx.example.com/api/voice/route"}),
            response(R"(<Redirect method="POST">)"
                     "https://pbx.example.com/api/voice/route</Redirect>"));
}

TEST(Cxml, DialAttributesInFixedOrder) {
  Dial d{"https://pbx.example.com/api/voice/dial-status?state=x",
         25,
         "+12125550100",
         {{Target::Kind::number, "1001"}, {Target::Kind::sip, "sip:eve@example.net"}}};
  EXPECT_EQ(doc(d), response(R"(<Dial action="https://pbx.example.com/api/voice/dial-status?)"
                             R"(state=x" method="POST" timeout="25" callerId="+12125550100">)"
                             "<Number>1001</Number><Sip>sip:eve@example.net</Sip></Dial>"));
}

TEST(Cxml, DialWithoutAttributes) {
  EXPECT_EQ(doc(Dial{{}, 0, {}, {{Target::Kind::number, "+16465550100"}}}),
            response("<Dial><Number>+16465550100</Number></Dial>"));
}

TEST(Cxml, Conference) {
  Target room{Target::Kind::conference, "standup"};
  EXPECT_EQ(doc(Dial{{}, 0, {}, {room}}),
            response(R"(<Dial><Conference beep="true">standup</Conference></Dial>)"));
  room.beep = false;
  room.max_participants = 10;
  room.record = true;
  EXPECT_EQ(doc(Dial{{}, 0, {}, {room}}),
            response(R"(<Dial><Conference beep="false" maxParticipants="10" )"
                     R"(record="record-from-start">standup</Conference></Dial>)"));
}

TEST(Cxml, GatherWithEveryPromptKind) {
  Gather g{"https://pbx.example.com/api/voice/gather?state=x", 2, 5, true, {}};
  g.prompts = {Say{"Press 1.", "woman", "en-US"}, Pause{2}, Play{"https://cdn.example.com/m.wav"}};
  EXPECT_EQ(doc(g), response(R"(<Gather action="https://pbx.example.com/api/voice/gather?state=x" )"
                             R"(method="POST" )"
                             R"(input="dtmf" numDigits="2" timeout="5" actionOnEmptyResult="true">)"
                             R"(<Say voice="woman" language="en-US">Press 1.</Say>)"
                             R"(<Pause length="2"/><Play>https://cdn.example.com/m.wav</Play>)"
                             "</Gather>"));
}

TEST(Cxml, GatherDefaultsLeaveAttributesOut) {
  EXPECT_EQ(doc(Gather{}), response(R"(<Gather input="dtmf"/>)"));
}

TEST(Cxml, Record) {
  EXPECT_EQ(doc(Record{"https://pbx.example.com/api/voice/voicemail?state=x", 120, true, "#"}),
            response(R"(<Record action="https://pbx.example.com/api/voice/voicemail?state=x" )"
                     R"(method="POST" )"
                     R"(maxLength="120" playBeep="true" finishOnKey="#"/>)"));
  EXPECT_EQ(doc(Record{{}, 0, false, {}}), response(R"(<Record playBeep="false"/>)"));
}

TEST(Cxml, VerbsStayInOrder) {
  EXPECT_EQ(doc(Say{"a", {}, {}}, Pause{1}, Say{"b", {}, {}}, Hangup{}),
            response(R"(<Say>a</Say><Pause length="1"/><Say>b</Say><Hangup/>)"));
}

TEST(Cxml, TextIsEscapedOnce) {
  EXPECT_EQ(doc(Say{R"(Tom & Jerry <3 "quoted" 'single' &amp;)", {}, {}}),
            response(R"(<Say>Tom &amp; Jerry &lt;3 "quoted" 'single' &amp;amp;</Say>)"));
  EXPECT_EQ(doc(Play{"https://cdn.example.com/a.wav?v=1&x=2"}),
            response("<Play>https://cdn.example.com/a.wav?v=1&amp;x=2</Play>"));
  EXPECT_EQ(doc(Dial{{}, 0, {}, {{Target::Kind::conference, "R&D <team>"}}}),
            response(R"(<Dial><Conference beep="true">R&amp;D &lt;team&gt;</Conference></Dial>)"));
}

TEST(Cxml, AttributesAreEscapedOnce) {
  EXPECT_EQ(doc(Say{"x", R"(a"b&c<d)", {}}),
            response(R"(<Say voice="a&quot;b&amp;c&lt;d">x</Say>)"));
  Dial d{"https://pbx.example.com/cb?a=1&b=2", 0, {}, {}};
  EXPECT_EQ(doc(d), response(R"(<Dial action="https://pbx.example.com/cb?a=1&amp;b=2" )"
                             R"(method="POST"/>)"));
}

TEST(Cxml, ControlCharactersXmlCannotCarryAreDropped) {
  // A NUL would cut the text short; other C0 characters would become references such as
  // "&#1;" that strict XML parsers refuse. Tab and line breaks stay.
  EXPECT_EQ(doc(Say{std::string("a\0b\x01"
                                "c\x1b[0m\td\ne",
                                13),
                    std::string("v\x02", 2),
                    {}}),
            response("<Say voice=\"v\">abc[0m\td\ne</Say>"));
  EXPECT_EQ(
      doc(Dial{"https://pbx.example.com/cb?\x7f", 0, {}, {{Target::Kind::sip, "sip:a\x0b@b"}}}),
      response("<Dial action=\"https://pbx.example.com/cb?\x7f\""
               " method=\"POST\"><Sip>sip:a@b</Sip></Dial>"));
}

TEST(Cxml, Utf8TextIsKept) {
  EXPECT_EQ(doc(Say{"Café – München", {}, {}}), response("<Say>Café – München</Say>"));
}

}  // namespace
}  // namespace pbx::routing::cxml
