#include "routing/business_hours.hpp"

#include <date/tz.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace pbx::routing {
namespace {

using nlohmann::json;
using Errors = std::vector<std::string>;

constexpr std::array<const char*, 7> kDayKeys = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr int kDayMinutes = 24 * 60;

bool digits(const std::string& text, size_t from, size_t count) {
  return std::all_of(text.begin() + from, text.begin() + from + count,
                     [](char c) { return c >= '0' && c <= '9'; });
}

int number(const std::string& text, size_t from, size_t count) {
  int value = 0;
  for (size_t i = from; i < from + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// Minutes since midnight, or nullopt with the reason in *why.
std::optional<int> parse_clock(const json& value, bool as_end, std::string* why) {
  const std::string* text = value.get_ptr<const std::string*>();
  if (text == nullptr || text->size() != 5 || (*text)[2] != ':' || !digits(*text, 0, 2) ||
      !digits(*text, 3, 2)) {
    *why = "must be HH:MM";
    return std::nullopt;
  }
  const int hours = number(*text, 0, 2);
  const int minutes = number(*text, 3, 2);
  if (hours == 24 && minutes == 0) {
    if (as_end) return kDayMinutes;
    *why = "24:00 is only allowed as an end";
    return std::nullopt;
  }
  if (hours > 23 || minutes > 59) {
    *why = "must be HH:MM between 00:00 and 23:59";
    return std::nullopt;
  }
  return hours * 60 + minutes;
}

std::optional<int> clock_field(const json& object, const char* key, bool as_end,
                               const std::string& path, Errors& errors) {
  const auto it = object.find(key);
  if (it == object.end()) {
    errors.push_back(path + "." + key + ": required");
    return std::nullopt;
  }
  std::string why;
  auto minutes = parse_clock(*it, as_end, &why);
  if (!minutes) errors.push_back(path + "." + key + ": " + why);
  return minutes;
}

void reject_unknown_keys(const json& object, std::initializer_list<std::string_view> known,
                         const std::string& path, Errors& errors) {
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      errors.push_back(path + "." + item.key() + ": unknown field");
    }
  }
}

std::vector<TimeRange> parse_ranges(const json& list, const std::string& path, Errors& errors) {
  std::vector<TimeRange> ranges;
  if (!list.is_array()) {
    errors.push_back(path + ": must be an array of {start, end}");
    return ranges;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const json& item = list[i];
    if (!item.is_object()) {
      errors.push_back(item_path + ": must be an object with start and end");
      continue;
    }
    reject_unknown_keys(item, {"start", "end"}, item_path, errors);
    const auto start = clock_field(item, "start", false, item_path, errors);
    const auto end = clock_field(item, "end", true, item_path, errors);
    if (!start || !end) continue;
    if (*start == *end) {
      errors.push_back(item_path + ": start and end must differ");
      continue;
    }
    ranges.push_back({*start, *end});
  }
  return ranges;
}

void parse_weekly(const json& weekly, Schedule& schedule, Errors& errors) {
  if (weekly.is_null()) return;
  if (!weekly.is_object()) {
    errors.push_back("weekly: must be an object keyed by mon, tue, wed, thu, fri, sat, sun");
    return;
  }
  for (const auto& item : weekly.items()) {
    const auto day = std::find(kDayKeys.begin(), kDayKeys.end(), item.key());
    if (day == kDayKeys.end()) {
      errors.push_back("weekly." + item.key() +
                       ": unknown day (use mon, tue, wed, thu, fri, sat, sun)");
      continue;
    }
    schedule.weekly[day - kDayKeys.begin()] =
        parse_ranges(item.value(), "weekly." + item.key(), errors);
  }
}

// Empty when the text is a well-formed, real calendar date; otherwise the reason.
std::string check_date(const json& value) {
  const std::string* text = value.get_ptr<const std::string*>();
  if (text == nullptr || text->size() != 10 || (*text)[4] != '-' || (*text)[7] != '-' ||
      !digits(*text, 0, 4) || !digits(*text, 5, 2) || !digits(*text, 8, 2)) {
    return "must be YYYY-MM-DD";
  }
  const date::year_month_day day{date::year{number(*text, 0, 4)},
                                 date::month{static_cast<unsigned>(number(*text, 5, 2))},
                                 date::day{static_cast<unsigned>(number(*text, 8, 2))}};
  return day.ok() ? "" : "no such date";
}

std::optional<DateException> parse_exception(const json& item, const std::string& path,
                                             Errors& errors) {
  if (!item.is_object()) {
    errors.push_back(path + ": must be an object with date, name and closed or ranges");
    return std::nullopt;
  }
  const size_t before = errors.size();
  reject_unknown_keys(item, {"date", "name", "closed", "ranges"}, path, errors);
  DateException exception;
  if (!item.contains("date")) {
    errors.push_back(path + ".date: required");
  } else if (auto why = check_date(item["date"]); !why.empty()) {
    errors.push_back(path + ".date: " + why);
  } else {
    exception.date = item["date"].get<std::string>();
  }
  if (!item.contains("name")) {
    errors.push_back(path + ".name: required");
  } else if (!item["name"].is_string()) {
    errors.push_back(path + ".name: must be a string");
  } else {
    exception.name = item["name"].get<std::string>();
  }
  if (item.contains("closed")) {
    if (item["closed"].is_boolean()) {
      exception.closed = item["closed"].get<bool>();
    } else {
      errors.push_back(path + ".closed: must be true or false");
    }
  }
  if (item.contains("ranges")) {
    if (exception.closed) errors.push_back(path + ".ranges: not allowed when closed is true");
    exception.ranges = parse_ranges(item["ranges"], path + ".ranges", errors);
  } else if (!exception.closed) {
    errors.push_back(path + ": needs \"closed\": true or ranges");
  }
  if (errors.size() != before) return std::nullopt;
  return exception;
}

void parse_exceptions(const json& list, Schedule& schedule, Errors& errors) {
  if (list.is_null()) return;
  if (!list.is_array()) {
    errors.push_back("exceptions: must be an array");
    return;
  }
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "exceptions[" + std::to_string(i) + "]";
    auto exception = parse_exception(list[i], path, errors);
    if (!exception) continue;
    const auto [first, inserted] = seen.emplace(exception->date, i);
    if (!inserted) {
      errors.push_back(path + ".date: duplicate of exceptions[" + std::to_string(first->second) +
                       "]");
      continue;
    }
    schedule.exceptions.push_back(std::move(*exception));
  }
  // Zero-padded ISO dates sort chronologically as strings.
  std::stable_sort(schedule.exceptions.begin(), schedule.exceptions.end(),
                   [](const DateException& a, const DateException& b) { return a.date < b.date; });
}

