// Admin request bodies: JSON only, bounded nesting, the whole text or nothing.
#include "http/json_body.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::http {
namespace {

int status_of(const std::string& content_type, const std::string& body) {
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
  EXPECT_EQ(status_of("application/json; charset=utf-8", R"({"a":1})"), 200);
  EXPECT_EQ(status_of("application/merge-patch+json", "[]"), 200);
  EXPECT_EQ(status_of("text/plain", "{}"), 415);
}

TEST(JsonBody, RefusesInvalidTooDeepAndTrailingBytesAfterNul) {
  EXPECT_EQ(status_of("application/json", "{"), 400);
  EXPECT_EQ(status_of("application/json", std::string(65, '[') + std::string(65, ']')), 400);
  EXPECT_EQ(status_of("application/json", std::string(64, '[') + std::string(64, ']')), 200);
  // Found by fuzzing: the parser stopped at a NUL byte and accepted whatever followed.
  EXPECT_EQ(status_of("application/json", std::string("7\0[[[", 5)), 400);
  EXPECT_EQ(status_of("application/json", std::string("{}\0junk", 7)), 400);
}

}  // namespace
}  // namespace pbx::http
