#include "cdr/query.hpp"

#include "cloudonix/fields.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <set>

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
constexpr int kMaxLimit = 500;

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
    return "+" + value.substr(1);
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

// Reports a parameter given twice; true when it was new.
bool first_time(const std::string& name, std::set<std::string>& seen, Error::FieldErrors& errors) {
  if (seen.insert(name).second) return true;
  errors.emplace_back(name, "given more than once");
  return false;
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

struct Civil {
  std::chrono::year_month_day ymd;
  long long secs_of_day;
  long long micros;
};

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

Civil civil(Micros t) {
  constexpr long long kDay = 86400LL * 1000000;
  long long days = t / kDay;
  long long rest = t % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  return {std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}},
          rest / 1000000, rest % 1000000};
}

}  // namespace

std::string_view cursor_list(Sort sort) {
  return sort == Sort::newest_first ? "cdrs:-started_at" : "cdrs:started_at";
}

std::string encode_cursor(const Cursor& c) {
  nlohmann::json j = {{"l", c.list}, {"t", c.at}, {"i", c.id}};
  return crypto::base64url(j.dump());
}

std::optional<Cursor> decode_cursor(std::string_view text, std::string_view list) {
  auto raw = crypto::from_base64url(text);
  // The parser takes a NUL byte for the end of the text, which would allow trailing bytes.
  if (!raw || raw->find('\0') != std::string::npos) return std::nullopt;
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || j.size() != 3 || !j.contains("l") || !j["l"].is_string() ||
      j["l"].get<std::string>() != list || !j.contains("t") || !j["t"].is_number_integer() ||
      !j.contains("i") || !j["i"].is_string() || !text::is_uuid(j["i"].get<std::string>()) ||
      j["t"].get<Micros>() < kFirstMicros || j["t"].get<Micros>() > kLastMicros) {
    return std::nullopt;
  }
  return Cursor{std::string(list), j["t"].get<Micros>(), j["i"].get<std::string>()};
}

bool parse_page_param(const std::string& name, const std::string& value, std::string_view list,
                      Page& page, Error::FieldErrors& errors) {
  if (name == "limit") {
    int n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n < 1 || n > kMaxLimit) {
      errors.emplace_back(name, "must be an integer from 1 to 500");
    } else {
      page.limit = n;
    }
    return true;
  }
  if (name == "cursor") {
    page.after = decode_cursor(value, list);
    if (!page.after) errors.emplace_back(name, "is not a cursor of this list and order");
    return true;
  }
  return false;
}

CdrListQuery parse_cdr_list_query(const url::Params& query) {
  CdrListQuery q;
  Error::FieldErrors errors;
  std::set<std::string> seen;
  std::optional<std::string> cursor;
  for (const auto& [name, value] : query) {
    if (!first_time(name, seen, errors) || parse_filter_param(name, value, q.filter, errors)) {
      continue;
    }
    if (name == "sort") {
      if (value == "-started_at" || value == "started_at") {
        q.sort = value == "started_at" ? Sort::oldest_first : Sort::newest_first;
      } else {
        errors.emplace_back(name, "must be -started_at or started_at");
      }
    } else if (name == "format") {
      if (value != "csv" && value != "json") errors.emplace_back(name, "must be csv or json");
      q.csv = value == "csv";
    } else if (name == "cursor") {
      cursor = value;  // read once the sort is known, wherever it stands in the query
    } else if (!parse_page_param(name, value, "", q.page, errors)) {
      errors.emplace_back(name, "unknown parameter");
    }
  }
  if (cursor) parse_page_param("cursor", *cursor, cursor_list(q.sort), q.page, errors);
  check_range(q.filter, errors);
  if (!errors.empty()) throw Error::validation(errors);
  return q;
}

CdrFilter parse_cdr_stats_query(const url::Params& query) {
  CdrFilter f;
  Error::FieldErrors errors;
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (first_time(name, seen, errors) && !parse_filter_param(name, value, f, errors)) {
      errors.emplace_back(name, "unknown parameter");
    }
  }
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

