#include "routing/business_hours.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <sstream>

namespace pbx::routing {
namespace {

using json = nlohmann::json;
using std::chrono::system_clock;
using namespace std::chrono_literals;

// An instant written in UTC, "YYYY-MM-DD HH:MM".
system_clock::time_point utc(const std::string& text) {
  std::istringstream in(text);
  date::sys_seconds instant;
  in >> date::parse("%F %R", instant);
  EXPECT_FALSE(in.fail()) << text;
  return instant;
}

json range(const char* start, const char* end) { return {{"start", start}, {"end", end}}; }

json weekdays(const json& ranges) {
  return {{"mon", ranges}, {"tue", ranges}, {"wed", ranges}, {"thu", ranges}, {"fri", ranges}};
}

const json kNineToFive = weekdays(json::array({range("09:00", "17:00")}));

Schedule parse_ok(const std::string& zone, const json& weekly,
                  const json& exceptions = json::array()) {
  std::vector<std::string> errors;
  auto schedule = parse_schedule(zone, weekly, exceptions, &errors);
  EXPECT_TRUE(schedule) << (errors.empty() ? "" : errors.front());
  return schedule.value_or(Schedule{});
}

std::vector<std::string> parse_errors(const std::string& zone, const json& weekly,
                                      const json& exceptions = json::array()) {
  std::vector<std::string> errors;
  EXPECT_FALSE(parse_schedule(zone, weekly, exceptions, &errors));
  return errors;
}

int open_minutes(const Schedule& schedule, system_clock::time_point from,
                 system_clock::time_point to) {
  int open = 0;
  for (auto at = from; at < to; at += 1min) open += is_open(schedule, at) ? 1 : 0;
  return open;
}

TEST(BusinessHours, OpenInsideWeeklyRange) {
  auto schedule = parse_ok("America/New_York", kNineToFive);
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 13:30")));  // Monday 09:30 EDT
  EXPECT_TRUE(is_open(schedule, utc("2026-03-11 20:59")));  // Wednesday 16:59 EDT
}

TEST(BusinessHours, WinterOffsetMovesOpeningLater) {
  auto schedule = parse_ok("America/New_York", kNineToFive);
  EXPECT_FALSE(is_open(schedule, utc("2026-03-02 13:30")));  // Monday 08:30 EST
  EXPECT_TRUE(is_open(schedule, utc("2026-03-02 14:30")));   // Monday 09:30 EST
}

TEST(BusinessHours, OpenExactlyAtStart) {
  auto schedule = parse_ok("UTC", kNineToFive);
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 09:00")));
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 09:00") - 1ns));
}

TEST(BusinessHours, ClosedExactlyAtEnd) {
  auto schedule = parse_ok("UTC", kNineToFive);
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 17:00")));
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 17:00") - 1ns));
}

TEST(BusinessHours, WeekendClosed) {
  auto schedule = parse_ok("Europe/London", kNineToFive);
  EXPECT_FALSE(is_open(schedule, utc("2026-03-07 12:00")));  // Saturday
  EXPECT_FALSE(is_open(schedule, utc("2026-03-08 12:00")));  // Sunday
  EXPECT_TRUE(is_open(schedule, utc("2026-03-06 12:00")));   // Friday
}

TEST(BusinessHours, EmptyWeeklyIsAlwaysClosed) {
  for (const json& weekly : {json::object(), json(nullptr)}) {
    auto schedule = parse_ok("UTC", weekly, nullptr);
    EXPECT_EQ(open_minutes(schedule, utc("2026-03-02 00:00"), utc("2026-03-09 00:00")), 0);
  }
}

TEST(BusinessHours, MissingDayIsClosed) {
  auto schedule = parse_ok("UTC", {{"tue", json::array({range("00:00", "24:00")})}});
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 12:00")));  // Monday
  EXPECT_TRUE(is_open(schedule, utc("2026-03-10 12:00")));   // Tuesday
}

TEST(BusinessHours, AllDayRange) {
  auto schedule = parse_ok("UTC", {{"mon", json::array({range("00:00", "24:00")})}});
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 00:00")));
  EXPECT_TRUE(is_open(schedule, utc("2026-03-10 00:00") - 1ns));
  EXPECT_FALSE(is_open(schedule, utc("2026-03-10 00:00")));
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 00:00") - 1ns));
  EXPECT_EQ(open_minutes(schedule, utc("2026-03-08 00:00"), utc("2026-03-11 00:00")), 24 * 60);
}

TEST(BusinessHours, SeveralRangesInOneDay) {
  auto schedule =
      parse_ok("UTC", {{"mon", json::array({range("09:00", "12:00"), range("13:00", "17:00")})}});
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 11:59")));
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 12:30")));
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 13:00")));
}

TEST(BusinessHours, OvernightRangeRunsIntoNextDay) {
  auto schedule = parse_ok("UTC", {{"fri", json::array({range("22:00", "02:00")})}});
  EXPECT_FALSE(is_open(schedule, utc("2026-03-06 21:59")));  // Friday
  EXPECT_TRUE(is_open(schedule, utc("2026-03-06 22:00")));
  EXPECT_TRUE(is_open(schedule, utc("2026-03-07 01:59")));  // Saturday
  EXPECT_FALSE(is_open(schedule, utc("2026-03-07 02:00")));
  EXPECT_FALSE(is_open(schedule, utc("2026-03-06 01:00")));  // Friday's early hours: Thursday's
  EXPECT_FALSE(is_open(schedule, utc("2026-03-07 22:30")));  // Saturday evening
}

TEST(BusinessHours, OvernightRangeEndingAtMidnight) {
  auto schedule = parse_ok("UTC", {{"fri", json::array({range("22:00", "00:00")})}});
  EXPECT_TRUE(is_open(schedule, utc("2026-03-06 23:59")));
  EXPECT_FALSE(is_open(schedule, utc("2026-03-07 00:00")));
}

TEST(BusinessHours, SundayOvernightRunsIntoMonday) {
  auto schedule = parse_ok("UTC", {{"sun", json::array({range("20:00", "06:00")})}});
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 05:59")));  // Monday
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 06:00")));
}

TEST(BusinessHours, SpringForwardNewYork) {
  auto schedule = parse_ok("America/New_York", kNineToFive);
  EXPECT_TRUE(is_open(schedule, utc("2026-03-06 14:00")));   // Friday 09:00 EST
  EXPECT_FALSE(is_open(schedule, utc("2026-03-06 13:59")));  // Friday 08:59 EST
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 13:00")));   // Monday 09:00 EDT
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 12:59")));  // Monday 08:59 EDT
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 20:59")));   // Monday 16:59 EDT
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 21:00")));  // Monday 17:00 EDT
}

TEST(BusinessHours, FallBackNewYork) {
  auto schedule = parse_ok("America/New_York", kNineToFive);
  EXPECT_TRUE(is_open(schedule, utc("2026-10-30 13:00")));   // Friday 09:00 EDT
  EXPECT_FALSE(is_open(schedule, utc("2026-11-02 13:00")));  // Monday 08:00 EST
  EXPECT_TRUE(is_open(schedule, utc("2026-11-02 14:00")));   // Monday 09:00 EST
  EXPECT_FALSE(is_open(schedule, utc("2026-11-02 22:00")));  // Monday 17:00 EST
}

// 2026-03-08 02:00 EST jumps to 03:00 EDT: the wall clock never reads 02:xx, so never open.
TEST(BusinessHours, RangeInsideSpringForwardGapNeverOpens) {
  auto schedule = parse_ok("America/New_York", {{"sun", json::array({range("02:00", "03:00")})}});
  EXPECT_FALSE(is_open(schedule, utc("2026-03-08 06:59")));  // 01:59 EST
  EXPECT_FALSE(is_open(schedule, utc("2026-03-08 07:00")));  // 03:00 EDT
  EXPECT_EQ(open_minutes(schedule, utc("2026-03-08 00:00"), utc("2026-03-09 00:00")), 0);
}

TEST(BusinessHours, RangeAcrossSpringForwardGapIsAnHourShorter) {
  auto schedule = parse_ok("America/New_York", {{"sun", json::array({range("01:00", "04:00")})}});
  EXPECT_TRUE(is_open(schedule, utc("2026-03-08 06:00")));   // 01:00 EST
  EXPECT_TRUE(is_open(schedule, utc("2026-03-08 07:00")));   // 03:00 EDT
  EXPECT_FALSE(is_open(schedule, utc("2026-03-08 08:00")));  // 04:00 EDT
  EXPECT_EQ(open_minutes(schedule, utc("2026-03-08 00:00"), utc("2026-03-09 00:00")), 120);
}

// 2026-11-01 02:00 EDT falls back to 01:00 EST: the repeated hour is open both times.
TEST(BusinessHours, RangeInFallBackOverlapOpensTwice) {
  auto schedule = parse_ok("America/New_York", {{"sun", json::array({range("01:00", "02:00")})}});
  EXPECT_FALSE(is_open(schedule, utc("2026-11-01 04:59")));  // 00:59 EDT
  EXPECT_TRUE(is_open(schedule, utc("2026-11-01 05:00")));   // 01:00 EDT
  EXPECT_TRUE(is_open(schedule, utc("2026-11-01 06:00")));   // 01:00 EST
  EXPECT_FALSE(is_open(schedule, utc("2026-11-01 07:00")));  // 02:00 EST
  EXPECT_EQ(open_minutes(schedule, utc("2026-10-31 00:00"), utc("2026-11-02 00:00")), 120);
}

TEST(BusinessHours, LondonSummerTime) {
  auto schedule = parse_ok("Europe/London", kNineToFive);
  EXPECT_FALSE(is_open(schedule, utc("2026-03-23 08:00")));  // Monday 08:00 GMT
  EXPECT_TRUE(is_open(schedule, utc("2026-03-23 09:00")));   // Monday 09:00 GMT
  EXPECT_TRUE(is_open(schedule, utc("2026-03-30 08:00")));   // Monday 09:00 BST
  EXPECT_FALSE(is_open(schedule, utc("2026-03-30 16:00")));  // Monday 17:00 BST
  EXPECT_FALSE(is_open(schedule, utc("2026-10-26 08:00")));  // Monday 08:00 GMT again
}

TEST(BusinessHours, KolkataHalfHourOffset) {
  auto schedule = parse_ok("Asia/Kolkata", kNineToFive);
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 03:29")));  // Monday 08:59 IST
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 03:30")));   // Monday 09:00 IST
  EXPECT_TRUE(is_open(schedule, utc("2026-03-09 11:29")));   // Monday 16:59 IST
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 11:30")));  // Monday 17:00 IST
}

// Lord Howe shifts by half an hour: +11:00 until 2026-04-05 02:00 local, then +10:30.
TEST(BusinessHours, LordHoweHalfHourDaylightSaving) {
  auto schedule = parse_ok("Australia/Lord_Howe", kNineToFive);
  EXPECT_TRUE(is_open(schedule, utc("2026-03-29 22:00")));   // Monday 09:00 +11
  EXPECT_FALSE(is_open(schedule, utc("2026-03-29 21:59")));  // Monday 08:59 +11
  EXPECT_TRUE(is_open(schedule, utc("2026-04-05 22:30")));   // Monday 09:00 +10:30
  EXPECT_FALSE(is_open(schedule, utc("2026-04-05 22:29")));  // Monday 08:59 +10:30
  auto repeat = parse_ok("Australia/Lord_Howe", {{"sun", json::array({range("01:30", "02:00")})}});
  EXPECT_EQ(open_minutes(repeat, utc("2026-04-04 12:00"), utc("2026-04-04 18:00")), 60);
}

TEST(BusinessHours, ClosedExceptionOverridesWeekly) {
  auto schedule =
      parse_ok("America/New_York", kNineToFive,
               json::array({{{"date", "2026-12-25"}, {"name", "Christmas"}, {"closed", true}}}));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-25 15:00")));  // Friday 10:00 EST
  EXPECT_TRUE(is_open(schedule, utc("2026-12-18 15:00")));   // the Friday before
}

// The exception is about the local date: 2026-12-25 04:00Z is still the 24th in New York.
TEST(BusinessHours, ExceptionDateIsTheLocalDate) {
  auto schedule =
      parse_ok("America/New_York", weekdays(json::array({range("00:00", "24:00")})),
               json::array({{{"date", "2026-12-25"}, {"name", "Christmas"}, {"closed", true}}}));
  EXPECT_TRUE(is_open(schedule, utc("2026-12-25 04:59")));   // 24th 23:59 EST
  EXPECT_FALSE(is_open(schedule, utc("2026-12-25 05:00")));  // 25th 00:00 EST
  EXPECT_FALSE(is_open(schedule, utc("2026-12-26 04:59")));  // 25th 23:59 EST, the 26th in UTC
}

TEST(BusinessHours, ExceptionRangesReplaceWeekly) {
  auto schedule = parse_ok("UTC", kNineToFive,
                           json::array({{{"date", "2026-12-24"},
                                         {"name", "Christmas Eve"},
                                         {"ranges", json::array({range("09:00", "12:00")})}}}));
  EXPECT_TRUE(is_open(schedule, utc("2026-12-24 11:00")));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-24 13:00")));
}

TEST(BusinessHours, ExceptionOpensAWeekendDay) {
  auto schedule = parse_ok("UTC", kNineToFive,
                           json::array({{{"date", "2026-12-26"},
                                         {"name", "Sale"},
                                         {"ranges", json::array({range("10:00", "14:00")})}}}));
  EXPECT_TRUE(is_open(schedule, utc("2026-12-26 10:00")));  // Saturday
  EXPECT_FALSE(is_open(schedule, utc("2026-12-27 10:00")));
}

TEST(BusinessHours, ExceptionWithNoRangesIsClosed) {
  auto schedule = parse_ok(
      "UTC", kNineToFive,
      json::array({{{"date", "2026-12-24"}, {"name", "Shut"}, {"ranges", json::array()}}}));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-24 11:00")));
}

TEST(BusinessHours, ClosedExceptionStopsPreviousNightsSpill) {
  auto schedule =
      parse_ok("UTC", {{"thu", json::array({range("22:00", "02:00")})}},
               json::array({{{"date", "2026-12-25"}, {"name", "Christmas"}, {"closed", true}}}));
  EXPECT_TRUE(is_open(schedule, utc("2026-12-24 23:00")));  // Thursday's own part
  EXPECT_FALSE(is_open(schedule, utc("2026-12-25 01:00")));
}

TEST(BusinessHours, RangesExceptionStopsPreviousNightsSpill) {
  auto schedule = parse_ok("UTC", {{"thu", json::array({range("22:00", "02:00")})}},
                           json::array({{{"date", "2026-12-25"},
                                         {"name", "Short day"},
                                         {"ranges", json::array({range("10:00", "12:00")})}}}));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-25 01:00")));
  EXPECT_TRUE(is_open(schedule, utc("2026-12-25 11:00")));
}

TEST(BusinessHours, ExceptionReplacesTheWeeklyOvernightItWouldHaveStarted) {
  auto schedule =
      parse_ok("UTC", {{"fri", json::array({range("22:00", "02:00")})}},
               json::array({{{"date", "2026-12-25"}, {"name", "Christmas"}, {"closed", true}}}));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-25 23:00")));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-26 01:00")));  // Saturday without exception
  EXPECT_TRUE(is_open(schedule, utc("2027-01-02 01:00")));   // a normal Friday night
}

