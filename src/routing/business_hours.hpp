#pragma once
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace date {
class time_zone;
}

namespace pbx::routing {

// Minutes since local midnight. end <= start means the range crosses midnight into the next day
// ("22:00"-"02:00"); "24:00" is allowed as an end (1440). start == end is invalid (rejected by
// parse).
struct TimeRange {
  int start = 0;
  int end = 0;
};

struct DateException {
  std::string date;  // "YYYY-MM-DD", local date in the schedule's zone
  std::string name;
  bool closed = false;            // closed all day
  std::vector<TimeRange> ranges;  // when not closed: open only in these ranges that day
};

struct Schedule {
  std::string timezone;                          // IANA name
  const date::time_zone* zone = nullptr;         // resolved by parse_schedule
  std::array<std::vector<TimeRange>, 7> weekly;  // index 0 = Monday ... 6 = Sunday
  std::vector<DateException> exceptions;         // sorted by date
};

// Parses the docs/api.md shapes: weekly = {"mon": [{"start":"09:00","end":"17:00"}], "tue": ...}
// (keys mon tue wed thu fri sat sun; missing day = closed), exceptions =
// [{"date":"2026-12-25","name":"Christmas","closed":true} or {"date":..., "name":...,
// "ranges":[...]}]. null weekly / exceptions mean none. An exception needs a string name and either
// "closed": true or a "ranges" array (an empty one means closed); dates must be unique. On any
// problem returns nullopt and appends messages to *errors (if not null), each starting with the
// JSON path, e.g. "weekly.mon[0].start: must be HH:MM", "timezone: unknown time zone". Every
// problem is reported, not just the first. Unknown keys are errors.
std::optional<Schedule> parse_schedule(const std::string& timezone, const nlohmann::json& weekly,
                                       const nlohmann::json& exceptions,
                                       std::vector<std::string>* errors);

// Open or closed at `now`, decided on the local wall clock of the schedule's zone. Ranges are
// half-open [start, end). Across daylight-saving changes a range is open while the wall clock reads
// inside it: a range (or the part of one) inside a spring-forward gap never opens, and the repeated
// hour of a fall-back counts twice. A schedule whose zone is not resolved is always closed.
bool is_open(const Schedule& schedule, std::chrono::system_clock::time_point now);

}  // namespace pbx::routing
