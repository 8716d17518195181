// Calls to an extension: the Dial, and what each Dial outcome leads to.
#include "engine_fixture.hpp"

namespace pbx::routing::engine_test {
namespace {

constexpr const char* kDialE1 =
    R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
    R"(method="POST" timeout="25">)"
    R"(<Number>1001</Number></Dial></Response>)";
constexpr const char* kVoicemailE1 =
    "<Response><Say>You have reached Alice at extension 1001. Please leave a message after the "
    "tone.</Say>"
    R"(<Record action="https://pbx.example.com/api/voice/voicemail?state=…" )"
    R"(method="POST" maxLength="120" )"
    R"(playBeep="true" finishOnKey="#"/>)"
    "<Say>We did not receive a message. Goodbye.</Say><Hangup/></Response>";

class RoutingExtension : public RoutingTest {
 protected:
  // An inbound call on a DID that points at the extension.
  Shown call(const char* id) {
    add_did("n9", "+12125550199", ext(id));
    return route(inbound("+12125550199"));
  }
  // The dial-status callback of a call to the extension, with the given status fields.
  Shown after(const char* id, CallRequest status) {
    auto first = call(id);
    return next(Callback::dial_status, status, first.token());
  }
};

TEST_F(RoutingExtension, DialsTheNumberWithItsRingTimeout) {
  auto r = route(inbound("+12125550100"));
  EXPECT_EQ(r.xml, kDialE1);
  EXPECT_EQ(r.state(), "extension:e1 position=0 turn=1 start=0 attempt=1");
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(RoutingExtension, ForwardToE164DialsANumber) {
  auto r = call("e5");
  EXPECT_EQ(r.xml,
            R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
            R"(method="POST" )"
            R"(timeout="15"><Number>+16465550199</Number></Dial></Response>)");
  EXPECT_EQ(r.state(), "extension:e5 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingExtension, ForwardToSipUriDialsSip) {
  auto r = call("e6");
  EXPECT_EQ(r.xml,
            R"(<Response><Dial action="https://pbx.example.com/api/voice/dial-status?state=…" )"
            R"(method="POST" )"
            R"(timeout="20"><Sip>sip:eve@example.net</Sip></Dial></Response>)");
  EXPECT_EQ(r.state(), "extension:e6 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingExtension, InactiveWithVoicemailGoesToVoicemail) {
  auto r = call("e4");
  EXPECT_EQ(r.xml,
            "<Response><Say>You have reached Dave at extension 1004. Please leave a message after "
            "the tone.</Say>"
            R"(<Record action="https://pbx.example.com/api/voice/voicemail?state=…" )"
            R"(method="POST" )"
            R"(maxLength="120" playBeep="true" finishOnKey="#"/>)"
            "<Say>We did not receive a message. Goodbye.</Say><Hangup/></Response>");
  EXPECT_EQ(r.state(), "voicemail:e4 position=0 turn=1 start=0 attempt=1");
}

TEST_F(RoutingExtension, InactiveWithoutVoicemailApologises) {
  t.extensions["e2"].active = false;
  auto r = call("e2");
  EXPECT_EQ(r.xml, kApology);
  EXPECT_TRUE(r.states.empty());
}

TEST_F(RoutingExtension, UnansweredGoesToVoicemail) {
  for (const char* status : {"no-answer", "busy", "failed"}) {
    SCOPED_TRACE(status);
    auto r = after("e1", dial_result(status));
    EXPECT_EQ(r.xml, kVoicemailE1);
    EXPECT_EQ(r.state(), "voicemail:e1 position=0 turn=1 start=0 attempt=1");
  }
}

TEST_F(RoutingExtension, UnansweredWithoutVoicemailApologises) {
  for (const char* status : {"no-answer", "busy", "failed"}) {
    SCOPED_TRACE(status);
    auto r = after("e2", dial_result(status));
    EXPECT_EQ(r.xml, kApology);
    EXPECT_TRUE(r.problems.empty());
  }
}

TEST_F(RoutingExtension, AnsweredOnlyHangsUp) {
  for (const char* status : {"completed", "answered"}) {
    SCOPED_TRACE(status);
    auto r = after("e1", dial_result(status));
    EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
  }
}

// Every status but an answer, known or not, and none at all: the caller reaches voicemail.
TEST_F(RoutingExtension, EveryStatusButAnAnswerGoesToVoicemail) {
  for (const auto* statuses : {&kNotAnsweredStatuses, &kUnrecognisedStatuses}) {
    for (const char* status : *statuses) {
      SCOPED_TRACE(status != nullptr ? status : "(none)");
      auto r = after("e1", dial_callback(status));
      EXPECT_EQ(r.xml, kVoicemailE1);
      EXPECT_EQ(r.state(), "voicemail:e1 position=0 turn=1 start=0 attempt=1");
    }
  }
}

TEST_F(RoutingExtension, EveryStatusButAnAnswerWithoutVoicemailApologises) {
  for (const auto* statuses : {&kNotAnsweredStatuses, &kUnrecognisedStatuses}) {
    for (const char* status : *statuses) {
      SCOPED_TRACE(status != nullptr ? status : "(none)");
      EXPECT_EQ(after("e2", dial_callback(status)).xml, kApology);
    }
  }
}

TEST_F(RoutingExtension, AnsweredInAnyCaseHangsUp) {
  for (const char* status : kAnsweredStatuses) {
    SCOPED_TRACE(status);
    auto r = after("e1", dial_callback(status));
    EXPECT_EQ(r.xml, "<Response><Hangup/></Response>");
    EXPECT_TRUE(r.problems.empty());
  }
}

// A status we do not know is reported for the log (with the request id, by the handler); the
// ones we know are not.
TEST_F(RoutingExtension, OnlyUnrecognisedStatusesAreReported) {
  for (const char* status : kNotAnsweredStatuses) {
    SCOPED_TRACE(status != nullptr ? status : "(none)");
    EXPECT_TRUE(after("e1", dial_callback(status)).problems.empty());
  }
  for (auto [status, shown] :
       {std::pair{"cancelled", "cancelled"}, std::pair{"In-Progress", "in-progress"},
        std::pair{" completed", " completed"}}) {
    SCOPED_TRACE(status);
    auto r = after("e1", dial_callback(status));
    EXPECT_EQ(r.problems, std::vector<std::string>{std::string("unrecognised dial status \"") +
                                                   shown + "\", taken as not answered"});
  }
}

// What the caller sent cannot forge or flood a log line: control characters and bytes beyond
// ASCII become '?', and 64 characters are kept.
TEST_F(RoutingExtension, UnrecognisedStatusIsReportedSafely) {
  auto r = after("e1", dial_callback("a\nrid=forged\x01\xc3\xa9"));
  EXPECT_EQ(r.problems, std::vector<std::string>{
                            "unrecognised dial status \"a?rid=forged???\", taken as not answered"});
  r = after("e1", dial_callback(std::string(100, 'x').c_str()));
  EXPECT_EQ(r.problems,
            std::vector<std::string>{"unrecognised dial status \"" + std::string(64, 'x') +
                                     "...\", taken as not answered"});
  EXPECT_EQ(r.xml, kVoicemailE1);
}

// The status comes through parse_call, as the handlers read it.
TEST_F(RoutingExtension, DialCallStatusIsReadBeforeCallStatus) {
  auto status = parse_call(
      {{"Session", kCallId}, {"CallStatus", "completed"}, {"DialCallStatus", "NoAnswer"}});
  EXPECT_EQ(after("e1", status).xml, kVoicemailE1);

  status = parse_call({{"Session", kCallId}, {"CallStatus", "busy"}});
  EXPECT_EQ(after("e1", status).xml, kVoicemailE1);

  status = parse_call({{"Session", kCallId}, {"DialCallStatus", "noanswer"}});
  EXPECT_EQ(after("e2", status).xml, kApology);

  status = parse_call(
      {{"Session", kCallId}, {"DialCallStatus", "completed"}, {"CallStatus", "no-answer"}});
  EXPECT_EQ(after("e1", status).xml, "<Response><Hangup/></Response>");
}

// The whole call: ring, no answer, voicemail, the recording arrives.
TEST_F(RoutingExtension, NoAnswerThenMessageLeft) {
  auto dial = route(inbound("+12125550100"));
  auto vm = next(Callback::dial_status, dial_result("no-answer"), dial.token());
  ASSERT_EQ(vm.xml, kVoicemailE1);
  auto recorded = inbound("+12125550100");
  recorded.recording_url = "https://recordings.example.net/acme/1.mp3";
  recorded.recording_duration = 14;
  auto done = next(Callback::voicemail, recorded, vm.token());
  EXPECT_EQ(done.xml,
            "<Response><Say>Thank you. Your message has been saved. Goodbye.</Say><Hangup/>"
            "</Response>");
  ASSERT_TRUE(done.voicemail);
  EXPECT_EQ(done.voicemail->extension_id, "e1");
}

TEST_F(RoutingExtension, ExtensionDeletedBeforeTheCallbackApologises) {
  auto dial = route(inbound("+12125550100"));
  t.extensions.erase("e1");
  t.index();
  auto r = next(Callback::dial_status, dial_result("no-answer"), dial.token());
  EXPECT_EQ(r.xml, kApology);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("extension:e1"), std::string::npos) << r.problems[0];
}

TEST_F(RoutingExtension, ExtensionDisabledBeforeTheCallbackIsUnavailable) {
  auto dial = route(inbound("+12125550100"));
  t.extensions["e1"].active = false;
  EXPECT_EQ(next(Callback::dial_status, dial_result("busy"), dial.token()).xml, kVoicemailE1);
}

}  // namespace
}  // namespace pbx::routing::engine_test
