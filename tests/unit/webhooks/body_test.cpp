#include "webhooks/body.hpp"

#include "webhooks/session_update.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::webhooks {
namespace {

TEST(SessionUpdateBody, NulByteIsNotTheEndOfTheText) {
  // Found by fuzzing: the parser stopped at a NUL byte and accepted whatever followed.
  EXPECT_FALSE(parse_json(std::string(R"({"token":"t"})") + '\0' + "junk"));
  EXPECT_FALSE(parse_json(std::string("7\0", 2)));
  EXPECT_TRUE(parse_json(R"({"token":"a\u0000b"})"));  // the escape is fine
}

TEST(SessionUpdateBody, ParseJsonNeverThrows) {
  EXPECT_TRUE(parse_json(R"([{"token":"t"}])"));
  // Brackets inside strings, escaped quotes included, do not count as nesting.
  EXPECT_TRUE(parse_json(R"({"s":"\"[)" + std::string(100, '[') + R"("})"));
  for (std::string bad :
       {std::string("{"), std::string("{\"a\":1e400}"), std::string("{\"a\":\"\xff\"}"),
        std::string("{} x"), std::string(""), std::string(100000, '[')}) {
    EXPECT_FALSE(parse_json(bad)) << bad.substr(0, 20);
  }
  std::string deep_ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(parse_json(deep_ok));
}

TEST(SessionUpdateStorage, NulCharactersNeverReachJsonb) {
  nlohmann::json element{{"token", "t"}, {std::string("k\0", 2), std::string("a\0b", 3)}};
  auto item = parse_session_update(element);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item.raw.find("\\u0000"), std::string::npos);
  EXPECT_EQ(item.raw,
            "{\"k\xEF\xBF\xBD\":\"a\xEF\xBF\xBD"
            "b\",\"token\":\"t\"}");
  // Text that merely spells the escape is kept as it was.
  EXPECT_EQ(dump_for_storage(nlohmann::json{{"s", "\\u0000"}}), R"({"s":"\\u0000"})");
}

TEST(SessionUpdateStorage, StorableTextReplacesInvalidUtf8AndNul) {
  EXPECT_EQ(storable_text("plain {json}"), "plain {json}");
  EXPECT_EQ(storable_text("caf\xC3\xA9 \xF0\x9F\x93\x9E"), "caf\xC3\xA9 \xF0\x9F\x93\x9E");
  EXPECT_EQ(storable_text(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(storable_text("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(storable_text("\xC3"), "\xEF\xBF\xBD");                  // truncated sequence
  EXPECT_EQ(storable_text("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(storable_text("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace pbx::webhooks
