#pragma once

// CDR queries of the admin API: query-string parsing and validation, the opaque keyset cursor,
// time bounds, CSV rendering and the SQL. Pure: no I/O.

#include "core/error.hpp"
#include "core/url.hpp"
#include "store/pg.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::cdr {

// Microseconds since the Unix epoch: Postgres's own precision, so cursors round-trip exactly.
using Micros = std::int64_t;
// The instants PostgreSQL takes as we write them (years 1 to 9999, UTC); cursors and time
// bounds outside would make the query fail.
inline constexpr Micros kFirstMicros = -62135596800000000;  // 0001-01-01T00:00:00Z
inline constexpr Micros kLastMicros = 253402300799999999;   // 9999-12-31T23:59:59.999999Z

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

// A position in a keyset-paginated list: the last row's time and id.
struct Cursor {
  std::string list;  // which list and order it belongs to ("cdrs:-started_at", ...)
  Micros at = 0;
  std::string id;
};

std::string encode_cursor(const Cursor& c);
// nullopt when the text is not a cursor of `list` (malformed, tampered, another list or sort,
// a time outside kFirstMicros..kLastMicros).
std::optional<Cursor> decode_cursor(std::string_view text, std::string_view list);

struct Page {
  int limit = 50;
  std::optional<Cursor> after;
};

struct CdrListQuery {
  CdrFilter filter;
  Sort sort = Sort::newest_first;
  Page page;
  bool csv = false;  // ?format=csv
};

// The cursor namespace of a sort order.
std::string_view cursor_list(Sort sort);

// Every parse throws Error::validation listing every bad parameter at once; unknown parameters
// are errors too.
CdrListQuery parse_cdr_list_query(const url::Params& query);
CdrFilter parse_cdr_stats_query(const url::Params& query);

// Parses ?limit= and ?cursor= (of `list`) into `page`, adding to errors; true when the name was
// one of them.
bool parse_page_param(const std::string& name, const std::string& value, std::string_view list,
                      Page& page, Error::FieldErrors& errors);

// The filter's time range in the tenant's zone: [from, to) in microseconds, within
// kFirstMicros..kLastMicros + 1 (no stored row lies outside).
struct TimeRange {
  std::optional<Micros> from;
  std::optional<Micros> to_exclusive;
};
TimeRange resolve_range(const CdrFilter& f, const std::string& time_zone);

// "LIKE" pattern matching every text that starts with prefix (%, _ and \ escaped).
// The normalised dispositions of docs/api.md, in the order stats show them.
const std::vector<std::string>& dispositions();

std::string like_prefix(std::string_view prefix);

// ISO-8601 UTC with Z: "2026-03-04T10:30:00Z", with .mmm or .uuuuuu only when needed.
std::string iso8601(Micros t);
// The same as Postgres text input: "2026-03-04 10:30:00.123456+00".
std::string pg_timestamp(Micros t);

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled. A
// value a spreadsheet would run as a formula (starting with = + - @, tab or CR) is prefixed with
// a single quote, unless it is a signed plain number ("+14155550100", "-0.01").
std::string csv_field(std::string_view value);
// Fields joined by commas, ended by CRLF.
std::string csv_row(const std::vector<std::string>& fields);

// Column names of the CDR item, in order (also the CSV header).
const std::vector<std::string>& cdr_columns();

std::vector<store::Statement> cdr_query_statements();

}  // namespace pbx::cdr
