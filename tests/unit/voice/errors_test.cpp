#include "voice/errors.hpp"

#include "http/error_response.hpp"
#include "routing/engine.hpp"

#include <gtest/gtest.h>

namespace pbx::voice {
namespace {

constexpr const char* kDecl = R"(<?xml version="1.0" encoding="UTF-8"?>)";

TEST(ErrorResponse, CxmlRoutesRejectOnAuthAndApologiseOtherwise) {
  auto r = cxml_error_response(Error::unauthorized(), "x");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/xml; charset=utf-8");
  EXPECT_NE(r.body.find("<Response><Reject reason=\"rejected\"/></Response>"), std::string::npos);
  r = cxml_error_response(Error::internal(), "x");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Hangup/>"), std::string::npos);
  EXPECT_EQ(r.body.find("internal"), std::string::npos);
}

TEST(VoiceErrors, TheRefusalIsAnExactCxmlReject) {
  auto r = cxml_error_response(Error::unauthorized("the key does not belong to this domain"), "x");
  EXPECT_EQ(r.body, std::string(kDecl) + R"(<Response><Reject reason="rejected"/></Response>)");
}

TEST(VoiceErrors, EveryOtherFailureSpeaksTheRoutingEnginesApology) {
  auto apology = std::string(kDecl) + "<Response><Say>" + std::string(routing::text::apology) +
                 "</Say><Hangup/></Response>";
  EXPECT_EQ(apology_response().body, apology);
  EXPECT_EQ(apology_response().status, 200);
  for (const auto& e : {Error::internal(), Error::unavailable("postgres is down"),
                        Error::bad_request("bad_request", "malformed request"),
                        Error::timeout("slow"), Error::forbidden()}) {
    auto r = cxml_error_response(e, "x");
    EXPECT_EQ(r.status, 200) << e.code();
    EXPECT_EQ(r.content_type, "application/xml; charset=utf-8");
    EXPECT_EQ(r.body, apology) << e.code();
  }
}

TEST(VoiceErrors, TheErrorsHeadersTravelWithTheCxml) {
  auto r = cxml_error_response(Error::rate_limited(7), "x");
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "7"}));
}

TEST(VoiceErrors, AMethodRefusalIsTheJsonBodyWithItsAllowHeader) {
  auto r = cxml_error_response(Error::method_not_allowed("GET, POST"), "rid-9");
  auto json = http::error_response(Error::method_not_allowed("GET, POST"), "rid-9");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, json.body);
  EXPECT_EQ(r.headers, json.headers);
}

}  // namespace
}  // namespace pbx::voice
