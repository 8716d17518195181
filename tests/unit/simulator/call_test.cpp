// A simulated call against a scripted fake service: the requests Cloudonix would make, the
// virtual clock, the reports, and every way a call is "not as scripted".
#include "simulator/call.hpp"
#include "cloudonix/signature.hpp"
#include "simulator/timeline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>

namespace pbx::simulator {
namespace {

constexpr const char* kPublic = "https://pbx.public.example";

// Answers each path (query ignored) with a CXML document chosen by a function of the request.
struct FakeService {
  std::map<std::string, std::function<std::string(const nlohmann::json&)>> documents;
  std::vector<HttpRequest> requests;
  int status = 200;

  Transport transport() {
    return [this](const HttpRequest& req) {
      requests.push_back(req);
      auto path = req.url.substr(std::string("http://svc:1").size());
      path = path.substr(0, path.find('?'));
      if (path.rfind("/api/webhooks/", 0) == 0) return HttpAnswer{200, "{}", ""};
      auto it = documents.find(path);
      if (it == documents.end()) return HttpAnswer{404, "", ""};
      return HttpAnswer{status, it->second(nlohmann::json::parse(req.body)), ""};
    };
  }
  std::vector<std::string> webhook_statuses() const {
    std::vector<std::string> out;
    for (const auto& r : requests) {
      if (r.url.find("/api/webhooks/") == std::string::npos) continue;
      auto body = nlohmann::json::parse(r.body);
      out.push_back(body.contains("disposition") ? "cdr " + body["disposition"].get<std::string>()
                                                 : body["status"].get<std::string>());
    }
    return out;
  }
};

std::string doc(const std::string& inner) { return "<Response>" + inner + "</Response>"; }

CallSetup setup() {
  CallSetup s;
  s.url = "http://svc:1";
  s.key = "pbxk_key";
  s.secret = "pbxw_secret";
  s.from = "+14155550142";
  s.to = "+12025550100";
  s.domain = "demo.cloudonix.net";
  s.session = "sess-1";
  s.start_ms = 1772620200000;
  return s;
}

// The demo IVR: menu, then a sequential group of two, each Dial calling back.
FakeService ivr() {
  FakeService f;
  f.documents["/api/voice/route"] = [](const nlohmann::json&) {
    return doc(std::string(R"(<Gather action=")") + kPublic +
               R"(/api/voice/gather?state=1" numDigits="1" timeout="5" )"
               R"(actionOnEmptyResult="true"><Say>Press 1 for sales</Say></Gather>)");
  };
  f.documents["/api/voice/gather"] = [](const nlohmann::json& p) {
    if (p["Digits"] != "1") return doc("<Say>Sorry</Say><Hangup/>");
    return doc(std::string(R"(<Dial action=")") + kPublic +
               R"(/api/voice/dial-status?state=a" timeout="15"><Number>102</Number></Dial>)");
  };
  f.documents["/api/voice/dial-status"] = [](const nlohmann::json& p) {
    if (p["DialCallStatus"] == "completed") return doc("<Hangup/>");
    return doc(std::string(R"(<Dial action=")") + kPublic +
               R"(/api/voice/dial-status?state=b"><Number>103</Number></Dial>)");
  };
  return f;
}

TEST(SimulatedCall, FollowsIvrAndRingGroupAsCloudonixWould) {
  auto f = ivr();
  Script script{{"1"}, {{DialOutcome::Kind::busy}, {DialOutcome::Kind::answer, 30}}, {}};
  auto r = simulate_call(setup(), script, f.transport());
  EXPECT_EQ(r.exit_code(), 0) << render_json(r);
  EXPECT_EQ(r.disposition, "ANSWER");
  EXPECT_EQ(r.status, "completed");
  // Say 2 s, one key 1 s, busy 1 s, ring 3 s, talk 30 s.
  EXPECT_EQ(r.duration, 37);
  EXPECT_EQ(r.billsec, 30);
  EXPECT_EQ(r.call.answer_ms, 1772620200000 + 7000);
  EXPECT_EQ(f.webhook_statuses(),
            (std::vector<std::string>{"ringing", "connected", "completed", "cdr ANSWER"}));

  // Every voice request: bearer key, JSON body, rebased onto --url, the call's parameters.
  std::vector<std::string> urls;
  for (const auto& req : f.requests) {
    if (req.url.find("/api/voice/") == std::string::npos) continue;
    urls.push_back(req.url);
    auto p = nlohmann::json::parse(req.body);
    EXPECT_EQ(p["CallSid"], "sess-1");
    EXPECT_EQ(p["Session"], "sess-1");
    EXPECT_EQ(p["Direction"], "inbound");
    EXPECT_EQ(p["Domain"], "demo.cloudonix.net");
    EXPECT_EQ(req.headers.front(),
              (std::pair<std::string, std::string>{"Authorization", "Bearer pbxk_key"}));
  }
  EXPECT_EQ(urls, (std::vector<std::string>{"http://svc:1/api/voice/route",
                                            "http://svc:1/api/voice/gather?state=1",
                                            "http://svc:1/api/voice/dial-status?state=a",
                                            "http://svc:1/api/voice/dial-status?state=b"}));
  auto busy = nlohmann::json::parse(f.requests[3].body);
  EXPECT_EQ(busy["DialCallStatus"], "busy");
  EXPECT_EQ(busy["CallStatus"], "busy");
}

TEST(SimulatedCall, WebhooksAreSignedForTheTenant) {
  auto f = ivr();
  auto hmac = setup();
  hmac.auth = "hmac";
  simulate_call(hmac, {{"1"}, {}, {}}, f.transport());
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  int webhooks = 0;
  for (const auto& req : f.requests) {
    if (req.url.find("/api/webhooks/") == std::string::npos) continue;
    ++webhooks;
    std::map<std::string, std::string> h(req.headers.begin(), req.headers.end());
    EXPECT_EQ(h["X-CX-Domain"], "demo.cloudonix.net");
    EXPECT_EQ(cloudonix::verify_signature(h["X-Cloudonix-Signature"], h["X-Cloudonix-Timestamp"],
                                          req.body, {"pbxw_secret"}, now),
              cloudonix::SignatureResult::ok);
  }
  EXPECT_EQ(webhooks, 4);

  auto bearer = setup();
  bearer.auth = "bearer";
  FakeService g = ivr();
  simulate_call(bearer, {{"1"}, {}, {}}, g.transport());
  std::map<std::string, std::string> h(g.requests.front().headers.begin(),
                                       g.requests.front().headers.end());
  EXPECT_EQ(h["Authorization"], "Bearer pbxk_key");
  EXPECT_EQ(h.count("X-Cloudonix-Signature"), 0u);

  auto quiet = setup();
  quiet.webhooks = false;
  FakeService q = ivr();
  simulate_call(quiet, {{"1"}, {}, {}}, q.transport());
  EXPECT_TRUE(q.webhook_statuses().empty());
}

// The webhook requests of a call: url -> headers, in order.
std::vector<std::pair<std::string, std::map<std::string, std::string>>> webhooks_of(
    const FakeService& f) {
  std::vector<std::pair<std::string, std::map<std::string, std::string>>> out;
  for (const auto& req : f.requests) {
    if (req.url.find("/api/webhooks/") == std::string::npos) continue;
    out.emplace_back(req.url,
                     std::map<std::string, std::string>(req.headers.begin(), req.headers.end()));
  }
  return out;
}

TEST(SimulatedCall, WebhooksAreAuthenticatedAsRealCloudonixByDefault) {
  auto s = setup();
  s.token = "pbxt_tok";
  auto f = ivr();
  auto r = simulate_call(s, {{"1"}, {}, {}}, f.transport());
  EXPECT_EQ(r.exit_code(), 0) << render_json(r);
  auto sent = webhooks_of(f);
  ASSERT_EQ(sent.size(), 4u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& [url, h] = sent[i];
    EXPECT_EQ(url, "http://svc:1/api/webhooks/cloudonix/session-update");
    EXPECT_EQ(h.at("Authorization"), "Bearer pbxk_key");
    EXPECT_EQ(h.count("X-Cloudonix-Signature"), 0u);
    EXPECT_EQ(h.at("Content-Type"), "application/json");
  }
  // The CDR has no credential of its own: the token travels in its URL.
  const auto& [cdr_url, cdr_headers] = sent[3];
  EXPECT_EQ(cdr_url, "http://svc:1/api/webhooks/cloudonix/cdr?token=pbxt_tok");
  EXPECT_EQ(cdr_headers,
            (std::map<std::string, std::string>{{"Content-Type", "application/json"}}));
  // ... which the timeline never shows.
  EXPECT_EQ(render_json(r).find("pbxt_tok"), std::string::npos);
  EXPECT_EQ(render_text(r, false).find("pbxt_tok"), std::string::npos);
  EXPECT_NE(render_json(r).find("/api/webhooks/cloudonix/cdr?token=[redacted]"), std::string::npos)
      << render_json(r);

  // Without a token the CDR goes bare, as Cloudonix sends it.
  auto bare = ivr();
  simulate_call(setup(), {{"1"}, {}, {}}, bare.transport());
  auto bare_sent = webhooks_of(bare);
  ASSERT_EQ(bare_sent.size(), 4u);
  EXPECT_EQ(bare_sent[3].first, "http://svc:1/api/webhooks/cloudonix/cdr");
  EXPECT_EQ(bare_sent[3].second,
            (std::map<std::string, std::string>{{"Content-Type", "application/json"}}));
  EXPECT_EQ(bare_sent[0].second.at("Authorization"), "Bearer pbxk_key");
}

TEST(SimulatedCall, BearerAuthSendsTheKeyOnEveryWebhook) {
  auto s = setup();
  s.auth = "bearer";
  s.token = "pbxt_tok";
  auto f = ivr();
  simulate_call(s, {{"1"}, {}, {}}, f.transport());
  auto sent = webhooks_of(f);
  ASSERT_EQ(sent.size(), 4u);
  for (const auto& [url, h] : sent) {
    EXPECT_EQ(url.find('?'), std::string::npos) << url;
    EXPECT_EQ(h.at("Authorization"), "Bearer pbxk_key");
    EXPECT_EQ(h.count("X-Cloudonix-Signature"), 0u);
  }
}

TEST(SimulatedCall, RefusedWebhooksAreNotAsScripted) {
  auto f = ivr();
  auto transport = [&f](const HttpRequest& req) {
    if (req.url.find("/api/webhooks/cloudonix/cdr") != std::string::npos) {
      f.requests.push_back(req);
      return HttpAnswer{401, R"({"error":{"code":"unauthorized"}})", ""};
    }
    return f.transport()(req);
  };
  auto r = simulate_call(setup(), {{"1"}, {}, {}}, transport);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.problems, (std::vector<std::string>{"cdr: 401"}));
}

