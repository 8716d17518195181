#include "cloudonix/cdr_record.hpp"
#include "fixture.hpp"

#include <gtest/gtest.h>

#include <tuple>

namespace pbx::cloudonix {
namespace {

using nlohmann::json;

json fixture(const std::string& name) { return json::parse(test::fixture_text(name)); }

std::int64_t ms(const std::optional<Timestamp>& t) {
  return t ? t->time_since_epoch().count() : -1;
}

TEST(CdrRecord, AnsweredFixture) {
  auto body = fixture("cdr-answered.json");
  auto r = parse_cdr(body);
  EXPECT_EQ(r.session_token, "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0");
  EXPECT_EQ(r.dedupe_key, r.session_token);
  EXPECT_EQ(r.call_id, "a84b4c76e66710@203.0.113.7:5060");
  EXPECT_EQ(r.domain, "acme.cloudonix.net");
  EXPECT_EQ(r.domain_uuid, "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37");
  EXPECT_EQ(r.from, "+14155550142");
  EXPECT_EQ(r.to, "+12125550100");
  EXPECT_EQ(r.direction, Direction::inbound);
  EXPECT_EQ(r.disposition_raw, "ANSWER");
  EXPECT_EQ(r.disposition, Disposition::answered);
  EXPECT_EQ(ms(r.started_at), 1772620200000);
  EXPECT_EQ(ms(r.answered_at), 1772620206000);
  EXPECT_EQ(ms(r.ended_at), 1772620387000);
  EXPECT_EQ(r.duration, 187);
  EXPECT_EQ(r.billsec, 181);
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.cost, "0.0121");
  EXPECT_EQ(r.subscriber, "");
  EXPECT_EQ(r.application, "pbx-routing");
  EXPECT_EQ(json::parse(r.raw), body);
}

TEST(CdrRecord, NoAnswerFixture) {
  auto r = parse_cdr(fixture("cdr-noanswer.json"));
  EXPECT_EQ(r.session_token, "e4c2a0b8d6f14a3c9e7b5d3f1a9c7e51");
  EXPECT_EQ(r.disposition, Disposition::no_answer);
  EXPECT_EQ(r.disposition_raw, "NOANSWER");
  EXPECT_EQ(ms(r.started_at), 1772620500000);
  EXPECT_FALSE(r.answered_at);
  EXPECT_EQ(ms(r.ended_at), 1772620531000);
  EXPECT_EQ(r.duration, 31);
  EXPECT_EQ(r.billsec, 0);
  EXPECT_FALSE(r.answered);
  EXPECT_FALSE(r.cost);
  EXPECT_EQ(r.direction, Direction::unknown);
  EXPECT_EQ(r.domain_uuid, "");
}

TEST(CdrDisposition, EveryMapping) {
  const std::pair<const char*, Disposition> cases[] = {
      {"ANSWER", Disposition::answered},     {"ANSWERED", Disposition::answered},
      {"CONNECTED", Disposition::answered},  {"answer", Disposition::answered},
      {"BUSY", Disposition::busy},           {"busy", Disposition::busy},
      {"NOANSWER", Disposition::no_answer},  {"NO ANSWER", Disposition::no_answer},
      {"NO_ANSWER", Disposition::no_answer}, {"no-answer", Disposition::no_answer},
      {"CANCEL", Disposition::cancelled},    {"CANCELLED", Disposition::cancelled},
      {"CANCELED", Disposition::cancelled},  {"FAILED", Disposition::failed},
      {"CONGESTION", Disposition::failed},   {"ERROR", Disposition::failed},
      {"NOCREDIT", Disposition::failed},     {"EXTERNAL", Disposition::other},
      {"TELEPORTED", Disposition::other},    {"", Disposition::other},
  };
  for (const auto& [raw, expected] : cases) {
    EXPECT_EQ(normalise_disposition(raw), expected) << raw;
  }
}

TEST(CdrDisposition, NamesRoundTrip) {
  for (auto d : {Disposition::answered, Disposition::busy, Disposition::no_answer,
                 Disposition::cancelled, Disposition::failed, Disposition::other}) {
    EXPECT_EQ(parse_disposition(to_string(d)), d);
  }
  EXPECT_EQ(to_string(Disposition::no_answer), "no_answer");
  EXPECT_FALSE(parse_disposition("NOANSWER"));
}

TEST(CdrDisposition, TerminalStatus) {
  EXPECT_EQ(terminal_status(Disposition::answered), "completed");
  EXPECT_EQ(terminal_status(Disposition::no_answer), "noanswer");
  EXPECT_EQ(terminal_status(Disposition::cancelled), "cancel");
  EXPECT_EQ(terminal_status(Disposition::other), "external");
}

TEST(CdrRecord, DispositionFromBody) {
  auto r = parse_cdr(json::parse(R"({"call_id": "c", "disposition": " busy "})"));
  EXPECT_EQ(r.disposition_raw, "busy");
  EXPECT_EQ(r.disposition, Disposition::busy);
  EXPECT_EQ(parse_cdr(json::parse(R"({"call_id": "c", "disposition": 7})")).disposition,
            Disposition::other);
  EXPECT_EQ(parse_cdr(json::parse(R"({"call_id": "c"})")).disposition, Disposition::other);
}

TEST(CdrRecord, IdentityFallbacks) {
  auto by_call_id = parse_cdr(json::parse(R"({"call_id": "sip-1", "session": null})"));
  EXPECT_EQ(by_call_id.session_token, "sip-1");
  EXPECT_EQ(by_call_id.dedupe_key, "sip-1");
  auto by_session_id = parse_cdr(json::parse(R"({"call_id": "sip-1", "session": {"id": 77}})"));
  EXPECT_EQ(by_session_id.session_token, "77");
  auto numeric_token = parse_cdr(json::parse(R"({"session": {"token": 123}})"));
  EXPECT_EQ(numeric_token.session_token, "123");
  EXPECT_EQ(numeric_token.call_id, "");
}

TEST(CdrRecord, CannotProcess) {
  for (const char* text :
       {R"({})", R"({"session": {}})", R"({"session": "tok"})",
        R"({"call_id": null, "session": {"token": ""}})", "[]", "42", "null", R"("cdr")"}) {
    EXPECT_THROW(parse_cdr(json::parse(text)), CdrError) << text;
  }
  EXPECT_THROW(parse_cdr(json{{"call_id", std::string(300, 'c')}}), CdrError);
}

TEST(CdrRecord, NumericStringsAndWrongTypes) {
  auto r = parse_cdr(json::parse(R"({"call_id": "c", "duration": "60", "billsec": "42.6",
      "timestamp": "1772620200", "rated_cost": "0.5", "from": 14155550142, "to": {"x": 1},
      "subscriber": [], "application": 5, "owner": "nobody", "domain": {"name": "d.example"},
      "session": {"callStartTime": "x", "callAnswerTime": "0", "callEndTime": null}})"));
  EXPECT_EQ(r.duration, 60);
  EXPECT_EQ(r.billsec, 43);
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.cost, "0.5");
  EXPECT_EQ(r.from, "14155550142");
  EXPECT_EQ(r.to, "");
  EXPECT_EQ(r.subscriber, "");
  EXPECT_EQ(r.application, "5");
  EXPECT_EQ(r.domain_uuid, "");
  EXPECT_EQ(r.domain, "d.example");
  EXPECT_EQ(ms(r.started_at), 1772620200000);
  EXPECT_FALSE(r.answered_at);
  EXPECT_EQ(ms(r.ended_at), 1772620260000);
}

