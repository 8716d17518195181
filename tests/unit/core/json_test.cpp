#include "core/json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::json {
namespace {

TEST(ParseUntrusted, NulByteIsNotTheEndOfTheText) {
  // Found by fuzzing: the parser stopped at a NUL byte and accepted whatever followed.
  EXPECT_FALSE(parse_untrusted(std::string(R"({"token":"t"})") + '\0' + "junk"));
  EXPECT_FALSE(parse_untrusted(std::string("7\0", 2)));
  EXPECT_TRUE(parse_untrusted(R"({"token":"a\u0000b"})"));  // the escape is fine
}

TEST(ParseUntrusted, ParseJsonNeverThrows) {
  EXPECT_TRUE(parse_untrusted(R"([{"token":"t"}])"));
  // Brackets inside strings, escaped quotes included, do not count as nesting.
  EXPECT_TRUE(parse_untrusted(R"({"s":"\"[)" + std::string(100, '[') + R"("})"));
  for (std::string bad :
       {std::string("{"), std::string("{\"a\":1e400}"), std::string("{\"a\":\"\xff\"}"),
        std::string("{} x"), std::string(""), std::string(100000, '[')}) {
    EXPECT_FALSE(parse_untrusted(bad)) << bad.substr(0, 20);
  }
  std::string deep_ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_TRUE(parse_untrusted(deep_ok));
}

}  // namespace
}  // namespace pbx::json
