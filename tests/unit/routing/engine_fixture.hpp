#pragma once
// Shared by the routing engine unit tests: one tenant built in code, a fixed clock and key, and
// goldens that show the CXML with state tokens masked after checking what the tokens carry.
#include "routing/engine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace pbx::routing::engine_test {

using std::chrono::system_clock;
using namespace std::chrono_literals;

// 2026-03-04T10:00:00Z, a Wednesday.
inline const system_clock::time_point kNow{1772618400s};
inline constexpr const char* kCallId = "call-1";
inline constexpr const char* kDecl = R"(<?xml version="1.0" encoding="UTF-8"?>)";
inline constexpr const char* kApology =
    "<Response><Say>Sorry, we cannot take your call right now. Goodbye.</Say><Hangup/></Response>";

// Dial statuses as they arrive in DialCallStatus (nullptr: no status at all). Only a callee who
// answered ends the call; every other status carries on as no answer does.
inline const std::vector<const char*> kAnsweredStatuses{"completed", "COMPLETED", "answered",
                                                        "Answered"};
inline const std::vector<const char*> kNotAnsweredStatuses{
    "busy",   "Busy",     "no-answer", "NO-ANSWER", "noanswer", "NoAnswer", "failed",
    "FAILED", "canceled", "Canceled",  "unknown",   "UNKNOWN",  "",         nullptr};
// Statuses we do not know: not answered either, and reported for the log.
inline const std::vector<const char*> kUnrecognisedStatuses{
    "cancelled",  "in-progress",         "ringing", "queued", "no answer", "answer", "complete",
    " completed", "completed-elsewhere", "x\ny"};

inline Destination ext(const char* id) { return {DestinationType::extension, id}; }
inline Destination group(const char* id) { return {DestinationType::ring_group, id}; }
inline Destination menu(const char* id) { return {DestinationType::ivr_menu, id}; }
inline Destination mailbox(const char* id) { return {DestinationType::voicemail, id}; }
inline Destination hours(const char* id) { return {DestinationType::business_hours, id}; }
inline Destination room(const char* name) { return {DestinationType::conference, name}; }
inline Destination forward(const char* number) { return {DestinationType::forward, number}; }
inline Destination hangup_dest() { return {DestinationType::hangup, {}}; }

// "ring_group:sales position=1 turn=1 start=0 attempt=1": the parts a step depends on.
inline std::string describe(const CallbackState& s) {
  return std::string(type_name(s.destination.type)) + ":" + s.destination.ref +
         " position=" + std::to_string(s.position) + " turn=" + std::to_string(s.turn) +
         " start=" + std::to_string(s.start) + " attempt=" + std::to_string(s.attempt);
}

// An outcome as a golden: the CXML without the declaration and with every "state=<token>"
// written "state=…"; the decoded states and raw tokens in document order.
struct Shown {
  std::string xml;
  std::vector<std::string> states;
  std::vector<std::string> tokens;
  std::vector<std::string> problems;
  std::optional<VoicemailMessage> voicemail;

  std::string state() const { return states.size() == 1 ? states[0] : "<not one state>"; }
  std::string token() const { return tokens.size() == 1 ? tokens[0] : std::string(); }
};

class RoutingTest : public ::testing::Test {
 protected:
  RoutingTest() : codec_("unit-test-key") {
    t.tenant_id = "t-acme";
    t.public_base_url = "https://pbx.example.com/";  // the trailing slash must not double
    t.default_caller_id = "+12125550100";
    add_extension({"e1", "1001", "Alice", true, "", 25, true, "", true, "+12125550111"});
    add_extension({"e2", "1002", "Bob", true, "", 30, false, "", false, ""});
    add_extension({"e3", "1003", "Carol", true, "", 30, false, "", true, ""});
    add_extension({"e4", "1004", "Dave", false, "", 30, true, "", true, ""});
    add_extension({"e5", "1005", "", true, "+16465550199", 15, false, "", false, ""});
    add_extension({"e6", "1006", "Eve", true, "sip:eve@example.net", 20, false, "", false, ""});
    add_did("n1", "+12125550100", ext("e1"));
    t.index();
  }

  void add_extension(Extension e) { t.extensions[e.id] = std::move(e); }
  void add_did(const char* id, const char* number, Destination d, bool active = true) {
    t.phone_numbers[number_digits(number)] = PhoneNumber{id, number, active, std::move(d)};
  }

  static CallRequest inbound(std::string to, std::string from = "+14155550142") {
    CallRequest c;
    c.call_id = kCallId;
    c.from = std::move(from);
    c.to = std::move(to);
    return c;
  }
  static CallRequest internal(Direction d, std::string from, std::string to) {
    auto c = inbound(std::move(to), std::move(from));
    c.direction = d;
    return c;
  }
  static CallRequest dial_result(std::string status) {
    auto c = inbound("+12125550100");
    c.dial_status = std::move(status);
    return c;
  }
  // A dial-status callback as the handler reads it: `status` in DialCallStatus, none when null.
  static CallRequest dial_callback(const char* status) {
    url::Params params{{"Session", kCallId}};
    if (status != nullptr) params.emplace_back("DialCallStatus", status);
    return parse_call(params);
  }
  static CallRequest pressed(std::string digits) {
    auto c = inbound("+12125550100");
    c.digits = std::move(digits);
    return c;
  }

  Context context() {
    return Context{t, codec_, now, [this](const RingGroup& g) {
                     rotated.push_back(g.id);
                     return rotation++;
                   }};
  }
  Shown route(const CallRequest& c) { return show(route_call(context(), c)); }
  Shown next(Callback kind, const CallRequest& c, std::string_view token) {
    return show(continue_call(context(), kind, c, token));
  }
  std::string token_for(CallbackState s) const {
    if (s.tenant_id.empty()) s.tenant_id = t.tenant_id;
    if (s.call_id.empty()) s.call_id = kCallId;
    return codec_.encode(std::move(s), now);
  }

  Shown show(Outcome o) const {
    Shown r;
    r.xml = cxml::render(o.document);
    EXPECT_EQ(r.xml.rfind(kDecl, 0), 0u) << r.xml;
    r.xml.erase(0, std::string(kDecl).size());
    const std::string key = "state=";
    for (auto at = r.xml.find(key); at != std::string::npos; at = r.xml.find(key, at)) {
      at += key.size();
      auto end = r.xml.find_first_of("\"<&", at);
      auto token = r.xml.substr(at, end - at);
      if (auto s = codec_.decode(token, now)) {
        EXPECT_EQ(s->tenant_id, t.tenant_id);
        EXPECT_EQ(s->call_id, call_id);
        EXPECT_EQ(s->expires,
                  std::chrono::duration_cast<std::chrono::seconds>((now + 24h).time_since_epoch())
                      .count());
        r.states.push_back(describe(*s));
      } else {
        ADD_FAILURE() << "state token does not decode: " << token;
        r.states.push_back("<bad token>");
      }
      r.tokens.push_back(token);
      r.xml.replace(at, token.size(), "…");
    }
    r.problems = std::move(o.problems);
    r.voicemail = std::move(o.voicemail);
    return r;
  }

  TenantSnapshot t;
  system_clock::time_point now = kNow;
  std::string call_id = kCallId;  // the call the action URLs must be bound to
  long long rotation = 0;
  std::vector<std::string> rotated;  // ids of the groups next_rotation was asked about

 private:
  StateCodec codec_;
};

}  // namespace pbx::routing::engine_test
