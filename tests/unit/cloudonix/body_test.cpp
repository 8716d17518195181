#include "cloudonix/body.hpp"

#include "cloudonix/session_update.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::cloudonix {
namespace {

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
}  // namespace pbx::cloudonix
