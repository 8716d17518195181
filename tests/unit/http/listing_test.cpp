// The listing codec of every admin list: what a client sends back must be one we could have
// made, for the list and order that made it; limits and pages follow one rule.
#include "http/listing.hpp"

#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace pbx::http {
namespace {

using nlohmann::json;

const std::string kId = "6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60";
const std::string kList = "extensions:created_at";

json fields_of(const url::Params& query, const ParamReader& extra = nullptr) {
  try {
    parse_list_query(query, kList, extra);
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 422);
    return e.details()["fields"];
  }
  ADD_FAILURE() << "no validation error";
  return json::object();
}

TEST(ListCursor, RoundTrips) {
  auto back = decode_cursor(encode_cursor({kList, 1772620200123456, kId}), kList);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->list, kList);
  EXPECT_EQ(back->at, 1772620200123456);
  EXPECT_EQ(back->id, kId);
}

TEST(ListCursor, AnotherListOrOrderIsRefused) {
  auto text = encode_cursor({kList, 1, kId});
  for (const char* other : {"extensions:-created_at", "ring_groups:created_at", "extensions", "",
                            "extensions:created_atx", "Extensions:created_at"}) {
    EXPECT_FALSE(decode_cursor(text, other)) << other;
  }
}

TEST(ListCursor, MalformedIsRefused) {
  // Including the texts of the resource lists' earlier "<micros>:<id>" cursors.
  for (const char* bad :
       {"", "!!", "1772620200:not-a-uuid", ":6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60",
        "1x:6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60",
        "1772620200:6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60", "null", "{}", "[]",
        R"({"l":"extensions:created_at","t":1})",
        R"({"l":"extensions:created_at","t":1,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60","x":0})",
        R"({"l":1,"t":1,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
        R"({"l":"extensions:created_at","t":"1","i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
        R"({"l":"extensions:created_at","t":1.5,"i":"6f1c1f7e-1d2b-4c55-9a57-1b2c3d4e5f60"})",
        R"({"l":"extensions:created_at","t":1,"i":"not-a-uuid"})",
        R"({"l":"extensions:created_at","t":1,"i":7})"}) {
    EXPECT_FALSE(decode_cursor(crypto::base64url(bad), kList)) << bad;
  }
  EXPECT_FALSE(decode_cursor("not base64 at all", kList));
  // Bytes after a NUL, which the JSON parser would take for the end of the text.
  auto nul_tail =
      std::string(R"({"l":"extensions:created_at","t":1,"i":")") + kId + "\"}" + '\0' + "x";
  EXPECT_FALSE(decode_cursor(crypto::base64url(nul_tail), kList));
}

TEST(ListCursor, TamperedIsRefused) {
  auto text = encode_cursor({kList, 1772620200123456, kId});
  std::string flipped = text;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(decode_cursor(flipped, kList));
  EXPECT_FALSE(decode_cursor(text.substr(0, text.size() - 3), kList));
  EXPECT_FALSE(decode_cursor(text + "A", kList));
}

TEST(ListCursor, TimesPostgresCannotHoldAreRefused) {
  // Such a cursor used to reach the SQL and fail there: a 500 instead of a 422.
  for (Micros t : {std::numeric_limits<Micros>::max(), std::numeric_limits<Micros>::min(),
                   kFirstMicros - 1, kLastMicros + 1}) {
    EXPECT_FALSE(decode_cursor(encode_cursor({kList, t, kId}), kList)) << t;
  }
  // Beyond int64: would wrap to -1, a time in range.
  auto huge = R"({"l":"extensions:created_at","t":18446744073709551615,"i":")" + kId + "\"}";
  EXPECT_FALSE(decode_cursor(crypto::base64url(huge), kList));
  EXPECT_TRUE(decode_cursor(encode_cursor({kList, kFirstMicros, kId}), kList));
  EXPECT_TRUE(decode_cursor(encode_cursor({kList, kLastMicros, kId}), kList));
}

TEST(ListLimit, OneToFiveHundred) {
  EXPECT_EQ(parse_limit("1"), 1);
  EXPECT_EQ(parse_limit("50"), 50);
  EXPECT_EQ(parse_limit("500"), 500);
  for (const char* bad : {"", "0", "501", "-1", "+5", " 5", "5 ", "5x", "1e2", "0x10", "2.0",
                          "99999999999999999999"}) {
    EXPECT_FALSE(parse_limit(bad)) << bad;
  }
}

TEST(ListQuery, DefaultsToTheFirstPageOfFifty) {
  auto page = parse_list_query({}, kList);
  EXPECT_EQ(page.limit, kDefaultLimit);
  EXPECT_EQ(kDefaultLimit, 50);
  EXPECT_EQ(kMaxLimit, 500);
  EXPECT_FALSE(page.after);
  // An empty cursor is the first page too.
  EXPECT_FALSE(parse_list_query({{"cursor", ""}}, kList).after);
}

