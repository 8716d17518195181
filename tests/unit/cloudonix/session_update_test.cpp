#include "cloudonix/session_update.hpp"
#include "fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace pbx::cloudonix {
namespace {

using nlohmann::json;

json fixture(const std::string& name) { return json::parse(test::fixture_text(name)); }

SessionUpdate one(const json& element) {
  auto item = parse_session_update(element);
  EXPECT_TRUE(item.ok()) << item.error;
  return item.update.value_or(SessionUpdate{});
}

TEST(SessionUpdate, RingingFixture) {
  auto items = parse_session_updates(fixture("session-update-ringing.json"));
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].ok()) << items[0].error;
  const auto& u = *items[0].update;
  EXPECT_EQ(u.session_token, "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0");
  EXPECT_EQ(u.event_id, "3f9c2a1e-7b44-4d0e-9a61-2c8e5b7d1f03");
  EXPECT_EQ(u.dedupe_key, "e:3f9c2a1e-7b44-4d0e-9a61-2c8e5b7d1f03");
  EXPECT_EQ(u.id, 48211907);
  EXPECT_EQ(u.domain, "acme.cloudonix.net");
  EXPECT_EQ(u.domain_id, 912);
  EXPECT_EQ(u.subscriber_id, "");
  EXPECT_EQ(u.caller_id, "+14155550142");
  EXPECT_EQ(u.destination, "+12125550100");
  EXPECT_EQ(u.direction_raw, "incoming");
  EXPECT_EQ(u.direction, Direction::inbound);
  EXPECT_EQ(u.status, "ringing");
  EXPECT_EQ(u.action, "call");
  ASSERT_TRUE(u.created_at);
  EXPECT_EQ(to_iso8601(*u.created_at), "2026-03-04T10:30:00.000Z");
  ASSERT_TRUE(u.modified_at);
  EXPECT_EQ(to_iso8601(*u.modified_at), "2026-03-04T10:30:02.000Z");
  ASSERT_TRUE(u.call_start_time);
  EXPECT_EQ(u.call_start_time->time_since_epoch().count(), 1772620200000);
  EXPECT_FALSE(u.call_answer_time);
  EXPECT_FALSE(u.call_end_time);
  EXPECT_EQ(u.time_limit, 3600);
  EXPECT_EQ(u.call_ids, std::vector<std::string>{"a84b4c76e66710@203.0.113.7:5060"});
  EXPECT_EQ(json::parse(u.raw), fixture("session-update-ringing.json"));
}

TEST(SessionUpdate, ArrayFixture) {
  auto items = parse_session_updates(fixture("session-update-array.json"));
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].ok());
  EXPECT_EQ(items[0].update->status, "connected");
  ASSERT_TRUE(items[0].update->call_answer_time);
  EXPECT_EQ(items[0].update->call_answer_time->time_since_epoch().count(), 1772620206000);
  EXPECT_EQ(json::parse(items[0].raw), fixture("session-update-array.json")[0]);
}

TEST(SessionUpdate, ArrayReportsErrorsPerElement) {
  auto body = json::parse(R"([
    {"token": "t1", "status": "ringing"},
    {"status": "ringing"},
    42,
    {"id": 7, "status": "CONNECTED"},
    null
  ])");
  auto items = parse_session_updates(body);
  ASSERT_EQ(items.size(), 5u);
  EXPECT_TRUE(items[0].ok());
  EXPECT_FALSE(items[1].ok());
  EXPECT_NE(items[1].error.find("neither token nor id"), std::string::npos);
  EXPECT_EQ(items[1].raw, R"({"status":"ringing"})");
  EXPECT_FALSE(items[2].ok());
  EXPECT_EQ(items[2].raw, "42");
  ASSERT_TRUE(items[3].ok());
  EXPECT_EQ(items[3].update->session_token, "7");
  EXPECT_EQ(items[3].update->status, "connected");
  EXPECT_FALSE(items[4].ok());
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].index, i);
}

TEST(SessionUpdate, NonObjectBodies) {
  EXPECT_TRUE(parse_session_updates(json::array()).empty());
  for (const auto& body : {json("text"), json(12), json(nullptr), json(true)}) {
    auto items = parse_session_updates(body);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_FALSE(items[0].ok());
    EXPECT_FALSE(items[0].error.empty());
  }
}

