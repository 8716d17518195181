#include "routing/business_hours.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include "business_hours_helpers.hpp"

namespace pbx::routing {
namespace {

using namespace hours_test;

std::vector<std::string> parse_errors(const std::string& zone, const json& weekly,
                                      const json& exceptions = json::array()) {
  std::vector<std::string> errors;
  EXPECT_FALSE(parse_schedule(zone, weekly, exceptions, &errors));
  return errors;
}

TEST(BusinessHoursParse, NormalisesSchedule) {
  auto schedule =
      parse_ok("Europe/London",
               {{"mon", json::array({range("09:00", "17:00")})},
                {"sun", json::array({range("22:00", "24:00"), range("00:00", "23:59")})}},
               json::array({{{"date", "2026-12-26"}, {"name", "Boxing Day"}, {"closed", true}},
                            {{"date", "2026-12-24"},
                             {"name", "Christmas Eve"},
                             {"closed", false},
                             {"ranges", json::array({range("09:00", "12:00")})}}}));
  EXPECT_EQ(schedule.timezone, "Europe/London");
  ASSERT_NE(schedule.zone, nullptr);
  EXPECT_EQ(schedule.zone->name(), "Europe/London");
  ASSERT_EQ(schedule.weekly[0].size(), 1u);
  EXPECT_EQ(schedule.weekly[0][0].start, 9 * 60);
  EXPECT_EQ(schedule.weekly[0][0].end, 17 * 60);
  ASSERT_EQ(schedule.weekly[6].size(), 2u);
  EXPECT_EQ(schedule.weekly[6][0].end, 1440);
  EXPECT_EQ(schedule.weekly[6][1].end, 1439);
  for (int day = 1; day < 6; ++day) EXPECT_TRUE(schedule.weekly[day].empty()) << day;
  ASSERT_EQ(schedule.exceptions.size(), 2u);
  EXPECT_EQ(schedule.exceptions[0].date, "2026-12-24");
  EXPECT_EQ(schedule.exceptions[0].name, "Christmas Eve");
  EXPECT_FALSE(schedule.exceptions[0].closed);
  ASSERT_EQ(schedule.exceptions[0].ranges.size(), 1u);
  EXPECT_EQ(schedule.exceptions[1].date, "2026-12-26");
  EXPECT_TRUE(schedule.exceptions[1].closed);
}

TEST(BusinessHoursParse, RejectsUnknownTimeZone) {
  for (const char* zone : {"Mars/Olympus_Mons", "", "new york"}) {
    EXPECT_EQ(parse_errors(zone, kNineToFive),
              std::vector<std::string>{"timezone: unknown time zone"})
        << zone;
  }
}

TEST(BusinessHoursParse, RejectsBadTimes) {
  for (const json& bad : {json("9:00"), json("09:60"), json("25:00"), json("24:01"), json("0900"),
                          json("09:0a"), json(""), json(" 09:00"), json(900), json(nullptr)}) {
    auto errors = parse_errors("UTC", {{"mon", json::array({{{"start", bad}, {"end", "17:00"}}})}});
    ASSERT_EQ(errors.size(), 1u) << bad;
    EXPECT_EQ(errors[0].rfind("weekly.mon[0].start: must be HH:MM", 0), 0u) << errors[0];
  }
  EXPECT_EQ(parse_errors("UTC", {{"tue", json::array({range("24:00", "02:00")})}}),
            std::vector<std::string>{"weekly.tue[0].start: 24:00 is only allowed as an end"});
  EXPECT_EQ(parse_errors("UTC", {{"wed", json::array({range("09:00", "09:00")})}}),
            std::vector<std::string>{"weekly.wed[0]: start and end must differ"});
  EXPECT_EQ(parse_errors("UTC", {{"thu", json::array({{{"start", "09:00"}}})}}),
            std::vector<std::string>{"weekly.thu[0].end: required"});
}

TEST(BusinessHoursParse, RejectsBadDates) {
  for (const json& bad : {json("2026-02-30"), json("2025-02-29"), json("2026-13-01"),
                          json("2026-00-10"), json("2026-12-00")}) {
    auto errors = parse_errors("UTC", kNineToFive,
                               json::array({{{"date", bad}, {"name", "x"}, {"closed", true}}}));
    EXPECT_EQ(errors, std::vector<std::string>{"exceptions[0].date: no such date"}) << bad;
  }
  for (const json& bad : {json("2026-2-3"), json("20261225"), json("2026/12/25"), json(20261225),
                          json("2026-12-25T00:00")}) {
    auto errors = parse_errors("UTC", kNineToFive,
                               json::array({{{"date", bad}, {"name", "x"}, {"closed", true}}}));
    EXPECT_EQ(errors, std::vector<std::string>{"exceptions[0].date: must be YYYY-MM-DD"}) << bad;
  }
  parse_ok("UTC", kNineToFive,
           json::array({{{"date", "2028-02-29"}, {"name", "Leap day"}, {"closed", true}}}));
}

TEST(BusinessHoursParse, ReportsEveryProblemAtOnce) {
  auto errors =
      parse_errors("Nowhere/Special",
                   {{"mon", json::array({range("9:00", "17:00"),
                                         {{"start", "10:00"}, {"end", "11:00"}, {"note", "x"}}})},
                    {"funday", json::array()},
                    {"tue", "09:00-17:00"}},
                   json::array({{{"date", "2026-02-30"}, {"name", "Bad"}, {"closed", true}},
                                {{"date", "2026-12-25"}, {"closed", "yes"}, {"colour", "red"}},
                                {{"date", "2026-12-31"}, {"name", "Eve"}},
                                {{"date", "2026-12-24"},
                                 {"name", "Both"},
                                 {"closed", true},
                                 {"ranges", json::array({range("09:00", "24:00")})}},
                                {{"date", "2026-07-04"}, {"name", "A"}, {"closed", true}},
                                {{"date", "2026-07-04"}, {"name", "B"}, {"closed", true}},
                                "2026-01-01"}));
  const std::vector<std::string> expected = {
      "timezone: unknown time zone",
      "weekly.funday: unknown day (use mon, tue, wed, thu, fri, sat, sun)",
      "weekly.mon[0].start: must be HH:MM",
      "weekly.mon[1].note: unknown field",
      "weekly.tue: must be an array of {start, end}",
      "exceptions[0].date: no such date",
      "exceptions[1].colour: unknown field",
      "exceptions[1].name: required",
      "exceptions[1].closed: must be true or false",
      "exceptions[1]: needs \"closed\": true or ranges",
      "exceptions[2]: needs \"closed\": true or ranges",
      "exceptions[3].ranges: not allowed when closed is true",
      "exceptions[5].date: duplicate of exceptions[4]",
      "exceptions[6]: must be an object with date, name and closed or ranges",
  };
  EXPECT_EQ(errors, expected);
}

TEST(BusinessHoursParse, RejectsWrongContainerTypes) {
  EXPECT_EQ(parse_errors("UTC", json::array(), json::object()),
            (std::vector<std::string>{
                "weekly: must be an object keyed by mon, tue, wed, thu, fri, sat, sun",
                "exceptions: must be an array"}));
  EXPECT_EQ(parse_errors("UTC", {{"fri", json::array({"09:00"})}}),
            std::vector<std::string>{"weekly.fri[0]: must be an object with start and end"});
  EXPECT_EQ(parse_errors("UTC", kNineToFive,
                         json::array({{{"date", "2026-12-24"},
                                       {"name", "Eve"},
                                       {"ranges", json::array({range("09:00", "24:01")})}}})),
            std::vector<std::string>{
                "exceptions[0].ranges[0].end: must be HH:MM between 00:00 and 23:59"});
}

TEST(BusinessHoursParse, AppendsErrorsAndToleratesNoErrorList) {
  std::vector<std::string> errors = {"earlier"};
  EXPECT_FALSE(parse_schedule("Bad/Zone", kNineToFive, json::array(), &errors));
  EXPECT_EQ(errors, (std::vector<std::string>{"earlier", "timezone: unknown time zone"}));
  EXPECT_FALSE(parse_schedule("Bad/Zone", kNineToFive, json::array(), nullptr));
  EXPECT_TRUE(parse_schedule("UTC", kNineToFive, nullptr, nullptr));
}

}  // namespace
}  // namespace pbx::routing
