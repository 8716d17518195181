#include "http/request_id.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace pbx::http {
namespace {

TEST(RequestId, FreshIdsAreDistinctUuidV4s) {
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = new_request_id();
    EXPECT_TRUE(std::regex_match(id, uuid_v4)) << id;
    EXPECT_TRUE(valid_request_id(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestId, AClientsIdIsKeptOnlyWhenItIsSafeToLogAndEcho) {
  EXPECT_TRUE(valid_request_id("abc-123_x.y:z"));
  EXPECT_TRUE(valid_request_id(std::string(128, 'a')));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id(std::string(129, 'a')));
  for (const char* bad : {"a b", "a\r\nb", "a\"b", "a/b", "é", "a\tb", "a;b"}) {
    EXPECT_FALSE(valid_request_id(bad)) << bad;
  }
}

}  // namespace
}  // namespace pbx::http