TEST(BusinessHours, ExceptionOvernightSpillsIntoNextDate) {
  auto schedule = parse_ok("America/New_York", kNineToFive,
                           json::array({{{"date", "2026-12-31"},
                                         {"name", "New Year's Eve"},
                                         {"ranges", json::array({range("20:00", "03:00")})}}}));
  EXPECT_FALSE(is_open(schedule, utc("2026-12-31 22:00")));  // 17:00 EST
  EXPECT_TRUE(is_open(schedule, utc("2027-01-01 01:00")));   // 20:00 EST
  EXPECT_TRUE(is_open(schedule, utc("2027-01-01 07:59")));   // Jan 1st 02:59 EST
  EXPECT_FALSE(is_open(schedule, utc("2027-01-01 08:00")));  // 03:00 EST
  EXPECT_TRUE(is_open(schedule, utc("2027-01-01 14:00")));   // Friday 09:00 EST, weekly again
}

TEST(BusinessHours, ExceptionOvernightStopsAtNextException) {
  auto schedule =
      parse_ok("UTC", kNineToFive,
               json::array({{{"date", "2027-01-01"}, {"name", "New Year"}, {"closed", true}},
                            {{"date", "2026-12-31"},
                             {"name", "New Year's Eve"},
                             {"ranges", json::array({range("20:00", "03:00")})}}}));
  EXPECT_TRUE(is_open(schedule, utc("2026-12-31 23:00")));
  EXPECT_FALSE(is_open(schedule, utc("2027-01-01 01:00")));
}

