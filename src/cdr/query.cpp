#include "cdr/query.hpp"

#include "cloudonix/fields.hpp"
#include "core/text.hpp"

#include <date/tz.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace pbx::cdr {

const std::vector<std::string>& dispositions() {
  static const std::vector<std::string> all{"answered",  "busy",   "no_answer",
                                            "cancelled", "failed", "other"};
  return all;
}

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::seconds;

const std::vector<std::string> kDirections = {"inbound", "outbound", "internal", "unknown"};
constexpr size_t kMaxNumberLength = 64;

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

std::optional<DateBound> parse_date_bound(std::string_view text) {
  if (text.size() == 10) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    // Every field must be all digits: from_chars alone would accept "+1" or a short field.
    auto field = [&](size_t at, size_t len, auto& out) {
      auto part = text.substr(at, len);
      auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
      return ec == std::errc() && ptr == part.data() + part.size() &&
             part.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (text[4] != '-' || text[7] != '-' || !field(0, 4, y) || !field(5, 2, m) || !field(8, 2, d)) {
      return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                    std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return DateBound{std::chrono::sys_days{ymd}, std::nullopt};
  }
  auto t = cloudonix::parse_iso8601(text);
  if (!t) return std::nullopt;
  return DateBound{std::nullopt, duration_cast<microseconds>(t->time_since_epoch()).count()};
}

// The query string decodes '+' as a space, so "from=+1212" arrives as " 1212": a leading space
// before digits can only have been a plus sign.
std::string number_param(const std::string& value) {
  if (value.size() > 1 && value[0] == ' ' &&
      std::all_of(value.begin() + 1, value.end(),
                  [](unsigned char c) { return std::isdigit(c); })) {
    auto number = value;
    number[0] = '+';
    return number;
  }
  return value;
}

// UTF-8 text without control characters: anything else cannot be a stored number.
bool printable(std::string_view s) {
  return text::is_utf8(s) &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

// A comma-separated list of values from `allowed`; every unknown value is reported.
std::vector<std::string> parse_set(const std::string& name, const std::string& value,
                                   const std::vector<std::string>& allowed,
                                   Error::FieldErrors& errors) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    auto comma = value.find(',', start);
    auto end = comma == std::string::npos ? value.size() : comma;
    auto item = value.substr(start, end - start);
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      errors.emplace_back(name, "unknown value '" + item + "' (one of " + joined(allowed) + ")");
    } else if (std::find(out.begin(), out.end(), item) == out.end()) {
      out.push_back(item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Applies one filter parameter; false when the name is not a filter.
bool parse_filter_param(const std::string& name, const std::string& value, CdrFilter& f,
                        Error::FieldErrors& errors) {
  if (name == "from_date" || name == "to_date") {
    auto bound = parse_date_bound(value);
    if (!bound) errors.emplace_back(name, "must be an ISO-8601 date or date-time");
    (name == "from_date" ? f.from_date : f.to_date) = bound;
  } else if (name == "from" || name == "to") {
    auto number = number_param(value);
    if (number.empty() || number.size() > kMaxNumberLength || !printable(number)) {
      errors.emplace_back(name, "must be a number or a number prefix of at most 64 characters");
    }
    (name == "from" ? f.from : f.to) = number;
  } else if (name == "disposition") {
    f.dispositions = parse_set(name, value, dispositions(), errors);
  } else if (name == "direction") {
    f.directions = parse_set(name, value, kDirections, errors);
  } else if (name == "extension") {
    if (!text::is_uuid(value)) errors.emplace_back(name, "must be an extension id (uuid)");
    f.extension_id = value;
  } else {
    return false;
  }
  return true;
}

void check_range(const CdrFilter& f, Error::FieldErrors& errors) {
  if (!f.from_date || !f.to_date) return;
  const auto& a = *f.from_date;
  const auto& b = *f.to_date;
  if ((a.day && b.day && *a.day > *b.day) || (a.instant && b.instant && *a.instant > *b.instant)) {
    errors.emplace_back("to_date", "must not be before from_date");
  }
}

Micros local_midnight(const date::time_zone* zone, std::chrono::sys_days day) {
  date::local_seconds local{duration_cast<seconds>(day.time_since_epoch())};
  auto sys = zone->to_sys(local, date::choose::earliest);
  return duration_cast<microseconds>(sys.time_since_epoch()).count();
}

const date::time_zone* zone_or_utc(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return date::locate_zone("UTC");
  }
}

// "+" or "-", digits, then optionally "." and digits.
bool signed_number(std::string_view s) {
  auto digits = [](std::string_view part) {
    return !part.empty() && std::all_of(part.begin(), part.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; });
  };
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return false;
  auto number = s.substr(1);
  auto point = number.find('.');
  if (point == std::string_view::npos) return digits(number);
  return digits(number.substr(0, point)) && digits(number.substr(point + 1));
}

}  // namespace

std::string_view cursor_list(Sort sort) {
  return sort == Sort::newest_first ? "cdrs:-started_at" : "cdrs:started_at";
}