TEST(CdrRecord, MissingEverythingButId) {
  auto r = parse_cdr(json::parse(R"({"call_id": "c", "duration": -5, "billsec": null})"));
  EXPECT_EQ(r.duration, 0);
  EXPECT_EQ(r.billsec, 0);
  EXPECT_FALSE(r.answered);
  EXPECT_FALSE(r.started_at);
  EXPECT_FALSE(r.ended_at);
  EXPECT_FALSE(r.answered_at);
  EXPECT_FALSE(r.cost);
  EXPECT_EQ(r.direction, Direction::unknown);
  EXPECT_EQ(r.disposition_raw, "");
  EXPECT_EQ(r.domain, "");
}

TEST(CdrRecord, CostPrecedence) {
  auto cost = [](const char* text) { return parse_cdr(json::parse(text)).cost; };
  EXPECT_EQ(cost(R"({"call_id":"c","rated_cost":1.25,"sell_cost":2,"approx_cost":3})"), "1.25");
  EXPECT_EQ(cost(R"({"call_id":"c","rated_cost":null,"sell_cost":"2","approx_cost":3})"), "2");
  EXPECT_EQ(cost(R"({"call_id":"c","rated_cost":"n/a","approx_cost":"3e-4"})"), "3e-4");
  EXPECT_EQ(cost(R"({"call_id":"c","rated_cost":0,"approx_cost":3})"), "0");
  EXPECT_FALSE(cost(R"({"call_id":"c","rated_cost":"NaN","sell_cost":{},"approx_cost":[]})"));
}

