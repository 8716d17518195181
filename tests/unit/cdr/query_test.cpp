#include "cdr/query.hpp"

#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace pbx::cdr {
namespace {

using http::Cursor;
using http::decode_cursor;
using http::encode_cursor;
using nlohmann::json;

json fields_of(const url::Params& query) {
  try {
    parse_cdr_list_query(query);
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 422);
    return e.details()["fields"];
  }
  ADD_FAILURE() << "no validation error";
  return json::object();
}

TEST(CdrQuery, DefaultsAndEveryFilter) {
  auto q = parse_cdr_list_query({});
  EXPECT_EQ(q.sort, Sort::newest_first);
  EXPECT_EQ(q.page.limit, 50);
  EXPECT_FALSE(q.page.after);
  EXPECT_FALSE(q.csv);

  q = parse_cdr_list_query({{"from_date", "2026-03-01"},
                            {"to_date", "2026-03-04T10:30:00Z"},
                            {"from", "+1212"},
                            {"to", "1001"},
                            {"disposition", "answered,busy,answered"},
                            {"direction", "inbound"},
                            {"extension", "6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"},
                            {"sort", "started_at"},
                            {"limit", "500"},
                            {"format", "csv"}});
  ASSERT_TRUE(q.filter.from_date && q.filter.from_date->day);
  ASSERT_TRUE(q.filter.to_date && q.filter.to_date->instant);
  EXPECT_EQ(*q.filter.from, "+1212");
  EXPECT_EQ(*q.filter.to, "1001");
  EXPECT_EQ(q.filter.dispositions, (std::vector<std::string>{"answered", "busy"}));
  EXPECT_EQ(q.filter.directions, (std::vector<std::string>{"inbound"}));
  EXPECT_EQ(q.sort, Sort::oldest_first);
  EXPECT_EQ(q.page.limit, 500);
  EXPECT_TRUE(q.csv);
}