TEST(SimulatedCall, UnusedDigitsAndDialsAreNotAsScripted) {
  auto f = ivr();
  auto r = simulate_call(setup(), {{"2", "1"}, {}, {}}, f.transport());  // 2 ends the call
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.problems,
            std::vector<std::string>{"scripted digits left unused (the call ended first): 1"});
  EXPECT_EQ(r.disposition, "NOANSWER");

  auto g = ivr();
  auto extra = simulate_call(setup(), {{"1"}, {{}, {}}, true}, g.transport());
  EXPECT_EQ(extra.problems,
            (std::vector<std::string>{"scripted Dial outcomes left unused: 1",
                                      "a voicemail message was scripted but no Record came"}));
}

TEST(SimulatedCall, InvalidCxmlEndsTheCallWithExitTwo) {
  FakeService f;
  f.documents["/api/voice/route"] = [](const nlohmann::json&) {
    return doc("<Dial><Say>hi</Say></Dial>");
  };
  auto r = simulate_call(setup(), {}, f.transport());
  EXPECT_EQ(r.exit_code(), 2);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0],
            "invalid CXML from http://svc:1/api/voice/route: <Say> is not allowed inside <Dial>");
  EXPECT_EQ(f.webhook_statuses(),
            (std::vector<std::string>{"ringing", "noanswer", "cdr NOANSWER"}));
}

