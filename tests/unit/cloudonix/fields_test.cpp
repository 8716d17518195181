// Lenient field readers: what they give must be storable in PostgreSQL as it is.
#include "cloudonix/fields.hpp"

#include <gtest/gtest.h>

namespace pbx::cloudonix {
namespace {

using nlohmann::json;

std::int64_t ms(std::string_view text) {
  auto t = parse_iso8601(text);
  return t ? t->time_since_epoch().count() : -1;
}

TEST(Iso8601, InstantsOutsideYearsOneTo9999AreRefused) {
  // timestamptz refuses year 0: such a value used to fail the whole webhook batch.
  EXPECT_FALSE(parse_iso8601("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("0000-06-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("0001-01-01T00:30:00+01:00"));  // 0000-12-31T23:30Z
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:59-00:01"));  // 10000-01-01T00:00:59Z
  EXPECT_FALSE(parse_iso8601("9999-12-31T23:59:60Z"));
  EXPECT_EQ(ms("0001-01-01T00:00:00Z"), -62135596800000);
  EXPECT_EQ(ms("9999-12-31T23:59:59.999Z"), 253402300799999);
  EXPECT_EQ(ms("0001-01-01T01:00:00+01:00"), -62135596800000);
}

TEST(Fields, TextHasNoNulAndIsValidUtf8) {
  // PostgreSQL text cannot hold NUL: a session token with \u0000 used to fail the batch.
  auto body = json::parse(R"({"token":"a\u0000b","bad":"x"})");
  body["bad"] = std::string("x\xff y");
  EXPECT_EQ(fields::text(body, "token"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(fields::text(body, "bad"), "x\xEF\xBF\xBD y");
  EXPECT_EQ(fields::text(json{{"t", " plain "}}, "t"), "plain");
}

TEST(Fields, DecimalsFitANumericColumn) {
  // numeric refuses 1e-16384 and 1e131072: such a cost used to make the CDR unstorable.
  auto decimal = [](const json& v) { return fields::decimal(json{{"c", v}}, "c"); };
  EXPECT_FALSE(decimal("1e-20000"));
  EXPECT_FALSE(decimal("1e131072"));
  EXPECT_FALSE(decimal("1e00001"));
  EXPECT_EQ(decimal("1.5e-9999"), "1.5e-9999");
  EXPECT_EQ(decimal("-0.0125"), "-0.0125");
  EXPECT_EQ(decimal(1e308), "1e+308");
  EXPECT_EQ(fields::integer(json{{"n", "1e3"}}, "n"), 1000);
  EXPECT_FALSE(fields::integer(json{{"n", "1e99999"}}, "n"));
}

}  // namespace
}  // namespace pbx::cloudonix