bool covers_same_day(const std::vector<TimeRange>& ranges, int minute) {
  return std::any_of(ranges.begin(), ranges.end(), [minute](const TimeRange& r) {
    return minute >= r.start && (r.end <= r.start || minute < r.end);
  });
}

// The part after midnight of ranges that started the day before.
bool covers_spill(const std::vector<TimeRange>& ranges, int minute) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [minute](const TimeRange& r) { return r.end <= r.start && minute < r.end; });
}

const DateException* find_exception(const Schedule& schedule, date::local_days day) {
  std::ostringstream text;
  text << date::year_month_day{day};
  const std::string key = text.str();
  const auto it = std::find_if(schedule.exceptions.begin(), schedule.exceptions.end(),
                               [&key](const DateException& e) { return e.date == key; });
  return it == schedule.exceptions.end() ? nullptr : &*it;
}

const std::vector<TimeRange>& ranges_of(const Schedule& schedule, date::local_days day,
                                        const DateException* exception) {
  static const std::vector<TimeRange> kNone;
  if (exception != nullptr) return exception->closed ? kNone : exception->ranges;
  return schedule.weekly[date::weekday{day}.iso_encoding() - 1];
}

}  // namespace

std::optional<Schedule> parse_schedule(const std::string& timezone, const json& weekly,
                                       const json& exceptions, std::vector<std::string>* errors) {
  Errors found;
  Schedule schedule;
  schedule.timezone = timezone;
  try {
    schedule.zone = date::locate_zone(timezone);
  } catch (const std::runtime_error&) {
    found.push_back("timezone: unknown time zone");
  }
  parse_weekly(weekly, schedule, found);
  parse_exceptions(exceptions, schedule, found);
  if (found.empty()) return schedule;
  if (errors != nullptr) errors->insert(errors->end(), found.begin(), found.end());
  return std::nullopt;
}

bool is_open(const Schedule& schedule, std::chrono::system_clock::time_point now) {
  if (schedule.zone == nullptr) return false;
  const auto local = date::make_zoned(schedule.zone, now).get_local_time();
  const auto today = date::floor<date::days>(local);
  const int minute =
      static_cast<int>(std::chrono::floor<std::chrono::minutes>(local - today).count());
  const DateException* today_exception = find_exception(schedule, today);
  if (covers_same_day(ranges_of(schedule, today, today_exception), minute)) return true;
  // An exception owns its whole date, so yesterday's overnight range does not reach into it.
  if (today_exception != nullptr) return false;
  const auto yesterday = today - date::days{1};
  return covers_spill(ranges_of(schedule, yesterday, find_exception(schedule, yesterday)), minute);
}

}  // namespace pbx::routing
