// The resource lists' page cursor: what a client sends back must be one we could have made.
#include "admin/resource.hpp"

#include "cdr/query.hpp"
#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace pbx::admin {
namespace {

const std::string kId = "6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60";

TEST(ListCursor, RoundTrips) {
  auto text = encode_list_cursor(1772620200123456, kId);
  EXPECT_EQ(decode_list_cursor(text), ListPosition(1772620200123456, kId));
}

TEST(ListCursor, MalformedIsRefused) {
  for (const char* bad :
       {"", "!!", "1772620200:not-a-uuid", ":6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60",
        "1x:6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"}) {
    EXPECT_FALSE(decode_list_cursor(crypto::base64url(bad))) << bad;
  }
  EXPECT_FALSE(decode_list_cursor("not base64 at all"));
}

TEST(ListCursor, TimesPostgresCannotHoldAreRefused) {
  // Such a cursor used to reach the SQL and fail there: a 500 instead of a 422.
  for (cdr::Micros t :
       {std::numeric_limits<cdr::Micros>::max(), std::numeric_limits<cdr::Micros>::min(),
        cdr::kFirstMicros - 1, cdr::kLastMicros + 1}) {
    EXPECT_FALSE(decode_list_cursor(encode_list_cursor(t, kId))) << t;
  }
  EXPECT_TRUE(decode_list_cursor(encode_list_cursor(cdr::kFirstMicros, kId)));
  EXPECT_TRUE(decode_list_cursor(encode_list_cursor(cdr::kLastMicros, kId)));
}

}  // namespace
}  // namespace pbx::admin
