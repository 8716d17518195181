// Callback state as the engine checks it, and the action URLs it issues.
#include "engine_fixture.hpp"

namespace pbx::routing::engine_test {
namespace {

constexpr const char* kVoicemailE1Start = "<Response><Say>You have reached Alice";

class RoutingCallbackState : public RoutingTest {
 protected:
  // A fresh dial-status callback for extension e1, unanswered: voicemail when the state holds.
  Shown unanswered(std::string_view token, CallRequest c = dial_result("no-answer")) {
    return next(Callback::dial_status, c, token);
  }
  void expect_refused(const Shown& r) {
    EXPECT_EQ(r.xml, kApology);
    EXPECT_TRUE(r.states.empty());
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_NE(r.problems[0].find("forged, expired or from another call"), std::string::npos);
  }
};

TEST_F(RoutingCallbackState, ValidStateIsAccepted) {
  auto r = unanswered(token_for(CallbackState{{}, {}, ext("e1")}));
  EXPECT_EQ(r.xml.rfind(kVoicemailE1Start, 0), 0u) << r.xml;
}

TEST_F(RoutingCallbackState, ForgedOrMalformedTokensAreRefused) {
  for (const char* token : {"", "abc", "abc.def", ".", "eyJ0IjoidC1hY21lIn0.AAAA"}) {
    SCOPED_TRACE(token);
    expect_refused(unanswered(token));
  }
}

TEST_F(RoutingCallbackState, AlteredTokensAreRefused) {
  auto token = token_for(CallbackState{{}, {}, ext("e1")});
  for (size_t i : {size_t{0}, token.find('.') - 1, token.find('.') + 1, token.size() - 1}) {
    SCOPED_TRACE(i);
    auto altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    expect_refused(unanswered(altered));
  }
}

TEST_F(RoutingCallbackState, TokenSignedWithAnotherKeyIsRefused) {
  StateCodec other("another-key");
  CallbackState s{"t-acme", kCallId, ext("e1")};
  expect_refused(unanswered(other.encode(s, now)));
}

TEST_F(RoutingCallbackState, ExpiredTokenIsRefused) {
  auto token = token_for(CallbackState{{}, {}, ext("e1")});
  now = kNow + 24h;
  EXPECT_EQ(unanswered(token).xml.rfind(kVoicemailE1Start, 0), 0u);
  now = kNow + 24h + 1s;
  expect_refused(unanswered(token));
}

TEST_F(RoutingCallbackState, TokenOfAnotherTenantIsRefused) {
  expect_refused(unanswered(token_for(CallbackState{"t-other", kCallId, ext("e1")})));
}

TEST_F(RoutingCallbackState, TokenOfAnotherCallIsRefused) {
  expect_refused(unanswered(token_for(CallbackState{"t-acme", "call-2", ext("e1")})));
}

// A callback that names no call cannot prove the state is its own.
TEST_F(RoutingCallbackState, CallbackWithoutCallIdIsRefused) {
  auto anonymous = dial_result("no-answer");
  anonymous.call_id.clear();
  expect_refused(unanswered(token_for(CallbackState{{}, {}, ext("e1")}), anonymous));
}

TEST_F(RoutingCallbackState, TokenOfAnotherKindOfCallbackApologises) {
  auto menu_token = token_for(CallbackState{{}, {}, menu("main")});
  auto r = unanswered(menu_token);
  EXPECT_EQ(r.xml, kApology);
  EXPECT_EQ(r.problems.size(), 1u);
  auto ext_token = token_for(CallbackState{{}, {}, ext("e1")});
  EXPECT_EQ(next(Callback::gather, pressed("1"), ext_token).xml, kApology);
  auto recorded = inbound("+12125550100");
  recorded.recording_url = "https://recordings.example.net/x.mp3";
  auto v = next(Callback::voicemail, recorded, ext_token);
  EXPECT_EQ(v.xml, kApology);
  EXPECT_FALSE(v.voicemail);
}

TEST_F(RoutingCallbackState, TokenForADestinationThatNoLongerExistsApologises) {
  auto r = unanswered(token_for(CallbackState{{}, {}, group("gone")}));
  EXPECT_EQ(r.xml, kApology);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].find("ring_group:gone"), std::string::npos) << r.problems[0];
}

TEST_F(RoutingCallbackState, ActionUrlsAreAbsoluteFromThePublicBaseUrl) {
  for (const char* base :
       {"https://pbx.example.com", "https://pbx.example.com/", "https://pbx.example.com//"}) {
    SCOPED_TRACE(base);
    t.public_base_url = base;
    EXPECT_NE(route(inbound("+12125550100"))
                  .xml.find(R"(action="https://pbx.example.com/api/voice/dial-status?state=…")"),
              std::string::npos);
  }
  t.public_base_url = "https://edge.example.com/pbx/";
  EXPECT_NE(route(inbound("+12125550100"))
                .xml.find(R"(action="https://edge.example.com/pbx/api/voice/dial-status?state=…")"),
            std::string::npos);
}

}  // namespace
}  // namespace pbx::routing::engine_test