CdrListQuery parse_cdr_list_query(const url::Params& query) {
  CdrListQuery q;
  Error::FieldErrors errors;
  auto extra = [&](const std::string& name, const std::string& value, Error::FieldErrors& errs) {
    if (parse_filter_param(name, value, q.filter, errs)) return true;
    if (name == "sort") {
      if (value == "-started_at" || value == "started_at") {
        q.sort = value == "started_at" ? Sort::oldest_first : Sort::newest_first;
      } else {
        errs.emplace_back(name, "must be -started_at or started_at");
      }
    } else if (name == "format") {
      if (value != "csv" && value != "json") errs.emplace_back(name, "must be csv or json");
      q.csv = value == "csv";
    } else {
      return false;
    }
    return true;
  };
  // The cursor is read once the sort is known, wherever it stands in the query.
  q.page = http::read_list_query(
      query, extra, [&] { return cursor_list(q.sort); }, errors);
  check_range(q.filter, errors);
  if (!errors.empty()) throw Error::validation(errors);
  return q;
}

CdrFilter parse_cdr_stats_query(const url::Params& query) {
  CdrFilter f;
  Error::FieldErrors errors;
  http::read_params(
      query,
      [&](const std::string& name, const std::string& value, Error::FieldErrors& errs) {
        return parse_filter_param(name, value, f, errs);
      },
      errors);
  check_range(f, errors);
  if (!errors.empty()) throw Error::validation(errors);
  return f;
}

TimeRange resolve_range(const CdrFilter& f, const std::string& time_zone) {
  const auto* zone = zone_or_utc(time_zone);
  // Midnight of 0001-01-01 east of UTC is in year 0, which PostgreSQL refuses.
  auto storable = [](Micros t) { return std::clamp(t, kFirstMicros, kLastMicros + 1); };
  TimeRange r;
  if (f.from_date) {
    r.from = storable(f.from_date->day ? local_midnight(zone, *f.from_date->day)
                                       : *f.from_date->instant);
  }
  if (f.to_date) {
    // A day includes all of itself; an instant includes itself.
    r.to_exclusive =
        storable(f.to_date->day ? local_midnight(zone, *f.to_date->day + std::chrono::days{1})
                                : *f.to_date->instant + 1);
  }
  return r;
}

HourSplit split_hours(const TimeRange& r) {
  constexpr Micros kHour = 3'600'000'000;
  auto floor_hour = [](Micros t) { return t / kHour * kHour - (t % kHour < 0 ? kHour : 0); };
  HourSplit s;
  if (r.from) s.hours_from = floor_hour(*r.from) + (*r.from % kHour == 0 ? 0 : kHour);
  if (r.to_exclusive) s.hours_to = floor_hour(*r.to_exclusive);
  if (s.hours_from && s.hours_to && *s.hours_from >= *s.hours_to) {
    s.partial.emplace_back(*r.from, *r.to_exclusive);
    s.hours_to = s.hours_from;
    return s;
  }
  if (r.from && *r.from < *s.hours_from) s.partial.emplace_back(*r.from, *s.hours_from);
  if (r.to_exclusive && *s.hours_to < *r.to_exclusive) {
    s.partial.emplace_back(*s.hours_to, *r.to_exclusive);
  }
  return s;
}

nlohmann::json stats_json(const std::vector<StatsRow>& rows) {
  std::int64_t total = 0, answered = 0, duration = 0, billsec = 0;
  nlohmann::json by_disposition = nlohmann::json::object();
  for (const auto& d : dispositions()) by_disposition[d] = 0;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_day;
  for (const auto& r : rows) {
    total += r.calls;
    answered += r.answered;
    duration += r.duration;
    billsec += r.billsec;
    by_disposition[r.disposition] = by_disposition[r.disposition].get<std::int64_t>() + r.calls;
    auto& day = by_day[r.day];
    day.first += r.calls;
    day.second += r.answered;
  }
  nlohmann::json days = nlohmann::json::array();
  for (const auto& [date, counts] : by_day) {
    days.push_back({{"date", date}, {"total", counts.first}, {"answered", counts.second}});
  }
  auto average = [&](std::int64_t sum) {
    return total == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(total);
  };
  return {{"total", total},
          {"answered", answered},
          {"missed", total - answered},
          {"average_duration", average(duration)},
          {"average_billsec", average(billsec)},
          {"by_disposition", std::move(by_disposition)},
          {"by_day", std::move(days)}};
}

std::string like_prefix(std::string_view prefix) {
  std::string out;
  out.reserve(prefix.size() + 1);
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::string csv_field(std::string_view value) {
  // Spreadsheets run a cell starting with one of these as a formula (OWASP's CSV injection), and
  // callers choose their own From: such a cell gets a leading quote, which shows it as text.
  // A signed plain number is left as it is, so that E.164 numbers and negative costs still sort
  // and sum as numbers: "+14155550100" or "-0.01" cannot be a formula.
  std::string cell;
  if (!value.empty() && std::string_view("=+-@\t\r").find(value[0]) != std::string_view::npos &&
      !signed_number(value)) {
    cell = "'";
  }
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out + "\r\n";
}

const std::vector<std::string>& cdr_columns() {
  static const std::vector<std::string> columns = {"id",
                                                   "session_token",
                                                   "call_id",
                                                   "started_at",
                                                   "answered_at",
                                                   "ended_at",
                                                   "from",
                                                   "to",
                                                   "direction",
                                                   "disposition",
                                                   "disposition_raw",
                                                   "duration",
                                                   "billsec",
                                                   "cost",
                                                   "extension_id",
                                                   "ring_group_id"};
  return columns;
}

}  // namespace pbx::cdr
