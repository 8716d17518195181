#include "routing/business_hours.hpp"

#include <date/tz.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "business_hours_helpers.hpp"

namespace pbx::routing {
namespace {

using namespace hours_test;
using std::chrono::system_clock;
using namespace std::chrono_literals;

// An instant written in UTC, "YYYY-MM-DD HH:MM".
system_clock::time_point utc(const std::string& text) {
  int y = 0;
  unsigned mo = 0, d = 0;
  int h = 0, mi = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%u-%u %d:%d", &y, &mo, &d, &h, &mi), 5) << text;
  return date::sys_days{date::year{y} / date::month{mo} / date::day{d}} + std::chrono::hours(h) +
         std::chrono::minutes(mi);
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
}  // namespace
}  // namespace pbx::routing