TEST(SimulatedCall, ServiceErrorsAndLoopsAreNotAsScripted) {
  FakeService f;
  f.status = 401;
  f.documents["/api/voice/route"] = [](const nlohmann::json&) { return std::string(); };
  auto r = simulate_call(setup(), {}, f.transport());
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.problems, std::vector<std::string>{"voice request: the service answered 401"});

  FakeService loop;
  loop.documents["/api/voice/route"] = [](const nlohmann::json&) {
    return doc(std::string("<Pause/><Redirect>") + kPublic + "/api/voice/route</Redirect>");
  };
  auto looped = simulate_call(setup(), {}, loop.transport());
  EXPECT_EQ(looped.exit_code(), 1);
  EXPECT_EQ(looped.problems.back(), "the call was cut after 50 steps: a loop?");
}

// The route answers, then an action fails after the caller has already heard part of the call:
// the call ends there, with the failure as its one problem, and the reports still go out.
TEST(SimulatedCall, ActionFailingMidCallEndsItAsNotScripted) {
  auto g = ivr();
  auto inner = g.transport();
  Transport failing_gather = [inner](const HttpRequest& req) {
    auto answer = inner(req);
    if (req.url.find("/api/voice/gather") != std::string::npos) return HttpAnswer{500, "", ""};
    return answer;
  };
  auto r = simulate_call(setup(), {{"1"}, {}, false}, failing_gather);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_EQ(r.problems, std::vector<std::string>{"gather action: the service answered 500"});
  std::vector<std::string> voice;
  for (const auto& req : g.requests) {
    if (req.url.find("/api/voice/") != std::string::npos) voice.push_back(req.url);
  }
  EXPECT_EQ(voice, (std::vector<std::string>{"http://svc:1/api/voice/route",
                                             "http://svc:1/api/voice/gather?state=1"}));
  EXPECT_EQ(g.webhook_statuses(),
            (std::vector<std::string>{"ringing", "noanswer", "cdr NOANSWER"}));
}