TEST(SessionUpdate, NumbersAsStringsAndStringsAsNumbers) {
  auto u = one(json::parse(R"({"id": "48211907", "token": 12345, "domainId": "912",
      "callerId": 14155550142, "destination": 100, "timeLimit": "3600",
      "callStartTime": "1772620200000", "callAnswerTime": "0", "callEndTime": 1772620387000.0,
      "subscriberId": 55})"));
  EXPECT_EQ(u.id, 48211907);
  EXPECT_EQ(u.session_token, "12345");
  EXPECT_EQ(u.domain_id, 912);
  EXPECT_EQ(u.caller_id, "14155550142");
  EXPECT_EQ(u.destination, "100");
  EXPECT_EQ(u.time_limit, 3600);
  EXPECT_EQ(u.subscriber_id, "55");
  ASSERT_TRUE(u.call_start_time);
  EXPECT_EQ(u.call_start_time->time_since_epoch().count(), 1772620200000);
  EXPECT_FALSE(u.call_answer_time);
  ASSERT_TRUE(u.call_end_time);
  EXPECT_EQ(u.call_end_time->time_since_epoch().count(), 1772620387000);
}

TEST(SessionUpdate, IdFallbackAcceptsFloatAndStringIds) {
  EXPECT_EQ(one(json::parse(R"({"id": 48211907.0})")).session_token, "48211907");
  EXPECT_EQ(one(json::parse(R"({"id": " 99 "})")).session_token, "99");
  EXPECT_EQ(one(json::parse(R"({"token": "", "id": 5})")).session_token, "5");
  EXPECT_FALSE(parse_session_update(json::parse(R"({"token": null, "id": null})")).ok());
  EXPECT_FALSE(parse_session_update(json::parse(R"({"token": {}, "id": []})")).ok());
}

TEST(SessionUpdate, DomainAsObject) {
  auto u = one(json::parse(R"({"token": "t", "domain": {"name": "acme.cloudonix.net",
      "uuid": "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37"}})"));
  EXPECT_EQ(u.domain, "acme.cloudonix.net");
  EXPECT_EQ(u.domain_uuid, "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37");
  auto v = one(json::parse(R"({"token": "t", "domain": {"domain": "b.example", "id": 7}})"));
  EXPECT_EQ(v.domain, "b.example");
  EXPECT_EQ(v.domain_uuid, "7");
  EXPECT_EQ(one(json::parse(R"({"token": "t", "domain": []})")).domain, "");
}

TEST(SessionUpdate, DirectionAndStatusAreCaseInsensitive) {
  auto u = one(json::parse(R"({"token": "t", "direction": "OutGoing", "status": "RINGING"})"));
  EXPECT_EQ(u.direction_raw, "outgoing");
  EXPECT_EQ(u.direction, Direction::outbound);
  EXPECT_EQ(u.status, "ringing");
  auto v = one(json::parse(R"({"token": "t", "direction": "sideways", "status": "Teleported"})"));
  EXPECT_EQ(v.direction_raw, "sideways");
  EXPECT_EQ(v.direction, Direction::unknown);
  EXPECT_EQ(v.status, "teleported");
}

TEST(SessionUpdate, MissingEverythingButToken) {
  auto u = one(json::parse(R"({"token": "only"})"));
  EXPECT_EQ(u.session_token, "only");
  EXPECT_FALSE(u.event_id);
  EXPECT_FALSE(u.id);
  EXPECT_EQ(u.status, "");
  EXPECT_EQ(u.direction, Direction::unknown);
  EXPECT_FALSE(u.created_at);
  EXPECT_FALSE(u.modified_at);
  EXPECT_FALSE(u.call_start_time);
  EXPECT_TRUE(u.call_ids.empty());
  EXPECT_EQ(u.dedupe_key, "s:only||");
}

TEST(SessionUpdate, WrongTypesAreIgnored) {
  auto u = one(json::parse(R"({"token": "t", "status": {"a": 1}, "createdAt": 5,
      "modifiedAt": "yesterday", "callStartTime": "soon", "callEndTime": -5,
      "callAnswerTime": 1e300, "callIds": [1, "x", null], "timeLimit": "lots",
      "domainId": 1.5e30, "lastError": {"code": 1}, "profile": "none"})"));
  EXPECT_EQ(u.status, "");
  EXPECT_FALSE(u.created_at);
  EXPECT_FALSE(u.modified_at);
  EXPECT_EQ(u.modified_at_raw, "yesterday");
  EXPECT_FALSE(u.call_start_time);
  EXPECT_FALSE(u.call_end_time);
  EXPECT_FALSE(u.call_answer_time);
  EXPECT_EQ(u.call_ids, std::vector<std::string>{"x"});
  EXPECT_FALSE(u.time_limit);
  EXPECT_FALSE(u.domain_id);
  EXPECT_EQ(u.last_error, "");
  EXPECT_EQ(u.dedupe_key, "s:t||yesterday");
}

