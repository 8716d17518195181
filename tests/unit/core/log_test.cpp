#include "core/log.hpp"

#include <gtest/gtest.h>

namespace pbx::log {
namespace {

TEST(LogRedaction, TokenQueryParametersAreRedacted) {
  EXPECT_EQ(redact("POST /api/webhooks/cloudonix/cdr?token=pbxt_abc-_1 200"),
            "POST /api/webhooks/cloudonix/cdr?token=[redacted] 200");
  EXPECT_EQ(redact("https://h/x?a=1&token=pbxt_abc&b=2#f"),
            "https://h/x?a=1&token=[redacted]&b=2#f");
  EXPECT_EQ(redact(R"({"url":"/cdr?token=pbxt_abc"})"), R"({"url":"/cdr?token=[redacted]"})");
  EXPECT_EQ(redact("/a?token=one and /b?x=1&token=two"),
            "/a?token=[redacted] and /b?x=1&token=[redacted]");
  EXPECT_EQ(redact("/cdr?token="), "/cdr?token=[redacted]");
  EXPECT_EQ(redact("/cdr?token=x\t/y?token=z"), "/cdr?token=[redacted]\t/y?token=[redacted]");
}

TEST(LogRedaction, OtherTextIsLeftAlone) {
  EXPECT_EQ(redact(""), "");
  EXPECT_EQ(redact("POST /api/webhooks/cloudonix/cdr 401 0.2ms rid=r1"),
            "POST /api/webhooks/cloudonix/cdr 401 0.2ms rid=r1");
  // Only query parameters named exactly `token`.
  EXPECT_EQ(redact("/x?session_token=s1&tokens=2"), "/x?session_token=s1&tokens=2");
  EXPECT_EQ(redact("token=at-the-start"), "token=at-the-start");
  EXPECT_EQ(redact("webhook token=abc"), "webhook token=abc");
}

TEST(LogRedaction, EveryLogLineIsRedactedInBothFormats) {
  for (const char* format : {"text", "json"}) {
    SCOPED_TRACE(format);
    spdlog::details::log_msg msg("pbxd", spdlog::level::info,
                                 "GET /api/webhooks/cloudonix/cdr?token=pbxt_secret-value 404");
    spdlog::memory_buf_t line;
    formatter(format)->format(msg, line);
    std::string text(line.data(), line.size());
    EXPECT_EQ(text.find("pbxt_secret-value"), std::string::npos) << text;
    EXPECT_NE(text.find("cdr?token=[redacted] 404"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace pbx::log
