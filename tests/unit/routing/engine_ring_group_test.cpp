// Ring groups: each strategy, passes, fallback, followed step by step through the callbacks.
#include "engine_fixture.hpp"

namespace pbx::routing::engine_test {
namespace {

// A ring-group Dial golden with its targets.
std::string dial(int timeout, const std::string& targets) {
  return R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
         R"(method="POST" )"
         R"(timeout=")" +
         std::to_string(timeout) + R"(">)" + targets + "</Dial></Response>";
}
std::string number(const char* n) { return std::string("<Number>") + n + "</Number>"; }
std::string at(const char* id, int position, int turn, int start = 0) {
  return std::string("ring_group:") + id + " position=" + std::to_string(position) +
         " turn=" + std::to_string(turn) + " start=" + std::to_string(start) + " attempt=1";
}

class RoutingRingGroup : public RoutingTest {
 protected:
  RingGroup& make(const char* id, Strategy strategy, std::vector<std::string> members,
                  int turns = 1) {
    auto& g = t.ring_groups[id];
    g.id = id;
    g.name = id;
    g.strategy = strategy;
    g.ring_timeout = 20;
    g.ring_turns = turns;
    g.members = std::move(members);
    return g;
  }
  Shown call(const char* id) {
    t.index();
    add_did("n9", "+12125550199", group(id));
    return route(inbound("+12125550199"));
  }
  Shown unanswered(const Shown& previous, const char* status = "no-answer") {
    return next(Callback::dial_status, dial_result(status), previous.token());
  }
};

TEST_F(RoutingRingGroup, SimultaneousRingsAllActiveMembersInOneDial) {
  make("sales", Strategy::simultaneous, {"e1", "e4", "missing", "e5", "e6"});
  auto r = call("sales");
  EXPECT_EQ(r.xml,
            dial(20, number("1001") + number("+16465550199") + "<Sip>sip:eve@example.net</Sip>"));
  EXPECT_EQ(r.state(), at("sales", 0, 1));
  EXPECT_TRUE(rotated.empty());
}

TEST_F(RoutingRingGroup, SimultaneousRepeatsForEachTurnThenDefaultApology) {
  make("sales", Strategy::simultaneous, {"e1", "e2"}, 2);
  auto first = call("sales");
  auto second = unanswered(first);
  EXPECT_EQ(second.xml, dial(20, number("1001") + number("1002")));
  EXPECT_EQ(second.state(), at("sales", 0, 2));
  auto last = unanswered(second, "busy");
  EXPECT_EQ(last.xml, kApology);
  EXPECT_TRUE(last.problems.empty());
}

TEST_F(RoutingRingGroup, SequentialFollowsPriorityThenTurnsThenFallback) {
  make("support", Strategy::sequential, {"e3", "e1", "e2"}, 2).fallback = mailbox("e1");
  auto r = call("support");
  EXPECT_EQ(r.xml, dial(20, number("1003")));
  EXPECT_EQ(r.state(), at("support", 0, 1));

  const std::vector<std::pair<const char*, std::string>> steps{
      {"1001", at("support", 1, 1)}, {"1002", at("support", 2, 1)}, {"1003", at("support", 0, 2)},
      {"1001", at("support", 1, 2)}, {"1002", at("support", 2, 2)},
  };
  const char* statuses[] = {"busy", "no-answer", "failed", "noanswer", "no-answer"};
  for (size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    r = next(Callback::dial_status,
             parse_call({{"Session", kCallId}, {"DialCallStatus", statuses[i]}}), r.token());
    EXPECT_EQ(r.xml, dial(20, number(steps[i].first)));
    EXPECT_EQ(r.state(), steps[i].second);
  }
  r = unanswered(r);
  EXPECT_EQ(r.state(), "voicemail:e1 position=0 turn=1 start=0 attempt=1");
  EXPECT_NE(r.xml.find("<Record "), std::string::npos) << r.xml;
}

TEST_F(RoutingRingGroup, RoundRobinStartsAtTheRotation) {
  make("desk", Strategy::round_robin, {"e1", "e2", "e3"});
  rotation = 4;  // 4 % 3 members: the second member starts
  auto r = call("desk");
  EXPECT_EQ(r.xml, dial(20, number("1002")));
  EXPECT_EQ(r.state(), at("desk", 0, 1, 1));
  EXPECT_EQ(rotated, std::vector<std::string>{"desk"});

  r = unanswered(r);
  EXPECT_EQ(r.xml, dial(20, number("1003")));
  EXPECT_EQ(r.state(), at("desk", 1, 1, 1));
  r = unanswered(r, "busy");
  EXPECT_EQ(r.xml, dial(20, number("1001")));
  EXPECT_EQ(r.state(), at("desk", 2, 1, 1));
  EXPECT_EQ(unanswered(r).xml, kApology);
  EXPECT_EQ(rotated.size(), 1u);  // callbacks continue the pass; they do not rotate again
}

TEST_F(RoutingRingGroup, RoundRobinRotatesBetweenCalls) {
  make("desk", Strategy::round_robin, {"e1", "e2"});
  EXPECT_EQ(call("desk").xml, dial(20, number("1001")));
  EXPECT_EQ(call("desk").xml, dial(20, number("1002")));
  EXPECT_EQ(call("desk").xml, dial(20, number("1001")));
}

TEST_F(RoutingRingGroup, RoundRobinSecondTurnKeepsTheStart) {
  make("desk", Strategy::round_robin, {"e1", "e2"}, 2);
  rotation = 1;
  auto r = unanswered(unanswered(call("desk")));
  EXPECT_EQ(r.xml, dial(20, number("1002")));
  EXPECT_EQ(r.state(), at("desk", 0, 2, 1));
}

