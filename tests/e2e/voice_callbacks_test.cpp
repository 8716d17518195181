// The callbacks of a call through HTTP against the running service: Dial outcomes, ring-group
// passes, IVR digits, voicemail recordings, and forged or foreign callback state.
#include "e2e/voice_fixture.hpp"
#include "support/eventually.hpp"

#include <algorithm>
#include <set>

namespace pbx::testing {
namespace {

using Voice = VoiceE2E;

const std::string kApology = "Say(Sorry, we cannot take your call right now. Goodbye.) Hangup";
const std::string kMailbox =
    "Say(You have reached Front Desk at extension 1001. Please leave a message after the tone.) "
    "Record Say(We did not receive a message. Goodbye.) Hangup";

std::map<std::string, std::string> dial_result(const std::string& call, const std::string& status,
                                               bool dial_call_status = true) {
  return {{"CallSid", call}, {dial_call_status ? "DialCallStatus" : "CallStatus", status}};
}

TEST_F(Voice, ExtensionDialOutcomes) {
  auto c = client();
  auto front = c.route(inbound("+12125550101", "ext-1"));
  EXPECT_EQ(c.callback(front.action(), dial_result("ext-1", "no-answer")).summary(), kMailbox);
  EXPECT_EQ(c.callback(front.action(), dial_result("ext-1", "noanswer")).summary(), kMailbox);
  EXPECT_EQ(c.callback(front.action(), dial_result("ext-1", "busy", false)).summary(), kMailbox);
  EXPECT_EQ(c.callback(front.action(), dial_result("ext-1", "completed")).summary(), "Hangup");
  auto both = dial_result("ext-1", "answered");
  both["CallStatus"] = "no-answer";  // DialCallStatus is read first
  EXPECT_EQ(c.callback(front.action(), both).summary(), "Hangup");

  auto sales = c.route(inbound("+12125550102", "ext-2"));  // no voicemail
  EXPECT_EQ(c.callback(sales.action(), dial_result("ext-2", "failed")).summary(), kApology);
  EXPECT_EQ(c.callback(sales.action(), dial_result("ext-2", "busy")).summary(), kApology);
}

// A Dial callback with only the status fields given ("" values kept, absent ones left out).
std::map<std::string, std::string> dial_fields(const std::string& call,
                                               std::map<std::string, std::string> fields) {
  fields["CallSid"] = call;
  return fields;
}

// What Cloudonix may send besides busy and no-answer: the caller is not hung up on, the next
// member rings, then the group's fallback (voicemail) takes the call.
TEST_F(Voice, CanceledUnknownOrEmptyStatusRingsTheNextMemberThenVoicemail) {
  auto c = client();
  const std::vector<std::map<std::string, std::string>> outcomes{
      {{"DialCallStatus", "canceled"}},
      {{"CallStatus", "canceled"}},
      {{"DialCallStatus", "CANCELED"}, {"CallStatus", "completed"}},
      {{"DialCallStatus", "unknown"}},
      {{"CallStatus", "unknown"}},
      {{"DialCallStatus", ""}},
      {{"DialCallStatus", ""}, {"CallStatus", ""}},
      {},
      {{"DialCallStatus", "cancelled-by-carrier"}},
  };
  for (size_t i = 0; i < outcomes.size(); ++i) {
    SCOPED_TRACE(nlohmann::json(outcomes[i]).dump());
    auto call = "seq-status-" + std::to_string(i);
    auto step = c.route(inbound("+12125550106", call));
    std::vector<std::string> rung{step.summary()};
    for (int n = 0; n < 4 && step.summary().rfind("Dial", 0) == 0; ++n) {
      step = c.callback(step.action(), dial_fields(call, outcomes[i]));
      rung.push_back(step.summary());
    }
    EXPECT_EQ(rung, (std::vector<std::string>{"Dial[Number:1005]", "Dial[Number:1006]",
                                              "Dial[Number:1005]", "Dial[Number:1006]", kMailbox}));
  }

  for (const char* status : {"canceled", "unknown", ""}) {
    SCOPED_TRACE(status);
    auto front = c.route(inbound("+12125550101", std::string("ext-status-") + status));
    EXPECT_EQ(c.callback(front.action(), dial_result(std::string("ext-status-") + status, status))
                  .summary(),
              kMailbox);

    // Round robin: the member after the one that did not answer.
    auto call = std::string("rr-status-") + status;
    auto ring = c.route(inbound("+12125550107", call));
    auto next = c.callback(ring.action(), dial_result(call, status));
    EXPECT_NE(next.summary(), ring.summary());
    EXPECT_EQ(next.summary().rfind("Dial[Number:", 0), 0u) << next.summary();
  }
}

// A status we do not know is logged with the request id, and the call carries on.
TEST_F(Voice, UnrecognisedDialStatusIsLoggedWithTheRequestId) {
  auto c = client();
  auto ring = c.route(inbound("+12125550106", "odd-status"));
  auto next = c.callback(ring.action(), dial_result("odd-status", "Rerouted-Elsewhere"));
  EXPECT_EQ(next.summary(), "Dial[Number:1006]");
  ASSERT_FALSE(next.request_id.empty());
  std::string line;
  EXPECT_TRUE(eventually([&] {
    auto log = svc_->log_text();
    auto at = log.find("rid=" + next.request_id + " ");
    if (at == std::string::npos) return false;
    line = log.substr(at, log.find('\n', at) - at);
    return true;
  }));
  EXPECT_NE(line.find("call=odd-status"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(unrecognised dial status "rerouted-elsewhere", taken as not answered)"),
            std::string::npos)
      << line;
}

// Cloudonix may fetch any callback by GET, the call's parameters appended to the action URL.
TEST_F(Voice, CallbacksAcceptGetWithParametersInTheQueryString) {
  auto c = client();
  auto menu = c.route(inbound("+12125550100", "get-ivr"));
  EXPECT_EQ(menu.attr("/Response/Gather", "method"), "POST");
  auto dial = c.callback_get(menu.action(), {{"CallSid", "get-ivr"}, {"Digits", "1"}});
  EXPECT_EQ(dial.status, 200);
  EXPECT_EQ(dial.summary(), "Dial[Number:1002]");
  EXPECT_EQ(dial.attr("/Response/Dial", "method"), "POST");
  EXPECT_EQ(c.callback_get(menu.action(), {{"CallSid", "get-ivr"}, {"Digits", "5"}}).summary(),
            "Say(That is not an option.) Gather[Say:Press 1 for sales & 2 for the stand-up]");

  auto front = c.route(inbound("+12125550101", "get-vm"));
  auto mailbox = c.callback_get(front.action(), dial_result("get-vm", "no-answer"));
  EXPECT_EQ(mailbox.summary(), kMailbox);
  EXPECT_EQ(mailbox.attr("/Response/Record", "method"), "POST");
  auto saved = c.callback_get(mailbox.action(), {{"CallSid", "get-vm"},
                                                 {"From", "+14155550142"},
                                                 {"RecordingUrl", "https://rec.example.net/g.mp3"},
                                                 {"RecordingDuration", "9"}});
  EXPECT_EQ(saved.summary(), "Say(Thank you. Your message has been saved. Goodbye.) Hangup");
  EXPECT_EQ(scalar("SELECT count(*) || ' ' || min(duration) || ' ' || min(call_id) FROM voicemails"
                   " WHERE recording_url = 'https://rec.example.net/g.mp3'"),
            "1 9 get-vm");

  auto answered = c.route(inbound("+12125550101", "get-answered"));
  EXPECT_EQ(c.callback_get(answered.action(), dial_result("get-answered", "completed")).summary(),
            "Hangup");
}

// The state is read from its own query parameter only: neither GET parameters nor a body can
// stand in for it or alter it.
TEST_F(Voice, SignedStateCannotBeForgedByGet) {
  auto c = client();
  auto dial = c.route(inbound("+12125550101", "get-owner"));
  auto url = dial.action();
  auto token = url.substr(url.find("state=") + 6);
  const std::string dial_status = std::string(kPublicBase) + "/api/voice/dial-status";

  EXPECT_EQ(c.callback_get(url, dial_result("someone-else", "no-answer")).summary(), kApology);
  auto tampered = url;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(c.callback_get(tampered, dial_result("get-owner", "no-answer")).summary(), kApology);
  EXPECT_EQ(c.callback_get(dial_status + "?state=eyJ0IjoiYSJ9.c2ln",
                           dial_result("get-owner", "no-answer"))
                .summary(),
            kApology);
  EXPECT_EQ(c.callback_get(dial_status, dial_result("get-owner", "no-answer")).summary(), kApology);
  // A state in a POST body counts for nothing: neither alone nor against the URL's.
  auto auth =
      std::map<std::string, std::string>{{"Authorization", "Bearer " + tenant_->requests_api_key},
                                         {"Content-Type", "application/json"}};
  auto body = dial_result("get-owner", "no-answer");
  body["state"] = token;
  EXPECT_EQ(c.post("/api/voice/dial-status", nlohmann::json(body).dump(), auth).summary(),
            kApology);
  body["state"] = "eyJ0IjoiYSJ9.c2ln";
  EXPECT_EQ(
      c.post("/api/voice/dial-status?state=" + token, nlohmann::json(body).dump(), auth).summary(),
      kMailbox);

  // The other tenant's state with this tenant's key, by GET.
  VoiceClient theirs(svc_->base_url(), other_->requests_api_key, kPublicBase);
  auto their_call = inbound("+13105550100", "get-theirs");
  their_call["Domain"] = "other.cloudonix.net";
  auto their_dial = theirs.route(their_call);
  EXPECT_EQ(c.callback_get(their_dial.action(), dial_result("get-theirs", "no-answer")).summary(),
            kApology);
  // And the genuine article still works by GET.
  EXPECT_EQ(c.callback_get(url, dial_result("get-owner", "no-answer")).summary(), kMailbox);
}

TEST_F(Voice, VoicemailIsStoredOnceAndSaysGoodbye) {
  auto c = client();
  auto dial = c.route(inbound("+12125550101", "vm-1"));
  auto mailbox = c.callback(dial.action(), dial_result("vm-1", "no-answer"));
  std::map<std::string, std::string> recording{{"CallSid", "vm-1"},
                                               {"From", "+14155550142"},
                                               {"RecordingUrl", "https://rec.example.net/vm-1.mp3"},
                                               {"RecordingDuration", "14"}};
  auto saved = c.callback(mailbox.action(), recording);
  EXPECT_EQ(saved.summary(), "Say(Thank you. Your message has been saved. Goodbye.) Hangup");
  c.callback(mailbox.action(), recording);  // Cloudonix retried the callback
  EXPECT_EQ(scalar("SELECT count(*) || ' ' || min(from_number) || ' ' || min(duration) || ' ' ||"
                   " min(call_id) || ' ' || bool_and(extension_id = '" +
                   ids_->front_desk +
                   "') FROM voicemails WHERE recording_url ="
                   " 'https://rec.example.net/vm-1.mp3'"),
            "1 +14155550142 14 vm-1 true");

  auto nothing = c.callback(mailbox.action(), {{"CallSid", "vm-1"}});
  EXPECT_EQ(nothing.summary(), "Say(We did not receive a message. Goodbye.) Hangup");
}

TEST_F(Voice, VoicemailWithPostgresDownApologisesWith200) {
  auto c = client();
  auto mailbox = c.route(inbound("+12125550103", "vm-down"));  // inactive: straight to mailbox
  TestEnv::get().pg().stop();
  auto r = c.callback(mailbox.action(), {{"CallSid", "vm-down"},
                                         {"RecordingUrl", "https://rec.example.net/down.mp3"}});
  TestEnv::get().pg().start();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.summary(), kApology);
}

TEST_F(Voice, SimultaneousGroupRingsActiveMembersThenFallsBack) {
  auto c = client();
  auto ring = c.route(inbound("+12125550105", "sim"));
  EXPECT_EQ(ring.summary(), "Dial[Number:1005,Number:1006]");  // 1003 is inactive
  EXPECT_EQ(ring.attr("/Response/Dial", "timeout"), "20");
  EXPECT_EQ(c.callback(ring.action(), dial_result("sim", "no-answer")).summary(), kApology);
  EXPECT_EQ(c.callback(ring.action(), dial_result("sim", "completed")).summary(), "Hangup");
}

TEST_F(Voice, GroupWithoutActiveMembersGoesStraightToFallback) {
  EXPECT_EQ(client().route(inbound("+12125550108")).summary(), "Dial[Number:+14155550100]");
}

TEST_F(Voice, SequentialGroupTriesEachMemberForEachTurnThenFallsBack) {
  auto c = client();
  auto step = c.route(inbound("+12125550106", "seq"));
  std::vector<std::string> rung{step.summary()};
  for (int i = 0; i < 4 && step.summary().rfind("Dial", 0) == 0; ++i) {
    step = c.callback(step.action(), dial_result("seq", i % 2 ? "no-answer" : "busy"));
    rung.push_back(step.summary());
  }
  EXPECT_EQ(rung, (std::vector<std::string>{"Dial[Number:1005]", "Dial[Number:1006]",
                                            "Dial[Number:1005]", "Dial[Number:1006]", kMailbox}));
  auto again = c.route(inbound("+12125550106", "seq-2"));
  EXPECT_EQ(c.callback(again.action(), dial_result("seq-2", "completed")).summary(), "Hangup");
}

TEST_F(Voice, RoundRobinRotatesAcrossInstancesAndSurvivesRedisOutage) {
  auto c = client();
  ServiceProcess second({"serve"}, *env_);
  second.wait_healthy();
  VoiceClient c2(second.base_url(), tenant_->requests_api_key, kPublicBase);
  std::vector<std::string> starts;
  for (int i = 0; i < 6; ++i) {
    auto call = inbound("+12125550107", "rr-" + std::to_string(i));
    starts.push_back((i % 2 ? c2 : c).route(call).summary());
  }
  const std::string a = "Dial[Number:1001]", b = "Dial[Number:1002]", m = "Dial[Number:1005]";
  // Consecutive calls start one member further on, whichever instance takes them.
  std::vector<std::string> order{a, b, m};
  auto first = std::find(order.begin(), order.end(), starts[0]) - order.begin();
  ASSERT_LT(first, 3) << starts[0];
  for (size_t i = 0; i < starts.size(); ++i) {
    EXPECT_EQ(starts[i], order[(static_cast<size_t>(first) + i) % 3]) << "call " << i;
  }
  EXPECT_NE(TestEnv::get().redis().cli("GET pbx:rr:" + tenant_->id + ":" + ids_->rr_group), "");

  // The next member after an unanswered one, then the rest of the pass.
  auto ring = c.route(inbound("+12125550107", "rr-pass"));
  auto next = c.callback(ring.action(), dial_result("rr-pass", "no-answer"));
  EXPECT_NE(next.summary(), ring.summary());
  EXPECT_EQ(next.summary().rfind("Dial[Number:", 0), 0u);

  TestEnv::get().redis().stop();
  std::set<std::string> without_redis;
  for (int i = 0; i < 3; ++i) {
    auto r = c.route(inbound("+12125550107", "rr-down-" + std::to_string(i)));
    EXPECT_EQ(r.status, 200);
    without_redis.insert(r.summary());
  }
  TestEnv::get().redis().start();
  EXPECT_EQ(without_redis.size(), 3u) << "the local counter still rotates";
}

TEST_F(Voice, IvrMenuFollowsOptionsRepromptsAndFailsOver) {
  auto c = client();
  auto menu = c.route(inbound("+12125550100", "ivr"));
  EXPECT_EQ(menu.summary(), "Gather[Say:Press 1 for sales & 2 for the stand-up]");
  EXPECT_EQ(menu.attr("/Response/Gather", "numDigits"), "2");
  EXPECT_EQ(menu.attr("/Response/Gather", "timeout"), "7");
  EXPECT_EQ(menu.attr("/Response/Gather", "actionOnEmptyResult"), "true");
  EXPECT_EQ(menu.attr("/Response/Gather/Say", "voice"), "Google:en-US-Neural2-F");
  EXPECT_NE(menu.raw.find("sales &amp; 2"), std::string::npos) << "escaped once";

  auto digits = [&](const Cxml& from, const std::string& d) {
    return c.callback(from.action(), {{"CallSid", "ivr"}, {"Digits", d}});
  };
  EXPECT_EQ(digits(menu, "1").summary(), "Dial[Number:1002]");
  EXPECT_EQ(digits(menu, "2#").summary(), "Dial[Conference:standup]");
  auto sub = digits(menu, "90");
  EXPECT_EQ(sub.summary(), "Gather[Play:https://audio.example.net/sub.mp3]");
  EXPECT_EQ(digits(sub, "").summary(), "Hangup");  // its timeout destination
  EXPECT_EQ(digits(sub, "1").summary(), "Dial[Number:+14155550100]");

  auto retry = digits(menu, "5");
  EXPECT_EQ(retry.summary(),
            "Say(That is not an option.) Gather[Say:Press 1 for sales & 2 for the stand-up]");
  EXPECT_EQ(digits(retry, "1").summary(), "Dial[Number:1002]");
  auto failover = digits(retry, "7");
  EXPECT_EQ(failover.summary(), "Say(That is not an option.) " + kMailbox);

  auto silent = digits(menu, "");
  EXPECT_EQ(silent.summary(), "Gather[Say:Press 1 for sales & 2 for the stand-up]");
  EXPECT_EQ(digits(silent, "").summary(), kMailbox);
}

TEST_F(Voice, ForgedTamperedForeignOrMisdirectedStateHangsUpSafely) {
  auto c = client();
  auto dial = c.route(inbound("+12125550101", "owner-call"));
  auto url = dial.action();
  EXPECT_EQ(c.callback(url, dial_result("someone-else", "no-answer")).summary(), kApology);
  auto tampered = url;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(c.callback(tampered, dial_result("owner-call", "no-answer")).summary(), kApology);
  auto forged = std::string(kPublicBase) + "/api/voice/dial-status?state=eyJ0IjoiYSJ9.c2ln";
  EXPECT_EQ(c.callback(forged, dial_result("owner-call", "no-answer")).summary(), kApology);
  EXPECT_EQ(c.callback(std::string(kPublicBase) + "/api/voice/gather", {{"Digits", "1"}}).summary(),
            kApology);

  // A state issued to the other tenant, presented with this tenant's key.
  VoiceClient theirs(svc_->base_url(), other_->requests_api_key, kPublicBase);
  auto their_call = inbound("+13105550100", "their-call");
  their_call["Domain"] = "other.cloudonix.net";
  auto their_dial = theirs.route(their_call);
  EXPECT_EQ(their_dial.summary(), "Dial[Number:2001]");
  EXPECT_EQ(c.callback(their_dial.action(), dial_result("their-call", "no-answer")).summary(),
            kApology);
}

}  // namespace
}  // namespace pbx::testing
