#pragma once

// CDR queries of the admin API: query-string parsing and validation, time bounds and CSV
// rendering. Pure: no I/O.

#include "core/error.hpp"
#include "core/micros.hpp"
#include "core/url.hpp"
#include "http/listing.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::cdr {

// A from_date/to_date value: a calendar day (read in the tenant's time zone) or an instant.
struct DateBound {
  std::optional<std::chrono::sys_days> day;  // local day in the tenant's zone
  std::optional<Micros> instant;
};

// The filters shared by the list, the CSV export and the stats.
struct CdrFilter {
  std::optional<DateBound> from_date;  // inclusive
  std::optional<DateBound> to_date;    // inclusive (the whole day for a date)
  std::optional<std::string> from;     // number or prefix
  std::optional<std::string> to;
  std::vector<std::string> dispositions;  // empty: any
  std::vector<std::string> directions;    // empty: any
  std::optional<std::string> extension_id;
};

enum class Sort { newest_first, oldest_first };  // "-started_at" (default), "started_at"

struct CdrListQuery {
  CdrFilter filter;
  Sort sort = Sort::newest_first;
  http::Page page;
  bool csv = false;  // ?format=csv
};

// The cursor namespace of a sort order.
std::string_view cursor_list(Sort sort);

// Every parse throws Error::validation listing every bad parameter at once; unknown parameters
// are errors too.
CdrListQuery parse_cdr_list_query(const url::Params& query);
CdrFilter parse_cdr_stats_query(const url::Params& query);

// The filter's time range in the tenant's zone: [from, to) in microseconds, within
// kFirstMicros..kLastMicros + 1 (no stored row lies outside).
struct TimeRange {
  std::optional<Micros> from;
  std::optional<Micros> to_exclusive;
};
TimeRange resolve_range(const CdrFilter& f, const std::string& time_zone);

// How stats read a time range: the whole UTC hours inside it from the hourly rollups, and the
// partial hours at its ends from the CDRs themselves.
struct HourSplit {
  // The whole hours, [hours_from, hours_to); absent: unbounded on that side. Both equal (an
  // empty range) when the range holds no whole hour.
  std::optional<Micros> hours_from, hours_to;
  std::vector<std::pair<Micros, Micros>> partial;  // [from, to) spans, in order
};
HourSplit split_hours(const TimeRange& r);

// The normalised dispositions of docs/api.md, in the order stats show them.
const std::vector<std::string>& dispositions();

// One group of a stats query: the calls of one local day and disposition.
struct StatsRow {
  std::string day;  // YYYY-MM-DD in the tenant's zone
  std::string disposition;
  std::int64_t calls = 0, answered = 0, duration = 0, billsec = 0;
};
// The stats answer of docs/api.md from its groups: {"total", "answered", "missed",
// "average_duration", "average_billsec", "by_disposition", "by_day": [{"date", "total",
// "answered"}]}, days in order. A day or disposition may come in several rows.
nlohmann::json stats_json(const std::vector<StatsRow>& rows);

// "LIKE" pattern matching every text that starts with prefix (%, _ and \ escaped).
std::string like_prefix(std::string_view prefix);

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled. A
// value a spreadsheet would run as a formula (starting with = + - @, tab or CR) is prefixed with
// a single quote, unless it is a signed plain number ("+14155550100", "-0.01").
std::string csv_field(std::string_view value);
// Fields joined by commas, ended by CRLF.
std::string csv_row(const std::vector<std::string>& fields);

// Column names of the CDR item, in order (also the CSV header).
const std::vector<std::string>& cdr_columns();

}  // namespace pbx::cdr
