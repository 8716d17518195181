#include "core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace pbx::log {
namespace {

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