TEST(CdrRecord, CostBeyondNumericRangeIsAbsent) {
  // numeric refuses 1e-20000: the whole CDR used to be unstorable.
  auto r = parse_cdr(json::parse(R"({"call_id":"c","rated_cost":"1e-20000","sell_cost":"0.5"})"));
  EXPECT_EQ(r.cost, "0.5");
}

TEST(CdrRecord, TextFieldsHoldNoNul) {
  auto r = parse_cdr(json::parse(R"({"call_id":"c\u0000d","from":"\u0000","to":"1"})"));
  EXPECT_EQ(r.session_token,
            "c\xEF\xBF\xBD"
            "d");
  EXPECT_EQ(r.from, "\xEF\xBF\xBD");
}

TEST(CdrRecord, DirectionRule) {
  auto dir = [](const char* text) { return parse_cdr(json::parse(text)).direction; };
  EXPECT_EQ(dir(R"({"call_id":"c","session":{"direction":"OUTGOING"},"application":"a"})"),
            Direction::outbound);
  EXPECT_EQ(dir(R"({"call_id":"c","session":{"direction":"internal"}})"), Direction::internal);
  EXPECT_EQ(dir(R"({"call_id":"c","session":{"direction":"odd"},"subscriber":"alice",
      "to":"+12125550100"})"),
            Direction::outbound);
  EXPECT_EQ(dir(R"({"call_id":"c","subscriber":"alice","to":"1002"})"), Direction::internal);
  EXPECT_EQ(dir(R"({"call_id":"c","application":"pbx-routing"})"), Direction::inbound);
  EXPECT_EQ(dir(R"({"call_id":"c"})"), Direction::unknown);
}

TEST(CdrRecord, EndTimeFallsBackToStartPlusDuration) {
  auto r = parse_cdr(json::parse(R"({"call_id":"c","timestamp":1772620500,"duration":31,
      "session":{"callEndTime":0}})"));
  EXPECT_EQ(ms(r.started_at), 1772620500000);
  EXPECT_EQ(ms(r.ended_at), 1772620531000);
}

TEST(CdrRecord, HostileNumbersDoNotOverflow) {
  auto r = parse_cdr(json::parse(R"({"call_id":"c","timestamp":9.9e307,
      "duration":"999999999999999999999","billsec":1e300,
      "session":{"callStartTime":9223372036854775807}})"));
  EXPECT_FALSE(r.started_at);
  EXPECT_FALSE(r.ended_at);
  EXPECT_EQ(r.duration, 0);
}

// The older, simplified (OPBX) style: flat fields, lower-case dispositions, ISO-8601 times.
constexpr const char* kOpbxAnswered = R"({
  "session_id": 48211907,
  "session_uuid": "0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10",
  "domain_uuid": "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37",
  "from": "+14155550142",
  "to": "+12125550100",
  "duration": 187,
  "disposition": "answered",
  "start_time": "2026-03-04T10:30:00Z",
  "end_time": "2026-03-04T10:33:07Z",
  "recording_url": "https://recordings.example/0b6f2c1e.mp3"
})";

TEST(CdrOpbx, AnsweredSampleMapsOntoTheNativeFields) {
  auto body = json::parse(kOpbxAnswered);
  auto r = parse_cdr(body);
  EXPECT_EQ(r.session_token, "0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10");
  EXPECT_EQ(r.dedupe_key, r.session_token);
  EXPECT_EQ(r.call_id, "");
  EXPECT_EQ(r.domain_uuid, "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37");
  EXPECT_EQ(r.domain, "");
  EXPECT_EQ(r.from, "+14155550142");
  EXPECT_EQ(r.to, "+12125550100");
  EXPECT_EQ(r.direction, Direction::unknown);
  EXPECT_EQ(r.disposition_raw, "answered");
  EXPECT_EQ(r.disposition, Disposition::answered);
  EXPECT_EQ(ms(r.started_at), 1772620200000);
  EXPECT_EQ(ms(r.ended_at), 1772620387000);
  EXPECT_FALSE(r.answered_at);
  EXPECT_EQ(r.duration, 187);
  // No answer time and a duration that includes ringing: talk time is not derivable.
  EXPECT_EQ(r.billsec, 0);
  EXPECT_TRUE(r.answered);
  EXPECT_FALSE(r.cost);
  // The recording URL has no column of its own: it stays in the stored body.
  EXPECT_EQ(json::parse(r.raw), body);
}