// Every status but an answer, known or not, and none at all: the next member rings, then the
// fallback takes the call, whichever way the group rings.
TEST_F(RoutingRingGroup, EveryStatusButAnAnswerRingsTheNextMemberThenTheFallback) {
  for (auto strategy : {Strategy::sequential, Strategy::round_robin}) {
    for (const auto* statuses : {&kNotAnsweredStatuses, &kUnrecognisedStatuses}) {
      for (const char* status : *statuses) {
        SCOPED_TRACE(std::string(status != nullptr ? status : "(none)") +
                     (strategy == Strategy::sequential ? " sequential" : " round robin"));
        make("support", strategy, {"e1", "e2"}).fallback = mailbox("e3");
        rotation = 0;
        auto first = call("support");
        EXPECT_EQ(first.xml, dial(20, number("1001")));
        auto second = next(Callback::dial_status, dial_callback(status), first.token());
        EXPECT_EQ(second.xml, dial(20, number("1002")));
        EXPECT_EQ(second.state(), at("support", 1, 1));
        auto last = next(Callback::dial_status, dial_callback(status), second.token());
        EXPECT_EQ(last.state(), "voicemail:e3 position=0 turn=1 start=0 attempt=1");
        EXPECT_NE(last.xml.find("You have reached Carol at extension 1003."), std::string::npos)
            << last.xml;
      }
    }
  }
}

TEST_F(RoutingRingGroup, EveryStatusButAnAnswerSendsASimultaneousGroupToItsFallback) {
  for (const auto* statuses : {&kNotAnsweredStatuses, &kUnrecognisedStatuses}) {
    for (const char* status : *statuses) {
      SCOPED_TRACE(status != nullptr ? status : "(none)");
      make("all", Strategy::simultaneous, {"e1", "e2"}).fallback = mailbox("e3");
      auto first = call("all");
      auto last = next(Callback::dial_status, dial_callback(status), first.token());
      EXPECT_EQ(last.state(), "voicemail:e3 position=0 turn=1 start=0 attempt=1");
    }
  }
}

TEST_F(RoutingRingGroup, AnsweredInAnyCaseHangsUp) {
  for (auto strategy : {Strategy::simultaneous, Strategy::sequential, Strategy::round_robin}) {
    for (const char* status : kAnsweredStatuses) {
      SCOPED_TRACE(status);
      make("support", strategy, {"e1", "e2"}).fallback = mailbox("e3");
      auto r = next(Callback::dial_status, dial_callback(status), call("support").token());
      EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
    }
  }
}

TEST_F(RoutingRingGroup, AnsweredHangsUp) {
  make("support", Strategy::sequential, {"e1", "e2"});
  auto r = next(Callback::dial_status, dial_result("completed"), call("support").token());
  EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
}

TEST_F(RoutingRingGroup, NoActiveMembersFollowsFallbackAtOnce) {
  make("empty", Strategy::sequential, {"e4", "missing"}).fallback = forward("+16465550100");
  EXPECT_EQ(call("empty").xml, "<Response><Dial><Number>+16465550100</Number></Dial></Response>");
}

TEST_F(RoutingRingGroup, NoActiveMembersWithoutFallbackApologises) {
  make("empty", Strategy::simultaneous, {});
  auto r = call("empty");
  EXPECT_EQ(r.xml, kApology);
}

// After its passes a group falling back on itself would ring again forever: that is a loop.
TEST_F(RoutingRingGroup, FallbackOnItselfAfterThePassesIsALoop) {
  make("self", Strategy::sequential, {"e1"}).fallback = group("self");
  auto r = unanswered(call("self"));
  EXPECT_EQ(r.xml, kApology);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("loop"), std::string::npos) << r.problems[0];
}

TEST_F(RoutingRingGroup, FallbackToAnotherGroup) {
  make("first", Strategy::simultaneous, {"e1"}).fallback = group("second");
  make("second", Strategy::sequential, {"e2", "e3"});
  auto r = unanswered(call("first"));
  EXPECT_EQ(r.xml, dial(20, number("1002")));
  EXPECT_EQ(r.state(), at("second", 0, 1));
}

TEST_F(RoutingRingGroup, MembersDisabledMidCallAreSkipped) {
  make("support", Strategy::sequential, {"e1", "e2", "e3"});
  auto r = call("support");
  t.extensions["e2"].active = false;
  r = unanswered(r);
  EXPECT_EQ(r.xml, dial(20, number("1003")));
  t.extensions["e1"].active = false;
  t.extensions["e3"].active = false;
  EXPECT_EQ(unanswered(r).xml, kApology);
}

TEST_F(RoutingRingGroup, GroupDeletedBeforeTheCallbackApologises) {
  make("support", Strategy::sequential, {"e1", "e2"});
  auto r = call("support");
  t.ring_groups.clear();
  t.index();
  r = unanswered(r);
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST_F(RoutingRingGroup, DialledByItsInternalNumber) {
  make("sales", Strategy::simultaneous, {"e2", "e3"}).number = "2001";
  t.index();
  auto r = route(internal(Direction::subscriber, "sip:1001@acme.cloudonix.net", "2001"));
  EXPECT_EQ(r.xml, dial(20, number("1002") + number("1003")));
  EXPECT_EQ(r.state(), at("sales", 0, 1));
}

}  // namespace
}  // namespace pbx::routing::engine_test
