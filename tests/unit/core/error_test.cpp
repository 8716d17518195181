#include "core/error.hpp"

#include <gtest/gtest.h>

namespace pbx {
namespace {

TEST(Error, EachFactoryHasItsKindAndStatus) {
  struct Case {
    Error error;
    Error::Kind kind;
    int status;
  };
  const Case cases[] = {
      {Error::bad_request("bad", "m"), Error::Kind::bad_request, 400},
      {Error::unauthorized(), Error::Kind::unauthorized, 401},
      {Error::forbidden(), Error::Kind::forbidden, 403},
      {Error::not_found(), Error::Kind::not_found, 404},
      {Error::method_not_allowed("GET"), Error::Kind::method_not_allowed, 405},
      {Error::conflict("m"), Error::Kind::conflict, 409},
      {Error::length_required(), Error::Kind::length_required, 411},
      {Error::payload_too_large(10), Error::Kind::too_large, 413},
      {Error::unsupported_media_type("x"), Error::Kind::unsupported_media_type, 415},
      {Error::validation({{"name", "required"}}), Error::Kind::invalid, 422},
      {Error::rate_limited(3), Error::Kind::rate_limited, 429},
      {Error::internal(), Error::Kind::internal, 500},
      {Error::upstream("m"), Error::Kind::upstream, 502},
      {Error::unavailable("m"), Error::Kind::unavailable, 503},
      {Error::timeout("m"), Error::Kind::timed_out, 503},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.error.kind(), c.kind) << c.error.code();
    EXPECT_EQ(c.error.status(), c.status) << c.error.code();
  }
}

TEST(Error, OnlyADependencyFailureIsRetryable) {
  EXPECT_TRUE(Error::unavailable("db down").retryable());
  EXPECT_TRUE(Error::timeout("slow").retryable());
  EXPECT_FALSE(Error::internal().retryable());
  EXPECT_FALSE(Error::conflict("exists").retryable());
  EXPECT_FALSE(Error::rate_limited(1).retryable());
}

TEST(Error, ValidationListsEveryFieldAndHeadersTravel) {
  auto e = Error::validation({{"name", "required"}, {"name", "too long"}, {"number", "taken"}});
  EXPECT_EQ(e.details()["fields"]["name"].size(), 2U);
  EXPECT_EQ(e.details()["fields"]["number"][0], "taken");
  auto limited = Error::rate_limited(7);
  ASSERT_EQ(limited.headers().size(), 1U);
  EXPECT_EQ(limited.headers()[0].second, "7");
}

}  // namespace
}  // namespace pbx