TEST(CdrOpbx, DispositionsAreNormalisedAsNativeOnes) {
  const std::tuple<const char*, Disposition, bool> cases[] = {
      {"answered", Disposition::answered, true},    {"busy", Disposition::busy, false},
      {"no answer", Disposition::no_answer, false}, {"cancelled", Disposition::cancelled, false},
      {"failed", Disposition::failed, false},       {"congestion", Disposition::failed, false},
      {"voicemail", Disposition::other, false},
  };
  for (const auto& [sent, expected, answered] : cases) {
    auto body = json::parse(kOpbxAnswered);
    body["disposition"] = sent;
    auto r = parse_cdr(body);
    EXPECT_EQ(r.disposition, expected) << sent;
    EXPECT_EQ(r.disposition_raw, sent);
    EXPECT_EQ(r.answered, answered) << sent;
  }
}

TEST(CdrOpbx, MissingTimesAreDerivedFromTheOthers) {
  auto body = json::parse(kOpbxAnswered);
  body.erase("end_time");
  auto r = parse_cdr(body);
  EXPECT_EQ(ms(r.ended_at), 1772620387000);

  body = json::parse(kOpbxAnswered);
  body.erase("start_time");
  r = parse_cdr(body);
  EXPECT_EQ(ms(r.started_at), 1772620200000);

  body = json::parse(kOpbxAnswered);
  body.erase("duration");
  body["end_time"] = "2026-03-04T10:33:07.900Z";
  r = parse_cdr(body);
  EXPECT_EQ(r.duration, 187);

  body = json::parse(kOpbxAnswered);
  body.erase("start_time");
  body.erase("end_time");
  r = parse_cdr(body);
  EXPECT_FALSE(r.started_at);
  EXPECT_FALSE(r.ended_at);
  EXPECT_EQ(r.duration, 187);

  // A derived instant outside years 1 to 9999 is dropped, as an unparseable one is.
  body = json::parse(kOpbxAnswered);
  body["start_time"] = "9999-12-31T23:59:00Z";
  body.erase("end_time");
  r = parse_cdr(body);
  EXPECT_TRUE(r.started_at);
  EXPECT_FALSE(r.ended_at);
  body["start_time"] = "not a time";
  body["end_time"] = "0001-01-01T00:01:00Z";
  r = parse_cdr(body);
  EXPECT_FALSE(r.started_at);
  EXPECT_TRUE(r.ended_at);
}

TEST(CdrOpbx, BillsecIsTakenWhenSent) {
  auto body = json::parse(kOpbxAnswered);
  body["billsec"] = 181;
  EXPECT_EQ(parse_cdr(body).billsec, 181);
}

TEST(CdrOpbx, IdentityAndDirection) {
  auto body = json::parse(kOpbxAnswered);
  body.erase("session_uuid");
  EXPECT_EQ(parse_cdr(body).session_token, "48211907");
  body["call_id"] = "sip-1";
  body["direction"] = "Outgoing";
  auto r = parse_cdr(body);
  EXPECT_EQ(r.session_token, "48211907");
  EXPECT_EQ(r.call_id, "sip-1");
  EXPECT_EQ(r.direction, Direction::outbound);
  body.erase("session_id");
  body["session_uuid"] = std::string(300, 'u');
  EXPECT_THROW(parse_cdr(body), CdrError);
}

TEST(CdrOpbx, ASessionThatNamesTheCallMakesItNative) {
  auto body = json::parse(kOpbxAnswered);
  body["session"] = {{"token", "native-token"}, {"callStartTime", 1772620500000}};
  body["owner"] = {{"domain", {{"uuid", "owner-uuid"}}}};
  auto r = parse_cdr(body);
  EXPECT_EQ(r.session_token, "native-token");
  EXPECT_EQ(r.domain_uuid, "owner-uuid");
  EXPECT_EQ(ms(r.started_at), 1772620500000);
  // Native fixtures carry none of the OPBX fields and read as before (see the fixture tests).
  body["session"] = {{"id", 77}};
  EXPECT_EQ(parse_cdr(body).session_token, "77");
}

}  // namespace
}  // namespace pbx::cloudonix
