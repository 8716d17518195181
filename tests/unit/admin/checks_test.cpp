// Field checks of the admin API: each scans its value once, so no length of input can exhaust
// the stack, and each accepts exactly the shapes the API documents.
#include "admin/checks.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::admin::checks {
namespace {

using Json = nlohmann::json;

TEST(Checks, E164) {
  for (const char* ok : {"+12125550100", "+1234567", "+441234567", "+123456789012345"}) {
    EXPECT_TRUE(is_e164(ok)) << ok;
  }
  for (const char* bad : {"", "+", "+4420", "+123456", "12125550100", "+02125550100",
                          "+1212555010a", "+1234567890123456", "+1 212555010", " +12125550100"}) {
    EXPECT_FALSE(is_e164(bad)) << bad;
  }
}

TEST(Checks, SipUris) {
  for (const char* ok : {"sip:desk@pbx.example.net", "sips:desk@pbx.example.net:5061",
                         "sip:+14155550100@carrier.example;transport=tcp", "sip:a@b",
                         "sip:user%20x@10.0.0.1:5060;transport=udp;lr"}) {
    EXPECT_TRUE(is_sip_uri(ok)) << ok;
  }
  for (const char* bad : {"sip:", "sip:@host", "sip:user@", "sip:user", "sip:us er@host",
                          "sip:user@host:", "sip:user@host:123456", "sip:user@ho_st",
                          "sip:user@host;a b", "sip:a<b@host", "tel:+14155550100", "SIP:user@host",
                          "sip:user@host:50a", "sip:\"x\"@host"}) {
    EXPECT_FALSE(is_sip_uri(bad)) << bad;
  }
}

TEST(Checks, HttpUrls) {
  for (const char* ok : {"http://example.com", "https://pbx.example.com:8443/api?x=1&y=2",
                         "https://10.0.0.1/a/b.wav", "http://h/"}) {
    EXPECT_TRUE(is_http_url(ok)) << ok;
  }
  for (const char* bad : {"", "ftp://example.com", "http://", "http:///path", "http://exa mple.com",
                          "https://example.com/a b", "https://example.com:/", "http://ex_ample.com",
                          "https://example.com/\"x\""}) {
    EXPECT_FALSE(is_http_url(bad)) << bad;
  }
  EXPECT_TRUE(is_http_url("https://example.com/" + std::string(kMaxUrl - 20, 'a')));
  EXPECT_FALSE(is_http_url("https://example.com/" + std::string(kMaxUrl, 'a')));
}

TEST(Checks, Emails) {
  for (const char* ok : {"a@b.co", "first.last+tag@mail.example.org", "x@sub.domain.example"}) {
    EXPECT_TRUE(is_email(ok)) << ok;
  }
  for (const char* bad : {"", "a", "@b.co", "a@", "a@b", "a@.co", "a@b.", "a@@b.co", "a b@c.de",
                          "a@b c.de", "a@b@c.de"}) {
    EXPECT_FALSE(is_email(bad)) << bad;
  }
  EXPECT_FALSE(is_email(std::string(250, 'a') + "@b.co"));
}

TEST(Checks, ForwardTargetsOfAnyLengthAreRefusedByLengthFirst) {
  auto check = forward_target();
  EXPECT_EQ(check(Json("+14155550100")), std::nullopt);
  EXPECT_EQ(check(Json("sip:desk@pbx.example.net")), std::nullopt);
  EXPECT_TRUE(check(Json("sip:desk")).has_value());
  // Half a million characters once overflowed the stack of a recursive regex matcher.
  for (size_t n : {size_t{300}, size_t{50'000}, size_t{500'000}, size_t{5'000'000}}) {
    auto m = check(Json("sip:" + std::string(n, 'a') + "@pbx.example.net"));
    ASSERT_TRUE(m.has_value()) << n;
    EXPECT_EQ(*m, "at most 256 characters");
  }
  EXPECT_FALSE(is_sip_uri("sip:" + std::string(5'000'000, 'a')));
  EXPECT_FALSE(is_email(std::string(5'000'000, 'a')));
  EXPECT_FALSE(is_http_url("http://" + std::string(5'000'000, 'a')));
}

TEST(Checks, ExtensionNumbers) {
  auto check = extension_number();
  for (const char* ok : {"10", "101", "12345678"}) EXPECT_EQ(check(Json(ok)), std::nullopt) << ok;
  for (const char* bad : {"1", "123456789", "10a", "", " 10", "+101"}) {
    EXPECT_TRUE(check(Json(bad)).has_value()) << bad;
  }
}

TEST(Checks, ConferenceRoomNames) {
  auto check = destination();
  EXPECT_EQ(check(Json{{"type", "conference"}, {"name", "Sales_room-1.a"}}), std::nullopt);
  EXPECT_TRUE(check(Json{{"type", "conference"}, {"name", "a b"}}).has_value());
  EXPECT_TRUE(check(Json{{"type", "conference"}, {"name", std::string(65, 'a')}}).has_value());
  EXPECT_TRUE(
      check(Json{{"type", "forward"}, {"number", "sip:" + std::string(400'000, 'a')}}).has_value());
}

TEST(Checks, DomainAliases) {
  auto check = domain_aliases();
  EXPECT_EQ(check(Json::array()), std::nullopt);
  EXPECT_EQ(check(Json{"acme", "pbx.acme.example", "ACME-2.cloudonix.net"}), std::nullopt);
  EXPECT_TRUE(check(Json("acme")).has_value());
  EXPECT_TRUE(check(Json{"acme", 7}).has_value());
  EXPECT_TRUE(check(Json{""}).has_value());
  EXPECT_TRUE(check(Json{"a b"}).has_value());
  EXPECT_TRUE(check(Json{std::string(254, 'a')}).has_value());
  Json eleven = Json::array();
  for (int i = 0; i < 11; ++i) eleven.push_back("d" + std::to_string(i));
  EXPECT_TRUE(check(eleven).has_value());
}

}  // namespace
}  // namespace pbx::admin::checks
