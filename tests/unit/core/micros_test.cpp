// Instants in microseconds and their two text forms, at the edges PostgreSQL accepts.
#include "core/micros.hpp"

#include <gtest/gtest.h>

namespace pbx {
namespace {

TEST(Micros, Iso8601ShowsOnlyTheDigitsNeeded) {
  EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601(1000), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(iso8601(1001), "1970-01-01T00:00:00.001001Z");
  EXPECT_EQ(iso8601(1772620200123456), "2026-03-04T10:30:00.123456Z");
  EXPECT_EQ(iso8601(-1000000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(iso8601(kFirstMicros), "0001-01-01T00:00:00Z");
  EXPECT_EQ(iso8601(kLastMicros), "9999-12-31T23:59:59.999999Z");
}

TEST(Micros, PgTimestampAlwaysHasMicroseconds) {
  EXPECT_EQ(pg_timestamp(0), "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(pg_timestamp(-1), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(pg_timestamp(kFirstMicros), "0001-01-01 00:00:00.000000+00");
  EXPECT_EQ(pg_timestamp(kLastMicros), "9999-12-31 23:59:59.999999+00");
  EXPECT_EQ(pg_timestamp(kLastMicros + 1), "10000-01-01 00:00:00.000000+00");
}

}  // namespace
}  // namespace pbx