TEST(SimulatedCall, GatherWithoutInputFallsThroughUnlessAskedForEmptyResults) {
  FakeService f;
  f.documents["/api/voice/route"] = [](const nlohmann::json&) {
    return doc(std::string(R"(<Gather action=")") + kPublic +
               R"(/api/voice/gather" timeout="4"><Say>Menu</Say></Gather><Say>Bye</Say>)");
  };
  auto r = simulate_call(setup(), {{""}, {}, {}}, f.transport());
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(r.timeline[r.timeline.size() - 3].what, "end of document");
  EXPECT_EQ(r.duration, 1 + 4 + 1);
}

TEST(SimulatedCall, VoicemailRecordsOrSkipsTheAction) {
  FakeService f;
  f.documents["/api/voice/route"] = [](const nlohmann::json&) {
    return doc(std::string(R"(<Dial action=")") + kPublic +
               R"(/api/voice/dial-status">101</Dial>)");
  };
  f.documents["/api/voice/dial-status"] = [](const nlohmann::json&) {
    return doc(std::string(R"(<Say>Leave a message</Say><Record action=")") + kPublic +
               R"(/api/voice/voicemail"/><Say>Nothing</Say><Hangup/>)");
  };
  nlohmann::json recorded;
  f.documents["/api/voice/voicemail"] = [&](const nlohmann::json& p) {
    recorded = p;
    return doc("<Say>Saved</Say><Hangup/>");
  };
  Script script{{}, {{DialOutcome::Kind::no_answer}}, true};
  auto r = simulate_call(setup(), script, f.transport());
  EXPECT_EQ(r.exit_code(), 0);
  EXPECT_EQ(recorded["RecordingUrl"], "https://recordings.simulator.invalid/sess-1.mp3");
  EXPECT_EQ(r.disposition, "NOANSWER");
  EXPECT_EQ(r.duration, 60 + 2 + 10 + 1);  // Dial timeout, say, message, say
  EXPECT_EQ(r.billsec, 0);

  recorded = nullptr;
  script.voicemail = false;
  auto silent = simulate_call(setup(), script, f.transport());
  EXPECT_TRUE(recorded.is_null());
  EXPECT_EQ(silent.timeline[silent.timeline.size() - 4].detail, "Nothing");
}