TEST(SessionUpdate, DedupeKeyWithoutEventIdIsStable) {
  auto a = one(json::parse(R"({"token": "t", "status": "ringing",
      "modifiedAt": "2026-03-04T10:30:02Z"})"));
  auto same_instant = one(json::parse(R"({"token": "t", "status": "Ringing",
      "modifiedAt": "2026-03-04T12:30:02.000+02:00", "callerId": "+1"})"));
  EXPECT_EQ(a.dedupe_key, "s:t|ringing|2026-03-04T10:30:02.000Z");
  EXPECT_EQ(a.dedupe_key, same_instant.dedupe_key);
  EXPECT_EQ(a.dedupe_key, session_update_dedupe_key(a));
}

TEST(SessionUpdate, DedupeKeysAreDistinct) {
  std::set<std::string> keys;
  for (const char* text : {
           R"({"token": "t", "status": "ringing", "modifiedAt": "2026-03-04T10:30:02Z"})",
           R"({"token": "t", "status": "connected", "modifiedAt": "2026-03-04T10:30:02Z"})",
           R"({"token": "t", "status": "ringing", "modifiedAt": "2026-03-04T10:30:03Z"})",
           R"({"token": "u", "status": "ringing", "modifiedAt": "2026-03-04T10:30:02Z"})",
           R"({"token": "t", "status": "ringing", "eventId": "e1"})",
           R"({"token": "t", "status": "ringing", "eventId": "e2"})",
       }) {
    keys.insert(one(json::parse(text)).dedupe_key);
  }
  EXPECT_EQ(keys.size(), 6u);
}

TEST(SessionUpdate, EventIdWinsOverEverythingElse) {
  auto a = one(json::parse(R"({"token": "t", "status": "ringing", "eventId": "e1"})"));
  auto b = one(json::parse(R"({"token": "u", "status": "busy", "eventId": "e1"})"));
  EXPECT_EQ(a.dedupe_key, "e:e1");
  EXPECT_EQ(a.dedupe_key, b.dedupe_key);
}

TEST(SessionUpdate, OversizedKeys) {
  json element{{"token", std::string(kMaxKeyLength + 1, 't')}};
  auto item = parse_session_update(element);
  EXPECT_FALSE(item.ok());
  auto u = one(json{{"token", "t"}, {"eventId", std::string(5000, 'e')}});
  EXPECT_EQ(u.dedupe_key.size(), 2u + 64u);
  EXPECT_EQ(u.dedupe_key.substr(0, 2), "h:");
  EXPECT_EQ(u.dedupe_key,
            one(json{{"token", "t"}, {"eventId", std::string(5000, 'e')}}).dedupe_key);
}

TEST(SessionUpdate, InvalidUtf8InConstructedJsonDoesNotThrow) {
  json element{{"token", "t"}, {"status", std::string("\xff\xfe")}};
  EXPECT_NO_THROW(parse_session_update(element));
}

TEST(SessionUpdate, StoresOnlyWhatPostgresAccepts) {
  // Year 0 and NUL used to make the whole webhook batch fail.
  auto u = one(json::parse(
      R"({"token":"t\u0000","status":"ringing","createdAt":"0000-01-01T00:00:00Z",
          "modifiedAt":"0000-06-01T00:00:00+00:00","callIds":["a\u0000"]})"));
  EXPECT_EQ(u.session_token, "t\xEF\xBF\xBD");
  EXPECT_FALSE(u.created_at);
  EXPECT_FALSE(u.modified_at);
  EXPECT_EQ(u.modified_at_raw, "0000-06-01T00:00:00+00:00");
  EXPECT_EQ(u.call_ids, std::vector<std::string>{"a\xEF\xBF\xBD"});
  EXPECT_EQ(u.dedupe_key, "s:t\xEF\xBF\xBD|ringing|0000-06-01T00:00:00+00:00");
}

// The older, simplified (OPBX) style: flat fields, `state` for status, an ISO-8601 timestamp.
constexpr const char* kOpbxRinging = R"({
  "session_id": 48211907,
  "session_uuid": "0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10",
  "domain_uuid": "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37",
  "direction": "incoming",
  "from": "+14155550142",
  "to": "+12125550100",
  "state": "ringing",
  "timestamp": "2026-03-04T10:30:02Z"
})";

json opbx(const std::string& state, const std::string& timestamp = "2026-03-04T10:30:02Z") {
  auto element = json::parse(kOpbxRinging);
  element["state"] = state;
  element["timestamp"] = timestamp;
  return element;
}

