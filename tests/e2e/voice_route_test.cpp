// /api/voice/route through HTTP against the running service: authentication, request shapes,
// directions and every destination type.
#include "e2e/voice_fixture.hpp"
#include "support/eventually.hpp"

#include <fstream>
#include <iterator>

namespace pbx::testing {
namespace {

using Voice = VoiceE2E;

const std::string kReject = "<Response><Reject reason=\"rejected\"/></Response>";

TEST_F(Voice, MissingWrongOrForeignKeyIsRejectedWith401) {
  HttpClient http;
  auto url = svc_->base_url() + "/api/voice/route";
  auto body = nlohmann::json(inbound("+12125550101")).dump();
  auto none = http.post_json(url, body);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find(kReject), std::string::npos) << none.body;
  auto wrong = http.post_json(url, body, {{"Authorization", "Bearer pbxk_not-a-key"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find(kReject), std::string::npos);
  // The other tenant's key with this tenant's domain: refused.
  auto foreign =
      http.post_json(url, body, {{"Authorization", "Bearer " + other_->requests_api_key}});
  EXPECT_EQ(foreign.status, 401);
  EXPECT_NE(foreign.body.find(kReject), std::string::npos);
}

TEST_F(Voice, KeyInXCxApiKeyHeaderAndDomainHeaderAccepted) {
  HttpClient http;
  auto r = http.post_json(
      svc_->base_url() + "/api/voice/route", nlohmann::json(inbound("+12125550102")).dump(),
      {{"X-CX-APIKey", tenant_->requests_api_key}, {"X-CX-Domain", "voice.cloudonix.net"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Number>1002</Number>"), std::string::npos) << r.body;
  auto other_domain = http.post_json(
      svc_->base_url() + "/api/voice/route", nlohmann::json(inbound("+12125550102")).dump(),
      {{"X-CX-APIKey", tenant_->requests_api_key}, {"X-CX-Domain", "other.cloudonix.net"}});
  EXPECT_EQ(other_domain.status, 401);
}

TEST_F(Voice, GetWithQueryStringAndFormPostAreRoutedLikeJson) {
  HttpClient http;
  auto auth =
      std::map<std::string, std::string>{{"Authorization", "Bearer " + tenant_->requests_api_key}};
  auto get = http.get(svc_->base_url() +
                          "/api/voice/route?CallSid=q1&From=%2B14155550142&To=%2B12125550102"
                          "&Direction=inbound&Domain=voice.cloudonix.net",
                      auth);
  EXPECT_EQ(get.status, 200);
  EXPECT_NE(get.body.find("<Number>1002</Number>"), std::string::npos) << get.body;
  auth["Content-Type"] = "application/x-www-form-urlencoded";
  auto form = http.request("POST", svc_->base_url() + "/api/voice/route",
                           "CallSid=f1&From=%2B14155550142&To=%2B12125550102", auth);
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("<Number>1002</Number>"), std::string::npos) << form.body;
}

TEST_F(Voice, FixtureRequestShapeIsAccepted) {
  auto c = client();
  std::ifstream in(std::string(PBX_FIXTURES_DIR) + "/voice-route-inbound.json");
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(body.empty());
  // The fixture is for acme.cloudonix.net: re-point it at this tenant and one of its DIDs.
  auto j = nlohmann::json::parse(body);
  j["Domain"] = j["AccountSid"] = "voice.cloudonix.net";
  j["To"] = "+12125550100";
  auto r = c.post("/api/voice/route", j.dump(),
                  {{"Authorization", "Bearer " + tenant_->requests_api_key},
                   {"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.summary(), "Gather[Say:Press 1 for sales & 2 for the stand-up]");
}

TEST_F(Voice, InboundMatchesNumberFormatsAndRejectsOthers) {
  auto c = client();
  for (std::string to : {"+12125550101", "12125550101", "+1 (212) 555-0101",
                         "sip:+12125550101@voice.cloudonix.net"}) {
    auto r = c.route(inbound(to));
    EXPECT_EQ(r.summary(), "Dial[Number:1001]") << to << ": " << r.raw;
  }
  for (std::string to : {"+19995550101", "+12125550116" /* inactive */, "",
                         "+13105550100" /* the other tenant's */}) {
    auto r = c.route(inbound(to));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.summary(), "Reject") << to << ": " << r.raw;
  }
}

TEST_F(Voice, AbsentOrUnknownDirectionIsInbound) {
  auto c = client();
  auto call = inbound("+12125550102");
  call.erase("Direction");
  EXPECT_EQ(c.route(call).summary(), "Dial[Number:1002]");
  call["Direction"] = "sideways";
  EXPECT_EQ(c.route(call).summary(), "Dial[Number:1002]");
}

TEST_F(Voice, ExtensionDialCarriesTimeoutAndAbsoluteSignedAction) {
  auto r = client().route(inbound("+12125550101"));
  EXPECT_EQ(r.summary(), "Dial[Number:1001]");
  EXPECT_EQ(r.attr("/Response/Dial", "timeout"), "25");
  EXPECT_EQ(r.action().rfind(std::string(kPublicBase) + "/api/voice/dial-status?state=", 0), 0u);
}

TEST_F(Voice, ForwardingExtensionDialsItsSipAddress) {
  EXPECT_EQ(client().route(inbound("+12125550104")).summary(),
            "Dial[Sip:sip:alice@remote.example.net]");
}

TEST_F(Voice, InactiveExtensionGoesToItsVoicemail) {
  auto r = client().route(inbound("+12125550103"));
  EXPECT_EQ(r.summary(),
            "Say(Bob has left the company.) Record Say(We did not receive a message. Goodbye.) "
            "Hangup");
  EXPECT_EQ(r.attr("/Response/Record", "playBeep"), "true");
  EXPECT_EQ(r.attr("/Response/Record", "finishOnKey"), "#");
  EXPECT_EQ(r.action().rfind(std::string(kPublicBase) + "/api/voice/voicemail?state=", 0), 0u);
}

TEST_F(Voice, ConferenceForwardAndHangupDestinations) {
  auto c = client();
  auto conf = c.route(inbound("+12125550111"));
  EXPECT_EQ(conf.summary(), "Dial[Conference:standup]");
  EXPECT_EQ(conf.attr("/Response/Dial/Conference", "maxParticipants"), "10");
  EXPECT_EQ(conf.attr("/Response/Dial/Conference", "beep"), "false");
  EXPECT_EQ(c.route(inbound("+12125550112")).summary(), "Dial[Number:+14155550100]");
  EXPECT_EQ(c.route(inbound("+12125550113")).summary(), "Hangup");
}

TEST_F(Voice, BusinessHoursFollowOpenOrClosedDestination) {
  auto c = client();
  EXPECT_EQ(c.route(inbound("+12125550109")).summary(), "Dial[Number:1002]");
  auto closed = c.route(inbound("+12125550110"));
  EXPECT_EQ(closed.summary().substr(0, 47), "Say(You have reached Front Desk at extension 10");
}

TEST_F(Voice, LoopsAndDanglingReferencesApologiseAndAreLogged) {
  auto c = client();
  const std::string apology = "Say(Sorry, we cannot take your call right now. Goodbye.) Hangup";
  EXPECT_EQ(c.route(inbound("+12125550114", "dangling-call")).summary(), apology);
  EXPECT_EQ(c.route(inbound("+12125550115", "loop-call")).summary(), apology);
  auto log = svc_->log_text();
  EXPECT_NE(log.find("call=dangling-call routing: dangling destination: extension:"),
            std::string::npos);
  EXPECT_NE(log.find("call=loop-call routing: destination loop"), std::string::npos);
  EXPECT_NE(log.find("tenant=" + tenant_->id), std::string::npos);
}

std::map<std::string, std::string> from_extension(const std::string& ext, const std::string& to,
                                                  const std::string& direction = "subscriber") {
  return {{"CallSid", "sub-" + to},
          {"From", ext},
          {"To", to},
          {"Direction", direction},
          {"Domain", "voice.cloudonix.net"}};
}

TEST_F(Voice, SubscriberReachesExtensionsGroupsMenusRoomsAndOwnNumbers) {
  auto c = client();
  EXPECT_EQ(c.route(from_extension("1001", "1002")).summary(), "Dial[Number:1002]");
  EXPECT_EQ(c.route(from_extension("sip:1001@voice.cloudonix.net", "sip:1002@voice.cloudonix.net"))
                .summary(),
            "Dial[Number:1002]");
  EXPECT_EQ(c.route(from_extension("1002", "600")).summary(), "Dial[Number:1005,Number:1006]");
  EXPECT_EQ(c.route(from_extension("1002", "700")).summary(),
            "Gather[Say:Press 1 for sales & 2 for the stand-up]");
  EXPECT_EQ(c.route(from_extension("1002", "800")).summary(), "Dial[Conference:standup]");
  // Its own DID, from inside: followed like an inbound call, no outbound permission needed.
  EXPECT_EQ(c.route(from_extension("1002", "+12125550102")).summary(), "Dial[Number:1002]");
}

TEST_F(Voice, SubscriberExternalCallsNeedPermission) {
  auto c = client();
  auto allowed = c.route(from_extension("1001", "+442079460000"));
  EXPECT_EQ(allowed.summary(), "Dial[Number:+442079460000]");
  EXPECT_EQ(allowed.attr("/Response/Dial", "callerId"), "+12125550199");
  auto refused = c.route(from_extension("1002", "+442079460000"));
  EXPECT_EQ(refused.summary(),
            "Say(Sorry, this extension is not allowed to call external numbers. Goodbye.) Hangup");
  auto unknown = c.route(from_extension("1001", "12"));
  EXPECT_EQ(unknown.summary(),
            "Say(Sorry, the number you dialled is not in service. Goodbye.) Hangup");
}

TEST_F(Voice, OutboundApiCallsSkipThePermissionCheck) {
  auto r = client().route(from_extension("1002", "+442079460000", "outbound-api"));
  EXPECT_EQ(r.summary(), "Dial[Number:+442079460000]");
  EXPECT_EQ(r.attr("/Response/Dial", "callerId"), "+12125550000");  // the tenant default
}

TEST_F(Voice, ChangesReachRoutingWithinASecond) {
  with_store([](pqxx::work& tx) {
    tx.exec_params0("UPDATE extensions SET ring_timeout = 41 WHERE id = $1", ids_->sales);
    return 0;
  });
  auto c = client();
  std::string timeout;
  eventually(
      [&] {
        timeout = c.route(inbound("+12125550102")).attr("/Response/Dial", "timeout");
        return timeout == "41";
      },
      std::chrono::seconds(1));
  EXPECT_EQ(timeout, "41");
}

TEST_F(Voice, RoutingKeepsAnsweringFromMemoryWhilePostgresIsDown) {
  auto c = client();
  TestEnv::get().pg().stop();
  auto r = c.route(inbound("+12125550101"));
  TestEnv::get().pg().start();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.summary(), "Dial[Number:1001]");
}

}  // namespace
}  // namespace pbx::testing
