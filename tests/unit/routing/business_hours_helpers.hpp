#pragma once
// Shared by the business-hours unit tests.
#include "routing/business_hours.hpp"

#include <gtest/gtest.h>

namespace pbx::routing::hours_test {

using json = nlohmann::json;

inline json range(const char* start, const char* end) { return {{"start", start}, {"end", end}}; }

inline json weekdays(const json& ranges) {
  return {{"mon", ranges}, {"tue", ranges}, {"wed", ranges}, {"thu", ranges}, {"fri", ranges}};
}

inline const json kNineToFive = weekdays(json::array({range("09:00", "17:00")}));

inline Schedule parse_ok(const std::string& zone, const json& weekly,
                         const json& exceptions = json::array()) {
  std::vector<std::string> errors;
  auto schedule = parse_schedule(zone, weekly, exceptions, &errors);
  EXPECT_TRUE(schedule) << (errors.empty() ? "" : errors.front());
  return schedule.value_or(Schedule{});
}

}  // namespace pbx::routing::hours_test
