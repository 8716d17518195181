#include "core/ip.hpp"

#include <gtest/gtest.h>

namespace pbx::ip {
namespace {

std::vector<Range> ranges(std::initializer_list<const char*> texts) {
  std::vector<Range> out;
  for (const char* t : texts) {
    auto r = parse_range(t);
    EXPECT_TRUE(r.has_value()) << t;
    if (r) out.push_back(*r);
  }
  return out;
}

TEST(Ip, AddressesParseInTheirCanonicalForm) {
  EXPECT_EQ(to_string(*parse_address("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(to_string(*parse_address("::ffff:192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(to_string(*parse_address("2001:DB8:0:0::1")), "2001:db8::1");
  for (const char* bad : {"", "192.0.2", "192.0.2.256", "192.0.2.1 ", "01.2.3.4x", "host", "::g",
                          "[::1]", "1.2.3.4:80"}) {
    EXPECT_FALSE(parse_address(bad).has_value()) << bad;
  }
}

TEST(Ip, RangesHoldTheirPrefix) {
  auto r = *parse_range("192.0.2.77/24");
  EXPECT_TRUE(r.contains(*parse_address("192.0.2.1")));
  EXPECT_FALSE(r.contains(*parse_address("192.0.3.1")));
  EXPECT_FALSE(r.contains(*parse_address("::1"))) << "no IPv6 address is in an IPv4 range";
  EXPECT_TRUE(parse_range("0.0.0.0/0")->contains(*parse_address("8.8.8.8")));
  EXPECT_FALSE(parse_range("0.0.0.0/0")->contains(*parse_address("2001:db8::1")));
  EXPECT_TRUE(parse_range("::/0")->contains(*parse_address("2001:db8::1")));
  EXPECT_TRUE(parse_range("2001:db8::/127")->contains(*parse_address("2001:db8::1")));
  EXPECT_FALSE(parse_range("2001:db8::/127")->contains(*parse_address("2001:db8::2")));
  EXPECT_TRUE(parse_range("10.0.0.1")->contains(*parse_address("10.0.0.1")));
  EXPECT_FALSE(parse_range("10.0.0.1")->contains(*parse_address("10.0.0.2")));
}

TEST(Ip, ClientIsThePeerUnlessAProxyWeTrustNamesIt) {
  auto none = ranges({});
  auto proxies = ranges({"10.0.0.0/8", "2001:db8::/32"});
  EXPECT_EQ(client_address("192.0.2.9", "198.51.100.1", none), "192.0.2.9");
  EXPECT_EQ(client_address("192.0.2.9", "198.51.100.1", proxies), "192.0.2.9")
      << "an untrusted peer's header is ignored";
  EXPECT_EQ(client_address("10.0.0.5", "", proxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1", proxies), "198.51.100.1");
  EXPECT_EQ(client_address("10.0.0.5", " 6.6.6.6 , 198.51.100.1 ,10.9.9.9", proxies),
            "198.51.100.1")
      << "the last address that is not a trusted proxy; what the client wrote before is ignored";
  EXPECT_EQ(client_address("10.0.0.5", "10.1.1.1, 10.2.2.2", proxies), "10.1.1.1")
      << "all proxies: the first one";
  EXPECT_EQ(client_address("10.0.0.5", "garbage, 198.51.100.1", proxies), "198.51.100.1");
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1, garbage", proxies), "10.0.0.5")
      << "an unreadable hop stops the walk at the last proxy";
  EXPECT_EQ(client_address("10.0.0.5", "2001:DB8::7, 2001:0db9::1", proxies), "2001:db9::1");
  EXPECT_EQ(client_address("::ffff:10.0.0.5", "198.51.100.1", proxies), "198.51.100.1");
  EXPECT_EQ(client_address("10.0.0.5", ",,", proxies), "10.0.0.5");
}

}  // namespace
}  // namespace pbx::ip