TEST(BusinessHours, UnresolvedScheduleIsClosed) {
  Schedule schedule;
  schedule.weekly[0] = {{0, 1440}};
  EXPECT_FALSE(is_open(schedule, utc("2026-03-09 12:00")));
}

TEST(BusinessHours, ParseNormalisesSchedule) {
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

TEST(BusinessHours, ParseRejectsUnknownTimeZone) {
  for (const char* zone : {"Mars/Olympus_Mons", "", "new york"}) {
    EXPECT_EQ(parse_errors(zone, kNineToFive),
              std::vector<std::string>{"timezone: unknown time zone"})
        << zone;
  }
}

TEST(BusinessHours, ParseRejectsBadTimes) {
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

TEST(BusinessHours, ParseRejectsBadDates) {
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

TEST(BusinessHours, ParseReportsEveryProblemAtOnce) {
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

TEST(BusinessHours, ParseRejectsWrongContainerTypes) {
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

TEST(BusinessHours, ParseAppendsErrorsAndToleratesNoErrorList) {
  std::vector<std::string> errors = {"earlier"};
  EXPECT_FALSE(parse_schedule("Bad/Zone", kNineToFive, json::array(), &errors));
  EXPECT_EQ(errors, (std::vector<std::string>{"earlier", "timezone: unknown time zone"}));
  EXPECT_FALSE(parse_schedule("Bad/Zone", kNineToFive, json::array(), nullptr));
  EXPECT_TRUE(parse_schedule("UTC", kNineToFive, nullptr, nullptr));
}

}  // namespace
}  // namespace pbx::routing
