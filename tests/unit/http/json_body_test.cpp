// Admin request bodies: JSON media types only, JSON syntax, bounded nesting, the whole text or
// nothing, and no control characters.
#include "http/json_body.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::http {
namespace {

// The status of the error json_body throws, or 200 when it accepts the body.
int status_of(const std::string& body, const std::string& content_type = "application/json") {
  Request req;
  req.headers.emplace_back("content-type", content_type);
  req.body = body;
  try {
    json_body(req);
    return 200;
  } catch (const Error& e) {
    return e.status();
  }
}

TEST(JsonBody, AcceptsJsonMediaTypesOnly) {
  EXPECT_EQ(status_of(R"({"a":1})", "application/json; charset=utf-8"), 200);
  EXPECT_EQ(status_of("[]", "application/merge-patch+json"), 200);
  EXPECT_EQ(status_of("{}", "text/plain"), 415);
}

TEST(JsonBody, RefusesInvalidTooDeepAndTrailingBytesAfterNul) {
  EXPECT_EQ(status_of("{"), 400);
  EXPECT_EQ(status_of(std::string(65, '[') + std::string(65, ']')), 400);
  EXPECT_EQ(status_of(std::string(64, '[') + std::string(64, ']')), 200);
  // Found by fuzzing: the parser stopped at a NUL byte and accepted whatever followed.
  EXPECT_EQ(status_of(std::string("7\0[[[", 5)), 400);
  EXPECT_EQ(status_of(std::string("{}\0junk", 7)), 400);
}

TEST(JsonBody, NestingBeyondTheLimitIsRefusedWithoutRecursion) {
  EXPECT_EQ(status_of(std::string(100000, '[')), 400);
  EXPECT_EQ(status_of(std::string(100000, '[') + std::string(100000, ']')), 400);
}

TEST(JsonBody, ControlCharactersAreRefusedNamingTheTopLevelMember) {
  Request req;
  req.headers.emplace_back("content-type", "application/json");
  req.body = R"({"name": "a\u0000b", "prompt": {"say": ["x\u0001"]}, "ok": "t\tn\nr\r"})";
  try {
    json_body(req);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 422);
    const auto& fields = e.details()["fields"];
    EXPECT_TRUE(fields.contains("name"));
    EXPECT_TRUE(fields.contains("prompt"));
    EXPECT_FALSE(fields.contains("ok"));
  }
  EXPECT_EQ(status_of(R"({"a\u001fkey": 1})"), 422);
  EXPECT_EQ(status_of(R"({"text": "tab\tLF\nCR\r \u007f \u00e9"})"), 200);
}

TEST(JsonBody, InvalidUtf8AndLoneSurrogatesAreNotJson) {
  EXPECT_EQ(status_of("{\"a\": \"\xff\"}"), 400);
  EXPECT_EQ(status_of("{\"a\": \"\xc0\xaf\"}"), 400);
  EXPECT_EQ(status_of(R"({"a": "\ud800"})"), 400);
}

}  // namespace
}  // namespace pbx::http
