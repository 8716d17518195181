// Admin request bodies: media type, JSON syntax, nesting depth and control characters.
#include "http/json_body.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

namespace pbx::http {
namespace {

Request json_request(std::string body) {
  Request r;
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

// The status of the error json_body throws, or 0 when it accepts the body.
int refusal(const std::string& body) {
  try {
    json_body(json_request(body));
    return 0;
  } catch (const Error& e) {
    return e.status();
  }
}

TEST(JsonBody, NestingBeyondTheLimitIsRefusedWithoutRecursion) {
  EXPECT_EQ(refusal(std::string(100000, '[')), 400);
  EXPECT_EQ(refusal(std::string(100000, '[') + std::string(100000, ']')), 400);
  EXPECT_EQ(refusal(std::string(60, '[') + std::string(60, ']')), 0);
}

TEST(JsonBody, ControlCharactersAreRefusedNamingTheTopLevelMember) {
  try {
    json_body(
        json_request(R"({"name": "a\u0000b", "prompt": {"say": ["x\u0001"]}, "ok": "t\tn\nr\r"})"));
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 422);
    const auto& fields = e.details()["fields"];
    EXPECT_TRUE(fields.contains("name"));
    EXPECT_TRUE(fields.contains("prompt"));
    EXPECT_FALSE(fields.contains("ok"));
  }
  EXPECT_EQ(refusal(R"({"a\u001fkey": 1})"), 422);
  EXPECT_EQ(refusal(R"({"text": "tab\tLF\nCR\r \u007f \u00e9"})"), 0);
}

TEST(JsonBody, InvalidUtf8AndLoneSurrogatesAreNotJson) {
  EXPECT_EQ(refusal("{\"a\": \"\xff\"}"), 400);
  EXPECT_EQ(refusal("{\"a\": \"\xc0\xaf\"}"), 400);
  EXPECT_EQ(refusal(R"({"a": "\ud800"})"), 400);
}

}  // namespace
}  // namespace pbx::http