TEST(CdrQuery, PlusDecodedAsSpaceIsAPlusAgain) {
  // "from=+1212" unencoded in a query string reaches the handler as " 1212".
  EXPECT_EQ(*parse_cdr_list_query({{"from", " 1212"}}).filter.from, "+1212");
  EXPECT_EQ(*parse_cdr_list_query({{"to", "+44"}}).filter.to, "+44");
  // Bytes that are not UTF-8 cannot match a stored number and would be refused as SQL text.
  for (const char* bad : {"\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "+1\x01"}) {
    EXPECT_THROW(parse_cdr_list_query({{"from", bad}}), Error) << bad;
    EXPECT_THROW(parse_cdr_stats_query({{"to", bad}}), Error) << bad;
  }
}

TEST(CdrQuery, EveryBadParameterIsReportedAtOnce) {
  auto fields = fields_of({{"from_date", "2026-02-30"},
                           {"to_date", "yesterday"},
                           {"from", ""},
                           {"to", std::string(65, '1')},
                           {"disposition", "answered,ringing,nope"},
                           {"direction", "sideways"},
                           {"extension", "42"},
                           {"sort", "duration"},
                           {"limit", "501"},
                           {"cursor", "not-a-cursor"},
                           {"format", "xml"},
                           {"colour", "red"}});
  for (const char* name : {"from_date", "to_date", "from", "to", "disposition", "direction",
                           "extension", "sort", "limit", "cursor", "format", "colour"}) {
    EXPECT_TRUE(fields.contains(name)) << name << " in " << fields.dump();
  }
  EXPECT_EQ(fields["disposition"].size(), 2u);  // ringing and nope
  EXPECT_EQ(fields.size(), 12u);
}

TEST(CdrQuery, LimitsRangesAndRepeats) {
  for (const char* bad : {"0", "-1", "abc", "10x", "", "1e2"}) {
    EXPECT_TRUE(fields_of({{"limit", bad}}).contains("limit")) << bad;
  }
  EXPECT_EQ(parse_cdr_list_query({{"limit", "1"}}).page.limit, 1);
  EXPECT_TRUE(
      fields_of({{"from_date", "2026-03-05"}, {"to_date", "2026-03-04"}}).contains("to_date"));
  EXPECT_TRUE(
      fields_of({{"disposition", "busy"}, {"disposition", "failed"}}).contains("disposition"));
  EXPECT_TRUE(fields_of({{"disposition", ""}}).contains("disposition"));
}

TEST(CdrQuery, StatsTakeFiltersOnly) {
  auto f = parse_cdr_stats_query({{"disposition", "failed"}, {"from", "+1"}});
  EXPECT_EQ(f.dispositions, (std::vector<std::string>{"failed"}));
  try {
    parse_cdr_stats_query({{"limit", "5"}, {"direction", "up"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(e.details()["fields"].contains("limit"));
    EXPECT_TRUE(e.details()["fields"].contains("direction"));
  }
}

TEST(CdrCursor, RoundTripsAndRejectsTamperingAndOtherOrders) {
  Cursor c{"cdrs:-started_at", 1772620200123456, "6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"};
  auto text = encode_cursor(c);
  auto back = decode_cursor(text, "cdrs:-started_at");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at, c.at);
  EXPECT_EQ(back->id, c.id);

  EXPECT_FALSE(decode_cursor(text, "cdrs:started_at"));    // another sort
  EXPECT_FALSE(decode_cursor(text, "calls:-created_at"));  // another list
  std::string flipped = text;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(decode_cursor(flipped, "cdrs:-started_at"));
  EXPECT_FALSE(decode_cursor(text.substr(0, text.size() - 3), "cdrs:-started_at"));
  EXPECT_FALSE(decode_cursor("", "cdrs:-started_at"));
  EXPECT_FALSE(decode_cursor("!!!", "cdrs:-started_at"));
  for (
      const char* forged :
      {R"({"l":"cdrs:-started_at","t":"1","i":"x"})",
       R"({"l":"cdrs:-started_at","t":1,"i":"not-a-uuid"})",
       R"({"l":"cdrs:-started_at","t":1.5,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
       // Times PostgreSQL cannot take: before year 1, after 9999, at the int64 limits.
       R"({"l":"cdrs:-started_at","t":-62135596800000001,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
       R"({"l":"cdrs:-started_at","t":253402300800000000,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
       R"({"l":"cdrs:-started_at","t":9223372036854775807,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
       R"([1,2,3])"}) {
    EXPECT_FALSE(decode_cursor(crypto::base64url(forged), "cdrs:-started_at")) << forged;
  }
  // Bytes after a NUL, which the JSON parser would take for the end of the text.
  std::string nul_tail =
      std::string(R"({"l":"cdrs:-started_at","t":1,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})") +
      '\0' + "x";
  EXPECT_FALSE(decode_cursor(crypto::base64url(nul_tail), "cdrs:-started_at"));
  // A cursor of the other order is refused by the list parser, on the cursor field.
  auto fields = fields_of({{"cursor", text}, {"sort", "started_at"}});
  EXPECT_TRUE(fields.contains("cursor"));
  EXPECT_TRUE(parse_cdr_list_query({{"cursor", text}}).page.after);
}

TEST(CdrRange, DaysAreReadInTheTenantZoneAndToDateIsInclusive) {
  auto q = parse_cdr_list_query({{"from_date", "2026-03-04"}, {"to_date", "2026-03-04"}});
  auto utc = resolve_range(q.filter, "UTC");
  EXPECT_EQ(iso8601(*utc.from), "2026-03-04T00:00:00Z");
  EXPECT_EQ(iso8601(*utc.to_exclusive), "2026-03-05T00:00:00Z");
  auto ny = resolve_range(q.filter, "America/New_York");
  EXPECT_EQ(iso8601(*ny.from), "2026-03-04T05:00:00Z");
  EXPECT_EQ(iso8601(*ny.to_exclusive), "2026-03-05T05:00:00Z");
  // Across the spring-forward night the day is 23 hours long.
  auto dst = resolve_range(
      parse_cdr_list_query({{"from_date", "2026-03-08"}, {"to_date", "2026-03-08"}}).filter,
      "America/New_York");
  EXPECT_EQ(*dst.to_exclusive - *dst.from, 23LL * 3600 * 1000000);
  // An instant includes itself.
  auto inst =
      resolve_range(parse_cdr_list_query({{"to_date", "2026-03-04T10:30:00+02:00"}}).filter, "UTC");
  EXPECT_EQ(iso8601(*inst.to_exclusive), "2026-03-04T08:30:00.000001Z");
  EXPECT_EQ(pg_timestamp(*inst.to_exclusive), "2026-03-04 08:30:00.000001+00");
}

TEST(CdrCursor, TimesPostgresCannotCompareAreRefused) {
  // A forged cursor far in the past used to reach the SQL as year -292275: a 500, not a 422.
  const std::string id = "6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60";
  for (Micros t : {kFirstMicros - 1, kLastMicros + 1, std::numeric_limits<Micros>::min()}) {
    auto text = encode_cursor({"cdrs:-started_at", t, id});
    EXPECT_FALSE(decode_cursor(text, "cdrs:-started_at")) << t;
    EXPECT_TRUE(fields_of({{"cursor", text}}).contains("cursor"));
  }
  for (Micros t : {kFirstMicros, kLastMicros}) {
    EXPECT_TRUE(decode_cursor(encode_cursor({"cdrs:-started_at", t, id}), "cdrs:-started_at"));
  }
}

TEST(CdrRange, BoundsStayWithinWhatPostgresAccepts) {
  // Midnight of 0001-01-01 east of UTC is in year 0, which timestamptz refuses (a 500).
  auto f = parse_cdr_list_query({{"from_date", "0001-01-01"}, {"to_date", "9999-12-31"}}).filter;
  for (const char* zone : {"Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"}) {
    auto r = resolve_range(f, zone);
    EXPECT_GE(*r.from, kFirstMicros) << zone;
    EXPECT_LE(*r.to_exclusive, kLastMicros + 1) << zone;
    EXPECT_EQ(pg_timestamp(*r.from).substr(0, 5), "0001-") << zone;
  }
  EXPECT_TRUE(fields_of({{"from_date", "0000-01-01T00:00:00Z"}}).contains("from_date"));
}

TEST(CdrFormat, TimestampsAndLikePatterns) {
  EXPECT_EQ(iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(iso8601(1772620200000000), "2026-03-04T10:30:00Z");
  EXPECT_EQ(iso8601(1772620200123000), "2026-03-04T10:30:00.123Z");
  EXPECT_EQ(iso8601(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(like_prefix("+1212"), "+1212%");
  EXPECT_EQ(like_prefix("a%b_c\\"), "a\\%b\\_c\\\\%");
}

TEST(CdrCsv, QuotesOnlyWhatNeedsQuotingAndDoublesQuotes) {
  EXPECT_EQ(csv_field("+12125550100"), "+12125550100");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_row({"a", "b,c", ""}), "a,\"b,c\",\r\n");
  EXPECT_EQ(cdr_columns().size(), 16u);
  EXPECT_EQ(csv_row(cdr_columns()).substr(0, 22), "id,session_token,call_");
}

// A spreadsheet runs a cell that starts with = + - @ (or tab or CR before one) as a formula, and
// callers choose their own SIP From: such cells get a leading quote. Plain numbers (E.164
// numbers, a negative cost) stay numbers.
TEST(CdrCsv, NeutralisesFormulaCellsButKeepsNumbers) {
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  EXPECT_EQ(csv_field("+1 (555)"), "'+1 (555)");
  EXPECT_EQ(csv_field("@SUM(A1:A9)"), "'@SUM(A1:A9)");
  EXPECT_EQ(csv_field("-2+3"), "'-2+3");
  EXPECT_EQ(csv_field("\t=1"), "'\t=1");
  EXPECT_EQ(csv_field("\r=1"), "\"'\r=1\"");
  EXPECT_EQ(csv_field("="), "'=");
  EXPECT_EQ(csv_field("+"), "'+");
  EXPECT_EQ(csv_field("-"), "'-");
  EXPECT_EQ(csv_field("+1."), "'+1.");
  EXPECT_EQ(csv_field("-1e5"), "'-1e5");
  EXPECT_EQ(csv_field("+1-2"), "'+1-2");
  EXPECT_EQ(csv_field("+14155550100"), "+14155550100");
  EXPECT_EQ(csv_field("+442075550100"), "+442075550100");
  EXPECT_EQ(csv_field("-0.01"), "-0.01");
  EXPECT_EQ(csv_field("-17"), "-17");
  EXPECT_EQ(csv_field("sip:a=b@x"), "sip:a=b@x");  // only the first character matters
  EXPECT_EQ(csv_row({"=1", "+14155550100", "@x"}), "'=1,+14155550100,'@x\r\n");
}

TEST(CdrHourSplit, WholeHoursFromRollupsAndTheEndsFromCdrs) {
  constexpr Micros h = 3'600'000'000;
  using Spans = std::vector<std::pair<Micros, Micros>>;
  // Unbounded: every hour, nothing partial.
  auto all = split_hours({});
  EXPECT_FALSE(all.hours_from);
  EXPECT_FALSE(all.hours_to);
  EXPECT_TRUE(all.partial.empty());
  // Hour-aligned ends: whole hours only.
  auto aligned = split_hours({10 * h, 34 * h});
  EXPECT_EQ(aligned.hours_from, 10 * h);
  EXPECT_EQ(aligned.hours_to, 34 * h);
  EXPECT_TRUE(aligned.partial.empty());
  // Both ends inside an hour: the hours between, and the two pieces.
  auto ragged = split_hours({10 * h + 5, 34 * h - 7});
  EXPECT_EQ(ragged.hours_from, 11 * h);
  EXPECT_EQ(ragged.hours_to, 33 * h);
  EXPECT_EQ(ragged.partial, (Spans{{10 * h + 5, 11 * h}, {33 * h, 34 * h - 7}}));
  // Within one hour, or across one boundary without a whole hour: all read from CDRs, and the
  // rollup range is empty.
  for (auto [from, to] : Spans{{10 * h + 1, 10 * h + 9}, {10 * h + 1, 11 * h + 9}}) {
    auto none = split_hours({from, to});
    EXPECT_EQ(none.partial, (Spans{{from, to}}));
    EXPECT_EQ(none.hours_from, none.hours_to);
  }
  // One bound only.
  auto from_only = split_hours({10 * h + 5, std::nullopt});
  EXPECT_EQ(from_only.hours_from, 11 * h);
  EXPECT_FALSE(from_only.hours_to);
  EXPECT_EQ(from_only.partial, (Spans{{10 * h + 5, 11 * h}}));
  auto to_only = split_hours({std::nullopt, 34 * h + 5});
  EXPECT_FALSE(to_only.hours_from);
  EXPECT_EQ(to_only.hours_to, 34 * h);
  EXPECT_EQ(to_only.partial, (Spans{{34 * h, 34 * h + 5}}));
  // Before 1970 the hours are floored, not truncated towards zero.
  auto early = split_hours({-10 * h - 5, -2 * h + 5});
  EXPECT_EQ(early.hours_from, -10 * h);
  EXPECT_EQ(early.hours_to, -2 * h);
  EXPECT_EQ(early.partial, (Spans{{-10 * h - 5, -10 * h}, {-2 * h, -2 * h + 5}}));
  // The earliest bound Postgres takes.
  auto first = split_hours({kFirstMicros, std::nullopt});
  EXPECT_EQ(*first.hours_from % h, 0);
  EXPECT_GE(*first.hours_from, kFirstMicros);
}

TEST(CdrStats, GroupsAddUpByDispositionAndDayWithAverages) {
  auto stats = stats_json({{"2026-03-02", "busy", 2, 0, 10, 0},
                           {"2026-03-01", "answered", 3, 3, 90, 60},
                           {"2026-03-02", "answered", 1, 1, 20, 15},
                           {"2026-03-01", "answered", 1, 1, 30, 25}});
  EXPECT_EQ(stats, json::parse(R"({"total": 7, "answered": 5, "missed": 2,
    "average_duration": 21.428571428571427, "average_billsec": 14.285714285714286,
    "by_disposition": {"answered": 5, "busy": 2, "no_answer": 0, "cancelled": 0, "failed": 0,
                       "other": 0},
    "by_day": [{"date": "2026-03-01", "total": 4, "answered": 4},
               {"date": "2026-03-02", "total": 3, "answered": 1}]})"));
  auto none = stats_json({});
  EXPECT_EQ(none["total"], 0);
  EXPECT_EQ(none["average_duration"], 0.0);
  EXPECT_EQ(none["by_day"], json::array());
  EXPECT_EQ(none["by_disposition"].size(), dispositions().size());
}

}  // namespace
}  // namespace pbx::cdr
