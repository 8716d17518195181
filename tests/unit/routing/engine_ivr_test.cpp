// IVR menus: the Gather, and each answer the gather callback can bring.
#include "engine_fixture.hpp"

namespace pbx::routing::engine_test {
namespace {

constexpr const char* kGatherOpen =
    R"(<Gather action="https://pbx.example.com/api/voice/gather?state=…" )"
    R"(method="POST" input="dtmf" )";
constexpr const char* kMainGather =
    R"(numDigits="1" timeout="4" actionOnEmptyResult="true">)"
    R"(<Say voice="woman" language="en-US">Press 1 for Alice, 2 for Bob.</Say></Gather>)";

std::string at(const char* id, int attempt) {
  return std::string("ivr_menu:") + id +
         " position=0 turn=1 start=0 attempt=" + std::to_string(attempt);
}

class RoutingIvr : public RoutingTest {
 protected:
  RoutingIvr() {
    auto& m = t.ivr_menus["main"];
    m.id = "main";
    m.name = "Main menu";
    m.prompt = Prompt{"Press 1 for Alice, 2 for Bob.", "woman", "en-US", ""};
    m.digit_timeout = 4;
    m.max_attempts = 3;
    m.options = {{"1", ext("e1")}, {"2", ext("e2")}};
    add_did("n9", "+12125550199", menu("main"));
  }
  IvrMenu& main() { return t.ivr_menus["main"]; }
  Shown call() { return route(inbound("+12125550199")); }
  Shown answer(const Shown& previous, std::string digits) {
    return next(Callback::gather, pressed(std::move(digits)), previous.token());
  }
  static std::string main_gather(const char* before = "") {
    return std::string("<Response>") + before + kGatherOpen + kMainGather + "</Response>";
  }
};

TEST_F(RoutingIvr, GatherAroundTheSpokenPrompt) {
  auto r = call();
  EXPECT_EQ(r.xml, main_gather());
  EXPECT_EQ(r.state(), at("main", 1));
}

TEST_F(RoutingIvr, PlayPromptWhenAUrlIsSet) {
  main().prompt = Prompt{"", "", "", "https://cdn.example.com/menu.wav?v=1&x=2"};
  EXPECT_EQ(call().xml, std::string("<Response>") + kGatherOpen +
                            R"(numDigits="1" timeout="4" actionOnEmptyResult="true">)"
                            "<Play>https://cdn.example.com/menu.wav?v=1&amp;x=2</Play>"
                            "</Gather></Response>");
}

TEST_F(RoutingIvr, DefaultPromptWithoutSayOrPlay) {
  main().prompt = Prompt{};
  EXPECT_EQ(call().xml, std::string("<Response>") + kGatherOpen +
                            R"(numDigits="1" timeout="4" actionOnEmptyResult="true">)"
                            "<Say>Please make your selection.</Say></Gather></Response>");
}

TEST_F(RoutingIvr, NumDigitsIsTheLongestOption) {
  main().options.push_back({"*42", ext("e3")});
  EXPECT_NE(call().xml.find(R"(numDigits="3")"), std::string::npos);
  main().options.clear();
  EXPECT_NE(call().xml.find(R"(numDigits="1")"), std::string::npos);
}

TEST_F(RoutingIvr, MatchingOptionFollowsItsDestination) {
  auto r = answer(call(), "1");
  EXPECT_EQ(r.xml,
            R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
            R"(method="POST" )"
            R"(timeout="25"><Number>1001</Number></Dial></Response>)");
  EXPECT_EQ(r.state(), "extension:e1 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingIvr, TrailingHashIsIgnored) {
  auto r = answer(call(), "2#");
  EXPECT_EQ(r.state(), "extension:e2 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingIvr, OptionLeadsToAnotherMenu) {
  auto& sub = t.ivr_menus["sub"];
  sub.id = "sub";
  sub.prompt.say = "Sub menu.";
  sub.digit_timeout = 6;
  sub.options = {{"9", hangup_dest()}};
  main().options.push_back({"3", menu("sub")});
  auto r = answer(call(), "3");
  EXPECT_EQ(r.xml, std::string("<Response>") + kGatherOpen +
                       R"(numDigits="1" timeout="6" actionOnEmptyResult="true">)"
                       "<Say>Sub menu.</Say></Gather></Response>");
  EXPECT_EQ(r.state(), at("sub", 1));
  EXPECT_EQ(answer(r, "9").xml, "<Response><Hangup/></Response>");
}

TEST_F(RoutingIvr, InvalidChoiceIsSaidThenAskedAgain) {
  auto r = answer(call(), "7");
  EXPECT_EQ(r.xml, main_gather("<Say>Sorry, that is not a valid choice.</Say>"));
  EXPECT_EQ(r.state(), at("main", 2));
}

TEST_F(RoutingIvr, CustomInvalidPrompt) {
  main().invalid_prompt = "No such option & try again.";
  EXPECT_EQ(answer(call(), "12").xml, main_gather("<Say>No such option &amp; try again.</Say>"));
}

TEST_F(RoutingIvr, NoInputAsksAgain) {
  for (const char* digits : {"", "#"}) {
    SCOPED_TRACE(digits);
    auto r = answer(call(), digits);
    EXPECT_EQ(r.xml, main_gather());
    EXPECT_EQ(r.state(), at("main", 2));
  }
}

TEST_F(RoutingIvr, NoInputFollowsTimeoutDestinationWhenSet) {
  main().timeout_destination = ext("e2");
  auto r = answer(call(), "");
  EXPECT_EQ(r.state(), "extension:e2 position=0 turn=1 start=0 attempt=1");
  // A wrong key is not a timeout.
  EXPECT_EQ(answer(call(), "5").state(), at("main", 2));
}

TEST_F(RoutingIvr, AfterMaxAttemptsFollowsFailover) {
  main().failover = forward("sip:operator@example.net");
  auto r = call();
  r = answer(r, "");
  EXPECT_EQ(r.state(), at("main", 2));
  r = answer(r, "8");
  EXPECT_EQ(r.state(), at("main", 3));
  r = answer(r, "");
  EXPECT_EQ(r.xml, "<Response><Dial><Sip>sip:operator@example.net</Sip></Dial></Response>");
  EXPECT_TRUE(r.states.empty());
}

// A failover back to the same menu would restart the attempts forever: that is a loop.
TEST_F(RoutingIvr, FailoverOnItselfIsALoop) {
  main().max_attempts = 1;
  main().failover = menu("main");
  auto r = answer(call(), "");
  EXPECT_EQ(r.xml, kApology);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("loop"), std::string::npos) << r.problems[0];
}

TEST_F(RoutingIvr, AfterMaxAttemptsWithoutFailoverApologises) {
  main().max_attempts = 2;
  auto r = answer(answer(call(), ""), "5");
  EXPECT_EQ(r.xml,
            "<Response><Say>Sorry, that is not a valid choice.</Say>"
            "<Say>Sorry, we cannot take your call right now. Goodbye.</Say><Hangup/></Response>");
}

TEST_F(RoutingIvr, SingleAttemptGoesStraightToFailover) {
  main().max_attempts = 1;
  main().failover = hangup_dest();
  EXPECT_EQ(answer(call(), "").xml, "<Response><Hangup/></Response>");
}

TEST_F(RoutingIvr, DigitsSentAsAJsonNumber) {
  auto r = call();
  auto request =
      parse_call(params_from_json(R"({"Session":"call-1","Digits":2,"To":"+12125550199"})"));
  EXPECT_EQ(next(Callback::gather, request, r.token()).state(),
            "extension:e2 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingIvr, MenuDeletedBeforeTheCallbackApologises) {
  auto r = call();
  t.ivr_menus.clear();
  r = answer(r, "1");
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST_F(RoutingIvr, DialledByItsInternalNumber) {
  main().number = "3000";
  t.index();
  auto r = route(internal(Direction::subscriber, "1002", "3000"));
  EXPECT_EQ(r.xml, main_gather());
}

}  // namespace
}  // namespace pbx::routing::engine_test
