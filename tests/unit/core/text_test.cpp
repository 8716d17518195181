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

TEST(Text, Utf8Validity) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8(std::string_view("ASCII with tab\t and NUL\0", 24)));
  EXPECT_TRUE(is_utf8("\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x8e\x89 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(is_utf8("\xff"));
  EXPECT_FALSE(is_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_utf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_utf8("cut \xe2\x82"));      // truncated
  EXPECT_FALSE(is_utf8("\x80 lone continuation"));
}

TEST(Text, BareControlCharactersAreThoseXmlCannotCarry) {
  for (int c = 0; c < 0x20; ++c) {
    EXPECT_EQ(is_bare_control(static_cast<char>(c)), c != '\t' && c != '\n' && c != '\r') << c;
  }
  for (char c : std::string_view(" a~\x7f\xc3\xa9")) EXPECT_FALSE(is_bare_control(c)) << int(c);
}

}  // namespace
}  // namespace pbx::text

namespace pbx::text {
namespace {

TEST(Text, DomainKeysFoldCaseAndTheCloudonixSuffix) {
  EXPECT_EQ(domain_key("acme"), "acme");
  EXPECT_EQ(domain_key("ACME"), "acme");
  EXPECT_EQ(domain_key("acme.cloudonix.net"), "acme");
  EXPECT_EQ(domain_key("Acme.CLOUDONIX.NET"), "acme");
  EXPECT_EQ(domain_key("pbx.acme.example"), "pbx.acme.example");
  EXPECT_EQ(domain_key("7D2F6C1A-3B8E-4F59-A0D4-6E9B2C1F8A37"),
            "7d2f6c1a-3b8e-4f59-a0d4-6e9b2c1f8a37");
  // The suffix alone, or the suffix inside a name, is not stripped.
  EXPECT_EQ(domain_key(".cloudonix.net"), ".cloudonix.net");
  EXPECT_EQ(domain_key("acme.cloudonix.net.evil"), "acme.cloudonix.net.evil");
  EXPECT_EQ(domain_key("acmecloudonix.net"), "acmecloudonix.net");
}

}  // namespace
}  // namespace pbx::text

namespace pbx::text {
namespace {

TEST(Text, TrimOwsRemovesOnlySpacesAndTabsAround) {
  EXPECT_EQ(trim_ows(" \t gzip;q=0 \t"), "gzip;q=0");
  EXPECT_EQ(trim_ows("a b"), "a b");
  EXPECT_EQ(trim_ows(" \t "), "");
  EXPECT_EQ(trim_ows(""), "");
  EXPECT_EQ(trim_ows("\r\nx\r\n"), "\r\nx\r\n");
}

}  // namespace
}  // namespace pbx::text
