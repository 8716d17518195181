// Reading CXML as Cloudonix would: golden documents, what the service renders, and every
// refusal with its message.
#include "simulator/cxml_reader.hpp"
#include "routing/cxml.hpp"

#include <gtest/gtest.h>

namespace pbx::simulator {
namespace {

using Kind = Verb::Kind;

std::string refusal(const std::string& text) {
  try {
    read_cxml(text);
  } catch (const CxmlError& e) {
    return e.what();
  }
  return "accepted";
}

std::string response(const std::string& inner) { return "<Response>" + inner + "</Response>"; }

TEST(CxmlReader, GoldenIvrDocument) {
  auto verbs = read_cxml(R"(<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="woman">Welcome &amp; hello</Say>
  <Gather action="https://pbx.example.com/api/voice/gather?state=a&amp;b" numDigits="1"
          timeout="7" actionOnEmptyResult="true">
    <Play>https://cdn.example.com/menu.mp3</Play>
    <Pause length="2"/>
  </Gather>
  <Redirect method="GET">https://pbx.example.com/api/voice/route</Redirect>
</Response>)");
  ASSERT_EQ(verbs.size(), 3u);
  EXPECT_EQ(verbs[0].kind, Kind::say);
  EXPECT_EQ(verbs[0].text, "Welcome & hello");
  EXPECT_EQ(verbs[1].kind, Kind::gather);
  EXPECT_EQ(verbs[1].action, "https://pbx.example.com/api/voice/gather?state=a&b");
  EXPECT_EQ(verbs[1].timeout, 7);
  EXPECT_TRUE(verbs[1].action_on_empty_result);
  ASSERT_EQ(verbs[1].prompts.size(), 2u);
  EXPECT_EQ(verbs[1].prompts[0].kind, Kind::play);
  EXPECT_EQ(verbs[1].prompts[1].timeout, 2);
  EXPECT_EQ(verbs[2].kind, Kind::redirect);
  EXPECT_EQ(verbs[2].method, "GET");
}

TEST(CxmlReader, GoldenDialDocument) {
  auto verbs = read_cxml(response(
      R"(<Dial action="http://127.0.0.1:8080/api/voice/dial-status" timeout="15" callerId="+1">)"
      R"(<Number>101</Number><Sip>sip:a@b.example</Sip><Conference beep="true">room</Conference>)"
      R"(<Header name="X-Team" value="sales"/></Dial><Hangup/>)"));
  ASSERT_EQ(verbs.size(), 2u);
  EXPECT_EQ(verbs[0].timeout, 15);
  EXPECT_EQ(verbs[0].targets,
            (std::vector<std::string>{"Number:101", "Sip:sip:a@b.example", "Conference:room"}));
  EXPECT_EQ(verbs[1].kind, Kind::hangup);
  EXPECT_EQ(read_cxml(response("<Dial> +14155550100 </Dial>"))[0].targets,
            std::vector<std::string>{"Number:+14155550100"});
  EXPECT_EQ(read_cxml(response("<Dial>sip:x@y</Dial>"))[0].targets,
            std::vector<std::string>{"Sip:sip:x@y"});
}

TEST(CxmlReader, RecordRejectAndEmptyDocuments) {
  auto verbs = read_cxml(
      response(R"(<Record action="https://h/api/voice/voicemail" maxLength="120" playBeep="true"/>)"
               R"(<Reject reason="busy"/>)"));
  EXPECT_EQ(verbs[0].kind, Kind::record);
  EXPECT_EQ(verbs[0].timeout, 5);
  EXPECT_EQ(verbs[1].text, "busy");
  EXPECT_EQ(read_cxml(response("<Reject/>"))[0].text, "rejected");
  EXPECT_TRUE(read_cxml("<Response/>").empty());
  EXPECT_TRUE(read_cxml("<Response><!-- nothing --></Response>").empty());
}

TEST(CxmlReader, AcceptsEverythingTheServiceRenders) {
  using namespace routing::cxml;
  Document d;
  d.add(Say{"Hi", "man", "en-US"})
      .add(Gather{"https://pbx.example/api/voice/gather?state=x",
                  2,
                  7,
                  true,
                  {Say{"Press 1", {}, {}}, Play{"https://a.example/p.mp3"}, Pause{2}}})
      .add(Dial{"https://pbx.example/api/voice/dial-status?state=y",
                20,
                "+1555",
                {{Target::Kind::number, "101"},
                 {Target::Kind::sip, "sip:a@b"},
                 {Target::Kind::conference, "room", 10, true, true}}})
      .add(Record{"https://pbx.example/api/voice/voicemail?state=z", 120, true, "#"})
      .add(Pause{1})
      .add(Play{"https://a.example/p.mp3"})
      .add(Redirect{"https://pbx.example/api/voice/route"})
      .add(Reject{"busy"})
      .add(Hangup{});
  auto verbs = read_cxml(render(d));
  std::vector<Kind> kinds;
  for (const auto& v : verbs) kinds.push_back(v.kind);
  EXPECT_EQ(kinds,
            (std::vector<Kind>{Kind::say, Kind::gather, Kind::dial, Kind::record, Kind::pause,
                               Kind::play, Kind::redirect, Kind::reject, Kind::hangup}));
  ASSERT_EQ(verbs.size(), 9u);
  EXPECT_EQ(verbs[0].text, "Hi");
  const auto& gather = verbs[1];
  EXPECT_EQ(gather.action, "https://pbx.example/api/voice/gather?state=x");
  EXPECT_EQ(gather.timeout, 7);
  EXPECT_TRUE(gather.action_on_empty_result);
  ASSERT_EQ(gather.prompts.size(), 3u);
  EXPECT_EQ(gather.prompts[0].text, "Press 1");
  EXPECT_EQ(gather.prompts[1].text, "https://a.example/p.mp3");
  EXPECT_EQ(gather.prompts[2].timeout, 2);
  const auto& dial = verbs[2];
  EXPECT_EQ(dial.action, "https://pbx.example/api/voice/dial-status?state=y");
  EXPECT_EQ(dial.timeout, 20);
  EXPECT_EQ(dial.targets,
            (std::vector<std::string>{"Number:101", "Sip:sip:a@b", "Conference:room"}));
  EXPECT_EQ(verbs[3].action, "https://pbx.example/api/voice/voicemail?state=z");
  EXPECT_EQ(verbs[4].timeout, 1);
  EXPECT_EQ(verbs[5].text, "https://a.example/p.mp3");
  EXPECT_EQ(verbs[6].text, "https://pbx.example/api/voice/route");
  EXPECT_EQ(verbs[7].text, "busy");
  for (size_t i : {1, 2, 3, 6}) EXPECT_EQ(verbs[i].method, "POST") << i;
}

TEST(CxmlReader, ActionsKeepTheirMethod) {
  auto verbs = read_cxml(
      response(R"(<Gather action="https://h/g" method="GET"/>)"
               R"(<Dial action="https://h/d" method="POST">1</Dial>)"
               R"(<Record action="https://h/r" method="GET"/><Record action="https://h/r"/>)"));
  ASSERT_EQ(verbs.size(), 4u);
  EXPECT_EQ(verbs[0].method, "GET");
  EXPECT_EQ(verbs[1].method, "POST");
  EXPECT_EQ(verbs[2].method, "GET");
  EXPECT_EQ(verbs[3].method, "POST");  // Cloudonix's default
  EXPECT_EQ(refusal(response(R"(<Gather action="https://h/g" method="post"/>)")),
            "<Gather> method \"post\" is neither GET nor POST");
}

TEST(CxmlReader, RefusesWhatCloudonixWouldNotAccept) {
  EXPECT_EQ(refusal(response("<Enqueue>support</Enqueue>")), "unknown verb <Enqueue>");
  EXPECT_EQ(refusal(response("<say>hi</say>")),
            "unknown verb <say> (names are case-sensitive: <Say>)");
  EXPECT_EQ(refusal(response("<Dial><Say>hi</Say><Number>1</Number></Dial>")),
            "<Say> is not allowed inside <Dial>");
  EXPECT_EQ(refusal(response("<Dial><Client>bob</Client></Dial>")), "unknown noun <Client>");
  EXPECT_EQ(refusal(response("<Gather><Dial>101</Dial></Gather>")),
            "<Dial> is not allowed inside <Gather> (only Say, Play, Pause)");
  EXPECT_EQ(refusal(response("<Number>101</Number>")), "<Number> is only allowed inside <Dial>");
  EXPECT_EQ(refusal(response("<Say><Pause/></Say>")), "<Pause> is not allowed inside <Say>");
  EXPECT_EQ(refusal(response(R"(<Gather action="/api/voice/gather"/>)")),
            "<Gather> action URL \"/api/voice/gather\" has no http(s) scheme and host");
  EXPECT_EQ(refusal(response(R"(<Dial action="https:///x">1</Dial>)")),
            "<Dial> action URL \"https:///x\" has no http(s) scheme and host");
  EXPECT_EQ(refusal(response(R"(<Record action="ftp://h/x"/>)")),
            "<Record> action URL \"ftp://h/x\" has no http(s) scheme and host");
  EXPECT_EQ(refusal(response("<Redirect>next.xml</Redirect>")),
            "<Redirect> URL \"next.xml\" has no http(s) scheme and host");
  EXPECT_EQ(refusal(response("<Dial/>")), "<Dial> has nothing to dial");
  EXPECT_EQ(refusal(response(R"(<Pause length="two"/>)")),
            "<Pause> attribute length=\"two\" is not a number");
  EXPECT_EQ(refusal(response(R"(<Redirect method="PUT">https://h/x</Redirect>)")),
            "<Redirect> method \"PUT\" is neither GET nor POST");
  EXPECT_EQ(refusal(response(R"(<Reject reason="nope"/>)")),
            "<Reject> reason \"nope\" is not rejected, busy, congestion or failed");
  EXPECT_EQ(refusal(response(R"(<Dial><Header name="Team" value="x"/>1</Dial>)")),
            "<Header> name must start with X-");
  EXPECT_EQ(refusal(response("hello<Hangup/>")), "text outside any verb in <Response>");
}

TEST(CxmlReader, RefusesDocumentsWithoutResponseAndNonXml) {
  EXPECT_EQ(refusal("<Hangup/>"), "the root element is <Hangup>, not <Response>");
  EXPECT_EQ(refusal(""), "not XML: No document element found at offset 0");
  EXPECT_EQ(refusal("{\"error\": \"oops\"}"), "not XML: No document element found at offset 17");
  EXPECT_EQ(refusal("<Response><Say>hi</Response>"),
            "not XML: Start-end tags mismatch at offset 19");
}

TEST(CxmlReader, UrlsAreRebasedOntoTheGivenService) {
  EXPECT_EQ(
      rebase_url("https://pbx.example.com/api/voice/gather?state=a.b", "http://127.0.0.1:8080"),
      "http://127.0.0.1:8080/api/voice/gather?state=a.b");
  EXPECT_EQ(rebase_url("http://pbx.example.com:9000", "http://localhost:1/"),
            "http://localhost:1/");
  EXPECT_TRUE(fetchable_url("http://h"));
  EXPECT_FALSE(fetchable_url("http://:80/x"));
  EXPECT_FALSE(fetchable_url("//h/x"));
}

}  // namespace
}  // namespace pbx::simulator
