#include "http/auth.hpp"

#include <gtest/gtest.h>

namespace pbx::http {
namespace {

Request with(std::vector<std::pair<std::string, std::string>> headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(Auth, BearerTokenIsReadCaseInsensitively) {
  EXPECT_EQ(bearer_token(with({{"authorization", "Bearer abc"}})), "abc");
  EXPECT_EQ(bearer_token(with({{"authorization", "bearer   abc  "}})), "abc");
  EXPECT_EQ(bearer_token(with({{"authorization", "Basic abc"}})), "");
  EXPECT_EQ(bearer_token(with({{"authorization", "Bearer"}})), "");
  EXPECT_EQ(bearer_token(with({})), "");
}

TEST(Auth, RequestsKeyFromBearerOrCloudonixHeader) {
  EXPECT_EQ(requests_api_key(with({{"x-cx-apikey", "k1"}})), "k1");
  EXPECT_EQ(requests_api_key(with({{"authorization", "Bearer k2"}, {"x-cx-apikey", "k1"}})), "k2");
  EXPECT_EQ(requests_api_key(with({{"authorization", "Basic x"}})), "");
}

}  // namespace
}  // namespace pbx::http
