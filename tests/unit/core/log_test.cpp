#include "core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>

#include <sstream>

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
    make_formatter(format)->format(msg, line);
    std::string text(line.data(), line.size());
    EXPECT_EQ(text.find("pbxt_secret-value"), std::string::npos) << text;
    EXPECT_NE(text.find("cdr?token=[redacted] 404"), std::string::npos) << text;
  }
}

TEST(Log, ControlCharactersAreEscaped) {
  EXPECT_EQ(escape_controls("plain text, 100% (ok)"), "plain text, 100% (ok)");
  EXPECT_EQ(escape_controls("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(escape_controls(std::string("\x00\x01\x1b[2J\x1f\x7f", 8)),
            "\\x00\\x01\\x1b[2J\\x1f\\x7f");
  EXPECT_EQ(escape_controls("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac")
      << "UTF-8 stays";
  EXPECT_EQ(escape_controls("a\xc2\x85z"), "a\\u0085z") << "NEL, a C1 line break";
  EXPECT_EQ(escape_controls("a\xe2\x80\xa8z\xe2\x80\xa9"), "a\\u2028z\\u2029");
  EXPECT_EQ(escape_controls("bad \xff\xc2"), "bad \xff\xc2") << "invalid UTF-8 is left as it is";
}

std::string logged(const std::string& format, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(make_formatter(format));
  logger.warn("rid=r1 domain {} refused", message);
  return out.str();
}

TEST(Log, TextLinesCannotBeSplitByAValue) {
  auto line = logged("text", "x.example\n2020-01-01T00:00:00.000000Z info forged rid=forged\r");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_NE(line.find(" warning rid=r1 domain x.example\\n2020-01-01T00:00:00.000000Z info forged "
                      "rid=forged\\r refused\n"),
            std::string::npos)
      << line;
}

TEST(Log, JsonLinesEscapeOnceAsJson) {
  auto line = logged("json", "x\ny\x01");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "rid=r1 domain x\ny\x01 refused");
  EXPECT_EQ(j["level"], "warning");
}

}  // namespace
}  // namespace pbx::log
