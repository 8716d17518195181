#include "core/url.hpp"

#include <gtest/gtest.h>

namespace pbx::url {
namespace {

TEST(Url, PercentDecode) {
  EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%2B%2b", true), "++");
  EXPECT_FALSE(percent_decode("%", true));
  EXPECT_FALSE(percent_decode("%4", true));
  EXPECT_FALSE(percent_decode("%zz", true));
}

TEST(Url, FormRoundTrip) {
  Params p = {{"To", "+12125550100"}, {"Body", "a&b=c d"}, {"Empty", ""}};
  auto encoded = encode_form(p);
  EXPECT_EQ(encoded, "To=%2B12125550100&Body=a%26b%3Dc%20d&Empty=");
  EXPECT_EQ(parse_form(encoded), p);
}

TEST(Url, MalformedFormPairsAreSkipped) {
  auto p = parse_form("a=1&&=x&b=%zz&c&d=4");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(p[1], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ(*find_param(p, "d"), "4");
  EXPECT_EQ(find_param(p, "b"), nullptr);
}

}  // namespace
}  // namespace pbx::url