std::string like_prefix(std::string_view prefix) {
  std::string out;
  out.reserve(prefix.size() + 1);
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

std::string iso8601(Micros t) {
  auto c = civil(t);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<int>(c.ymd.year()), static_cast<unsigned>(c.ymd.month()),
                        static_cast<unsigned>(c.ymd.day()), c.secs_of_day / 3600,
                        c.secs_of_day / 60 % 60, c.secs_of_day % 60);
  std::string out(buf, static_cast<size_t>(n));
  if (c.micros % 1000 != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", c.micros);
    out += buf;
  } else if (c.micros != 0) {
    std::snprintf(buf, sizeof buf, ".%03lld", c.micros / 1000);
    out += buf;
  }
  return out + "Z";
}

std::string pg_timestamp(Micros t) {
  auto c = civil(t);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld:%02lld.%06lld+00",
                        static_cast<int>(c.ymd.year()), static_cast<unsigned>(c.ymd.month()),
                        static_cast<unsigned>(c.ymd.day()), c.secs_of_day / 3600,
                        c.secs_of_day / 60 % 60, c.secs_of_day % 60, c.micros);
  return {buf, static_cast<size_t>(n)};
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

// The SQL is built from literals so that every statement is one named, fully bound statement.
// "id" alone in ORDER BY would name the id::text output column: a text sort the index cannot
// give, so every matching row would be read and sorted. cdrs.id is the indexed uuid.
// Optional filters are "($n IS NULL OR ...)"; the report transaction plans them per call
// (plan_cache_mode = force_custom_plan), so the planner sees the actual filters and uses the
// matching index. Time bounds and the keyset use sentinels instead, which any plan can use as
// index bounds.
#define PBX_MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define PBX_CDR_COLUMNS \
  " id::text, session_token, coalesce(call_id, ''), " PBX_MICROS("started_at") ", "            \
  PBX_MICROS("answered_at") ", " PBX_MICROS("ended_at") ", from_number, to_number, direction," \
  " disposition, disposition_raw, duration, billsec, cost::text, extension_id::text,"          \
  " ring_group_id::text"
#define PBX_CDR_FILTER                                          \
  " WHERE tenant_id = $1"                                       \
  " AND started_at >= coalesce($2::timestamptz, '-infinity')"   \
  " AND started_at < coalesce($3::timestamptz, 'infinity')"     \
  " AND ($4::text IS NULL OR from_number LIKE $4)"              \
  " AND ($5::text IS NULL OR to_number LIKE $5)"                \
  " AND ($6::text[] IS NULL OR disposition = ANY ($6::text[]))" \
  " AND ($7::text[] IS NULL OR direction = ANY ($7::text[]))"   \
  " AND ($8::uuid IS NULL OR extension_id = $8::uuid)"

std::vector<store::Statement> cdr_query_statements() {
  return {
      {"cdr_list_newest", "SELECT" PBX_CDR_COLUMNS " FROM cdrs" PBX_CDR_FILTER
                          " AND (started_at, id) < (coalesce($9::timestamptz, 'infinity'),"
                          " coalesce($10::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
                          " ORDER BY started_at DESC, cdrs.id DESC LIMIT $11"},
      {"cdr_list_oldest", "SELECT" PBX_CDR_COLUMNS " FROM cdrs" PBX_CDR_FILTER
                          " AND (started_at, id) > (coalesce($9::timestamptz, '-infinity'),"
                          " coalesce($10::uuid, '00000000-0000-0000-0000-000000000000'))"
                          " ORDER BY started_at, cdrs.id LIMIT $11"},
      {"cdr_stats",
       "SELECT (started_at AT TIME ZONE $9)::date::text, disposition, count(*),"
       " count(*) FILTER (WHERE answered), sum(duration), sum(billsec)"
       " FROM cdrs" PBX_CDR_FILTER " GROUP BY 1, 2 ORDER BY 1, 2"},
      {"cdr_get", "SELECT" PBX_CDR_COLUMNS " FROM cdrs WHERE tenant_id = $1 AND id = $2"},
      {"cdr_by_session",
       "SELECT" PBX_CDR_COLUMNS " FROM cdrs WHERE tenant_id = $1 AND session_token = $2"},
      {"report_tenant_timezone", "SELECT timezone FROM tenants WHERE id = $1"},
  };
}

#undef PBX_CDR_FILTER
#undef PBX_CDR_COLUMNS
#undef PBX_MICROS

}  // namespace pbx::cdr