TEST(ListQuery, ReadsLimitAndCursorOfItsList) {
  auto text = encode_cursor({kList, 42, kId});
  auto page = parse_list_query({{"cursor", text}, {"limit", "7"}}, kList);
  EXPECT_EQ(page.limit, 7);
  ASSERT_TRUE(page.after);
  EXPECT_EQ(page.after->at, 42);
  EXPECT_EQ(page.after->id, kId);
  auto other = encode_cursor({"extensions:-created_at", 42, kId});
  auto fields = fields_of({{"cursor", other}});
  ASSERT_TRUE(fields.contains("cursor"));
  EXPECT_EQ(fields["cursor"][0], "is not a cursor of this list and order");
}

TEST(ListQuery, EveryBadParameterIsReportedAtOnce) {
  auto fields = fields_of({{"limit", "0"}, {"cursor", "garbage"}, {"sort", "up"}, {"limit", "5"}});
  EXPECT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields["limit"][0], "must be an integer from 1 to 500");
  EXPECT_EQ(fields["limit"][1], "given more than once");
  EXPECT_EQ(fields["sort"][0], "unknown parameter");
  EXPECT_TRUE(fields.contains("cursor"));
  EXPECT_EQ(fields_of({{"limit", "501"}})["limit"][0], "must be an integer from 1 to 500");
}

TEST(ListQuery, ExtraParametersAreTheListsOwn) {
  std::string include;
  ParamReader extra = [&](const std::string& name, const std::string& value,
                          Error::FieldErrors& errors) {
    if (name != "include") return false;
    if (value != "body") errors.emplace_back(name, "must be body");
    include = value;
    return true;
  };
  auto page = parse_list_query({{"include", "body"}, {"limit", "3"}}, kList, extra);
  EXPECT_EQ(include, "body");
  EXPECT_EQ(page.limit, 3);
  auto fields = fields_of({{"include", "nope"}, {"other", "1"}}, extra);
  EXPECT_EQ(fields["include"][0], "must be body");
  EXPECT_EQ(fields["other"][0], "unknown parameter");
}

TEST(ListQuery, CursorIsReadAgainstTheOrderTheQueryChose) {
  // The order is a parameter that may come after the cursor.
  auto text = encode_cursor({"cdrs:started_at", 1, kId});
  std::string order = "-started_at";
  ParamReader sort = [&](const std::string& name, const std::string& value, Error::FieldErrors&) {
    if (name != "sort") return false;
    order = value;
    return true;
  };
  auto list = [&]() -> std::string_view {
    return order == "started_at" ? "cdrs:started_at" : "cdrs:-started_at";
  };
  Error::FieldErrors errors;
  auto page = read_list_query({{"cursor", text}, {"sort", "started_at"}}, sort, list, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(page.after);
  order = "-started_at";
  page = read_list_query({{"cursor", text}}, sort, list, errors);
  EXPECT_FALSE(page.after);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].first, "cursor");
}

TEST(ListParams, RepeatsAndUnknownsAreErrors) {
  Error::FieldErrors errors;
  std::vector<std::string> read;
  read_params(
      {{"a", "1"}, {"b", "2"}, {"a", "3"}},
      [&](const std::string& name, const std::string& value, Error::FieldErrors&) {
        read.push_back(name + "=" + value);
        return name == "a";
      },
      errors);
  EXPECT_EQ(read, (std::vector<std::string>{"a=1", "b=2"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (std::pair<std::string, std::string>{"b", "unknown parameter"}));
  EXPECT_EQ(errors[1], (std::pair<std::string, std::string>{"a", "given more than once"}));
}

json page_of(size_t fetched, int limit) {
  Page page;
  page.limit = limit;
  return page_json(
      fetched, page, kList, [](size_t i) { return json(static_cast<int>(i)); },
      [](size_t i) {
        return std::pair{static_cast<Micros>(i * 10), kId};
      });
}

TEST(ListPage, ShowsTheLimitAndACursorOnlyWhenThereIsMore) {
  EXPECT_EQ(page_of(0, 3), json::parse(R"({"data": [], "next_cursor": null})"));
  EXPECT_EQ(page_of(2, 3), json::parse(R"({"data": [0, 1], "next_cursor": null})"));
  EXPECT_EQ(page_of(3, 3), json::parse(R"({"data": [0, 1, 2], "next_cursor": null})"));
  auto more = page_of(4, 3);
  EXPECT_EQ(more["data"], json::parse("[0, 1, 2]"));
  ASSERT_TRUE(more["next_cursor"].is_string());
  auto next = decode_cursor(more["next_cursor"].get<std::string>(), kList);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->at, 20);  // the last row shown
  EXPECT_EQ(next->id, kId);
  EXPECT_FALSE(decode_cursor(more["next_cursor"].get<std::string>(), "cdrs:-started_at"));
}

}  // namespace
}  // namespace pbx::http