TEST(SimulatedCall, GetRedirectSendsTheParametersInTheQuery) {
  FakeService f;
  f.documents["/api/voice/route"] = [](const nlohmann::json& p) {
    if (p.is_null()) return doc("<Hangup/>");
    return doc(std::string(R"(<Redirect method="GET">)") + kPublic +
               "/api/voice/route?x=1</Redirect>");
  };
  auto transport = f.transport();
  Transport get_aware = [&](const HttpRequest& req) {
    if (req.method != "GET") return transport(req);
    f.requests.push_back(req);
    return HttpAnswer{200, doc("<Hangup/>"), ""};
  };
  auto r = simulate_call(setup(), {}, get_aware);
  EXPECT_EQ(r.exit_code(), 0);
  const auto& get = f.requests[2];
  EXPECT_EQ(get.method, "GET");
  EXPECT_TRUE(get.body.empty());
  EXPECT_NE(get.url.find("http://svc:1/api/voice/route?x=1&"), std::string::npos) << get.url;
  EXPECT_NE(get.url.find("&From=%2B14155550142"), std::string::npos) << get.url;
}

// Each action is fetched with the method its verb states: the parameters in the query string
// for GET, in a JSON body for POST.
TEST(SimulatedCall, ActionsAreFetchedWithTheirMethod) {
  std::vector<HttpRequest> voice;
  Transport http = [&](const HttpRequest& req) {
    if (req.url.find("/api/webhooks/") != std::string::npos) return HttpAnswer{200, "{}", ""};
    voice.push_back(req);
    auto path = req.url.substr(0, req.url.find('?'));
    std::string next = "<Hangup/>";
    if (path == "http://svc:1/api/voice/route") {
      next = std::string(R"(<Gather action=")") + kPublic +
             R"(/api/voice/gather?state=g" method="GET" numDigits="1"><Say>Menu</Say></Gather>)";
    } else if (path == "http://svc:1/api/voice/gather") {
      next = std::string(R"(<Dial action=")") + kPublic +
             R"(/api/voice/dial-status?state=d" method="POST">101</Dial>)";
    } else if (path == "http://svc:1/api/voice/dial-status") {
      next = std::string(R"(<Record action=")") + kPublic +
             R"(/api/voice/voicemail?state=v" method="GET"/>)";
    }
    return HttpAnswer{200, doc(next), ""};
  };
  Script script{{"1"}, {{DialOutcome::Kind::busy}}, true};
  auto r = simulate_call(setup(), script, http);
  EXPECT_EQ(r.exit_code(), 0) << render_json(r);
  ASSERT_EQ(voice.size(), 4u);
  EXPECT_EQ(voice[1].method, "GET");
  EXPECT_TRUE(voice[1].body.empty());
  EXPECT_EQ(voice[1].url.rfind("http://svc:1/api/voice/gather?state=g&", 0), 0u) << voice[1].url;
  EXPECT_NE(voice[1].url.find("&Digits=1"), std::string::npos) << voice[1].url;
  EXPECT_EQ(voice[2].method, "POST");
  EXPECT_EQ(voice[2].url, "http://svc:1/api/voice/dial-status?state=d");
  EXPECT_EQ(nlohmann::json::parse(voice[2].body)["DialCallStatus"], "busy");
  EXPECT_EQ(voice[3].method, "GET");
  EXPECT_NE(voice[3].url.find("&RecordingUrl=https"), std::string::npos) << voice[3].url;
}

TEST(SimulatedCall, RejectSetsTheDisposition) {
  FakeService f;
  f.documents["/api/voice/route"] = [](const nlohmann::json&) {
    return doc(R"(<Reject reason="busy"/>)");
  };
  auto r = simulate_call(setup(), {}, f.transport());
  EXPECT_EQ(r.disposition, "BUSY");
  EXPECT_EQ(r.status, "busy");
  EXPECT_EQ(r.duration, 0);
}

}  // namespace
}  // namespace pbx::simulator