TEST(SessionUpdateOpbx, SampleMapsOntoTheNativeFields) {
  auto body = json::parse(kOpbxRinging);
  auto items = parse_session_updates(body);
  ASSERT_EQ(items.size(), 1u);
  ASSERT_TRUE(items[0].ok()) << items[0].error;
  const auto& u = *items[0].update;
  EXPECT_EQ(u.session_token, "0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10");
  EXPECT_EQ(u.id, 48211907);
  EXPECT_EQ(u.domain_uuid, "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37");
  EXPECT_EQ(u.domain, "");
  EXPECT_EQ(u.caller_id, "+14155550142");
  EXPECT_EQ(u.destination, "+12125550100");
  EXPECT_EQ(u.direction_raw, "incoming");
  EXPECT_EQ(u.direction, Direction::inbound);
  EXPECT_EQ(u.status, "ringing");
  ASSERT_TRUE(u.modified_at);
  EXPECT_EQ(to_iso8601(*u.modified_at), "2026-03-04T10:30:02.000Z");
  EXPECT_EQ(u.modified_at_raw, "2026-03-04T10:30:02Z");
  EXPECT_FALSE(u.event_id);
  EXPECT_FALSE(u.created_at);
  // Ringing says nothing about when the call started, was answered or ended.
  EXPECT_FALSE(u.call_start_time);
  EXPECT_FALSE(u.call_answer_time);
  EXPECT_FALSE(u.call_end_time);
  EXPECT_EQ(u.dedupe_key,
            "s:0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10|ringing|2026-03-04T10:30:02.000Z");
  EXPECT_EQ(json::parse(u.raw), body);
}

TEST(SessionUpdateOpbx, SessionIdWhenThereIsNoUuid) {
  auto element = json::parse(kOpbxRinging);
  element.erase("session_uuid");
  auto u = one(element);
  EXPECT_EQ(u.session_token, "48211907");
  EXPECT_EQ(u.id, 48211907);
  element["session_id"] = "s-1";
  u = one(element);
  EXPECT_EQ(u.session_token, "s-1");
  EXPECT_FALSE(u.id);
}

TEST(SessionUpdateOpbx, StatesMapOntoTheNativeStatuses) {
  const std::pair<const char*, const char*> cases[] = {
      {"new", "new"},
      {"processing", "processing"},
      {"Ringing", "ringing"},
      {"answered", "connected"},
      {"connected", "connected"},
      {"answer", "answer"},
      {"no answer", "noanswer"},
      {"NO_ANSWER", "noanswer"},
      {"no-answer", "noanswer"},
      {"busy", "busy"},
      {"cancelled", "cancel"},
      {"canceled", "cancel"},
      {"failed", "failed"},
      {"completed", "completed"},
      {"Teleported", "teleported"},
      {"", ""},
  };
  for (const auto& [state, status] : cases) {
    EXPECT_EQ(one(opbx(state)).status, status) << state;
  }
}

TEST(SessionUpdateOpbx, TheEventTimeDatesWhatTheStateSays) {
  const auto at = [](const std::optional<Timestamp>& t) {
    return t ? to_iso8601(*t) : std::string("-");
  };
  auto started = one(opbx("new", "2026-03-04T10:30:00Z"));
  EXPECT_EQ(at(started.call_start_time), "2026-03-04T10:30:00.000Z");
  EXPECT_EQ(at(started.call_answer_time), "-");
  EXPECT_EQ(at(one(opbx("processing")).call_start_time), "2026-03-04T10:30:02.000Z");
  auto answered = one(opbx("answered", "2026-03-04T10:30:06Z"));
  EXPECT_EQ(at(answered.call_start_time), "-");
  EXPECT_EQ(at(answered.call_answer_time), "2026-03-04T10:30:06.000Z");
  EXPECT_EQ(at(answered.call_end_time), "-");
  for (const char* terminal : {"no answer", "busy", "completed", "failed", "cancelled"}) {
    auto ended = one(opbx(terminal, "2026-03-04T10:33:07+01:00"));
    EXPECT_EQ(at(ended.call_end_time), "2026-03-04T09:33:07.000Z") << terminal;
    EXPECT_EQ(at(ended.call_answer_time), "-") << terminal;
  }
  auto unknown = one(opbx("teleported"));
  EXPECT_EQ(at(unknown.call_start_time), "-");
  EXPECT_EQ(at(unknown.call_end_time), "-");
  // An unparseable timestamp still tells updates apart, but dates nothing.
  auto undated = one(opbx("answered", "just now"));
  EXPECT_FALSE(undated.modified_at);
  EXPECT_FALSE(undated.call_answer_time);
  EXPECT_EQ(undated.dedupe_key, "s:0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10|connected|just now");
}

