// Reading Cloudonix voice requests: the recorded fixtures and lenient parsing.
#include "routing/call.hpp"
#include "fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pbx::routing {
namespace {

using json = nlohmann::json;

CallRequest fixture(const char* name) {
  return parse_call(params_from_json(test::fixture_text(name)));
}

TEST(CallParse, InboundFixture) {
  auto c = fixture("voice-route-inbound.json");
  EXPECT_EQ(c.call_id, "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0");
  EXPECT_EQ(c.from, "+14155550142");
  EXPECT_EQ(c.to, "+12125550100");
  EXPECT_EQ(c.direction, Direction::inbound);
  EXPECT_EQ(c.domain, "acme.cloudonix.net");
  EXPECT_EQ(c.dial_status, "");
  EXPECT_EQ(c.digits, "");
  EXPECT_EQ(c.recording_url, "");
  EXPECT_EQ(c.recording_duration, 0);
}

TEST(CallParse, SubscriberFixture) {
  auto c = fixture("voice-route-subscriber.json");
  EXPECT_EQ(c.call_id, "b0e2d4f6a8c04e1b9d3f5a7c9e1b3d50");
  EXPECT_EQ(c.from, "1001");
  EXPECT_EQ(c.to, "1002");
  EXPECT_EQ(c.direction, Direction::subscriber);
}

TEST(CallParse, CallbackFixtures) {
  EXPECT_EQ(fixture("dial-action-noanswer.json").dial_status, "no-answer");
  EXPECT_EQ(fixture("gather-action.json").digits, "2");
  auto r = fixture("record-action.json");
  EXPECT_EQ(r.recording_url, "https://recordings.example.net/acme/6a1f0c2e.mp3");
  EXPECT_EQ(r.recording_duration, 14);
  EXPECT_EQ(r.call_id, "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0");
}

TEST(CallParse, CallIdPrefersSessionThenCallSidThenSessionDataToken) {
  EXPECT_EQ(
      parse_call({{"CallSid", "sid"}, {"Session", "sess"}, {"SessionData.token", "tok"}}).call_id,
      "sess");
  EXPECT_EQ(parse_call({{"SessionData.token", "tok"}, {"CallSid", "sid"}}).call_id, "sid");
  EXPECT_EQ(parse_call({{"Session", ""}, {"SessionData.token", "tok"}}).call_id, "tok");
  EXPECT_EQ(
      parse_call(params_from_json(R"({"SessionData": {"id": 48211907, "token": "tok"}})")).call_id,
      "tok");
}

TEST(CallParse, DomainFallsBackToAccountSid) {
  EXPECT_EQ(parse_call({{"AccountSid", "acme.cloudonix.net"}}).domain, "acme.cloudonix.net");
  EXPECT_EQ(parse_call({{"AccountSid", "b"}, {"Domain", "a"}}).domain, "a");
}

TEST(CallParse, Directions) {
  EXPECT_EQ(parse_direction("inbound"), Direction::inbound);
  EXPECT_EQ(parse_direction("subscriber"), Direction::subscriber);
  EXPECT_EQ(parse_direction("Subscriber"), Direction::subscriber);
  EXPECT_EQ(parse_direction("outbound-api"), Direction::outbound_api);
  EXPECT_EQ(parse_direction("OUTBOUND-API"), Direction::outbound_api);
  for (const char* other : {"", "INBOUND", "outbound-dial", "outbound_api", "trunk"}) {
    EXPECT_EQ(parse_direction(other), Direction::inbound) << other;
  }
  EXPECT_EQ(parse_call({}).direction, Direction::inbound);
}

TEST(CallParse, DialStatusIsNormalised) {
  EXPECT_EQ(parse_call({{"DialCallStatus", "NO-ANSWER"}}).dial_status, "no-answer");
  EXPECT_EQ(parse_call({{"DialCallStatus", "noanswer"}}).dial_status, "no-answer");
  EXPECT_EQ(parse_call({{"CallStatus", "NoAnswer"}}).dial_status, "no-answer");
  EXPECT_EQ(parse_call({{"CallStatus", "Busy"}}).dial_status, "busy");
  EXPECT_EQ(parse_call({{"CallStatus", "busy"}, {"DialCallStatus", "completed"}}).dial_status,
            "completed");
  EXPECT_EQ(parse_call({{"DialCallStatus", ""}, {"CallStatus", "failed"}}).dial_status, "failed");
}

TEST(CallParse, OnlyCompletedOrAnsweredIsAnswered) {
  for (const char* status : {"completed", "answered"}) {
    EXPECT_EQ(dial_result(status), DialResult::answered) << status;
  }
  for (const char* status : {"busy", "no-answer", "failed", "canceled", "unknown", ""}) {
    EXPECT_EQ(dial_result(status), DialResult::not_answered) << status;
  }
  for (const char* status :
       {"noanswer", "COMPLETED", "cancelled", "in-progress", "ringing", "queued", "no answer",
        "answer", "complete", " completed", "completed ", "completed\n", "no_answer", "true"}) {
    EXPECT_EQ(dial_result(status), DialResult::unrecognised) << status;
  }
}

// Case and the "noanswer" spelling are settled by parse_call, before dial_result.
TEST(CallParse, DialResultOfWhatArrives) {
  auto result = [](url::Params params) { return dial_result(parse_call(params).dial_status); };
  for (const char* status : {"completed", "Completed", "ANSWERED", "answered"}) {
    EXPECT_EQ(result({{"DialCallStatus", status}}), DialResult::answered) << status;
    EXPECT_EQ(result({{"CallStatus", status}}), DialResult::answered) << status;
  }
  for (const char* status : {"BUSY", "No-Answer", "noanswer", "NOANSWER", "Failed", "CANCELED",
                             "canceled", "Unknown", ""}) {
    EXPECT_EQ(result({{"DialCallStatus", status}}), DialResult::not_answered) << status;
    EXPECT_EQ(result({{"CallStatus", status}}), DialResult::not_answered) << status;
  }
  EXPECT_EQ(result({}), DialResult::not_answered);
  EXPECT_EQ(result({{"Session", "call-1"}}), DialResult::not_answered);
  // DialCallStatus first; an empty one leaves CallStatus to speak.
  EXPECT_EQ(result({{"CallStatus", "completed"}, {"DialCallStatus", "canceled"}}),
            DialResult::not_answered);
  EXPECT_EQ(result({{"CallStatus", "canceled"}, {"DialCallStatus", "completed"}}),
            DialResult::answered);
  EXPECT_EQ(result({{"DialCallStatus", ""}, {"CallStatus", "completed"}}), DialResult::answered);
  EXPECT_EQ(result({{"DialCallStatus", "Cancelled"}}), DialResult::unrecognised);
}

TEST(CallParse, RecordingDurationIsLenient) {
  auto duration = [](const json& value) {
    return parse_call(params_from_json(json{{"RecordingDuration", value}}.dump()))
        .recording_duration;
  };
  EXPECT_EQ(duration(14), 14);
  EXPECT_EQ(duration("14"), 14);
  EXPECT_EQ(duration(14.7), 14);
  EXPECT_EQ(duration("abc"), 0);
  EXPECT_EQ(duration(-3), 0);
  EXPECT_EQ(duration(nullptr), 0);
}

TEST(CallParse, EverythingMissing) {
  auto c = parse_call({});
  EXPECT_EQ(c.call_id, "");
  EXPECT_EQ(c.from, "");
  EXPECT_EQ(c.to, "");
  EXPECT_EQ(c.dial_status, "");
  EXPECT_EQ(c.recording_duration, 0);
}

TEST(CallParse, ParamsFromJsonRefusesANulByte) {
  // The parser stopped at a NUL byte and accepted whatever followed.
  EXPECT_TRUE(params_from_json(std::string(R"({"From":"1"})") + '\0' + "junk").empty());
  EXPECT_EQ(params_from_json(R"({"From":"1"})").size(), 1U);
}

TEST(CallParse, ParamsFromJsonKeepsScalars) {
  auto params = params_from_json(
      R"({"From":"+1415","Digits":12,"Flag":true,"Rate":1.5,"Nothing":null,"List":[1],)"
      R"("Obj":{"a":1,"b":"inner"},"SessionData":{"id":5,"token":"tok"},"Late":"x"})");
  url::Params expected{{"From", "+1415"},
                       {"Digits", "12"},
                       {"Flag", "true"},
                       {"Rate", "1.5"},
                       {"SessionData.token", "tok"},
                       {"Late", "x"}};
  std::sort(params.begin(), params.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(params, expected);
}

TEST(CallParse, ParamsFromJsonIgnoresNonObjectsAndBadInput) {
  EXPECT_TRUE(params_from_json("[1,2]").empty());
  EXPECT_TRUE(params_from_json(R"("text")").empty());
  EXPECT_TRUE(params_from_json(R"({"SessionData":{"token":5}})").empty());
  EXPECT_TRUE(params_from_json(R"({"From":"+1415")").empty()) << "truncated";
  EXPECT_TRUE(params_from_json(R"({"From":"+1415"} trailing)").empty());
  EXPECT_TRUE(params_from_json("").empty());
  // A token only counts inside SessionData, not in nested objects of the same name elsewhere.
  EXPECT_TRUE(params_from_json(R"({"Other":{"SessionData":{"token":"x"}}})").empty());
  std::string deep(100000, '[');
  EXPECT_TRUE(params_from_json("{\"a\":" + deep).empty()) << "nesting is bounded";
}

}  // namespace
}  // namespace pbx::routing
