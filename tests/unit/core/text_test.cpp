#include "core/text.hpp"

#include <gtest/gtest.h>

namespace pbx::text {
namespace {

TEST(Text, CaseFoldingIsAsciiOnly) {
  EXPECT_EQ(to_lower("X-CX-Domain"), "x-cx-domain");
  EXPECT_TRUE(iequals("Acme.Cloudonix.NET", "acme.cloudonix.net"));
  EXPECT_FALSE(iequals("acme", "acme.net"));
}

TEST(Text, UuidShape) {
  EXPECT_TRUE(is_uuid("6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"));
  EXPECT_FALSE(is_uuid("6f1c1f7e1d2b-4c55-9a57-1b2c3d4e5f60-"));
  EXPECT_FALSE(is_uuid("6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f6g"));
}

}  // namespace
}  // namespace pbx::text