TEST(SessionUpdateOpbx, DirectionsUseTheNativeVocabulary) {
  auto element = json::parse(kOpbxRinging);
  for (const auto& [sent, expected] :
       std::vector<std::pair<std::string, Direction>>{{"Outgoing", Direction::outbound},
                                                      {"internal", Direction::internal},
                                                      {"application", Direction::outbound},
                                                      {"sideways", Direction::unknown}}) {
    element["direction"] = sent;
    EXPECT_EQ(one(element).direction, expected) << sent;
  }
}

TEST(SessionUpdateOpbx, NativeIdentifiersDecideTheStyle) {
  // `token` or `id` make it native: the OPBX fields are then not read at all.
  auto element = json::parse(kOpbxRinging);
  element["token"] = "native-token";
  element["status"] = "connected";
  auto u = one(element);
  EXPECT_EQ(u.session_token, "native-token");
  EXPECT_EQ(u.status, "connected");
  EXPECT_EQ(u.caller_id, "");
  EXPECT_EQ(u.domain_uuid, "");
  EXPECT_FALSE(u.modified_at);
  element.erase("token");
  element["id"] = 5;
  EXPECT_EQ(one(element).session_token, "5");
}

TEST(SessionUpdateOpbx, WithoutAnIdentifierItIsAnError) {
  auto element = json::parse(kOpbxRinging);
  element.erase("session_uuid");
  element["session_id"] = nullptr;
  auto item = parse_session_update(element);
  EXPECT_FALSE(item.ok());
  EXPECT_NE(item.error.find("session_uuid"), std::string::npos) << item.error;
  element["session_uuid"] = std::string(kMaxKeyLength + 1, 'u');
  EXPECT_FALSE(parse_session_update(element).ok());
}

TEST(SessionUpdateOpbx, ArraysMayMixBothStyles) {
  auto native = json{{"token", "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0"}, {"status", "ringing"}};
  auto body = json::array({json::parse(kOpbxRinging), native});
  auto items = parse_session_updates(body);
  ASSERT_EQ(items.size(), 2u);
  ASSERT_TRUE(items[0].ok() && items[1].ok());
  EXPECT_EQ(items[0].update->session_token, "0b6f2c1e-5a7d-4e39-9c21-7f3a8d4b6e10");
  EXPECT_EQ(items[1].update->session_token, "6a1f0c2e9b7d4e55a0c3f1d2b4e6a8c0");
}

TEST(SessionUpdate, ArraysHoldAtMostTheLimit) {
  auto element = [](std::size_t i) {
    return json{{"token", "t" + std::to_string(i)}, {"status", "ringing"}};
  };
  auto body = json::array();
  for (std::size_t i = 0; i < kMaxSessionUpdatesPerBody; ++i) body.push_back(element(i));
  auto items = parse_session_updates(body);
  ASSERT_EQ(items.size(), kMaxSessionUpdatesPerBody);
  for (const auto& item : items) EXPECT_TRUE(item.ok()) << item.error;

  body.push_back(element(kMaxSessionUpdatesPerBody));
  items = parse_session_updates(body);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_FALSE(items[0].ok());
  EXPECT_EQ(items[0].index, 0u);
  EXPECT_EQ(items[0].error,
            "a session-update array holds at most 100 elements; this one holds 101");
  EXPECT_EQ(json::parse(items[0].raw), body);
}

TEST(SessionUpdate, Iso8601Parsing) {
  auto ms = [](std::string_view s) { return parse_iso8601(s)->time_since_epoch().count(); };
  EXPECT_EQ(ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ms("2026-03-04T10:30:00Z"), 1772620200000);
  EXPECT_EQ(ms("2026-03-04 10:30:00"), 1772620200000);
  EXPECT_EQ(ms("2026-03-04T10:30:00.5Z"), 1772620200500);
  EXPECT_EQ(ms("2026-03-04T10:30:00.123456Z"), 1772620200123);
  EXPECT_EQ(ms("2026-03-04T11:30:00+01:00"), 1772620200000);
  EXPECT_EQ(ms("2026-03-04T05:30:00-0500"), 1772620200000);
  for (const char* bad : {"", "2026-03-04", "2026-02-30T00:00:00Z", "2026-03-04T24:00:00Z",
                          "2026-03-04T10:30:00Zjunk", "2026-03-04T10:30:00.Z",
                          "2026-03-04T10:30:00+1", "x026-03-04T10:30:00Z"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

}  // namespace
}  // namespace pbx::cloudonix
