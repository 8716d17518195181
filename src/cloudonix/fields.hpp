#pragma once

// Lenient readers for JSON sent by Cloudonix, shared by the session-update and CDR parsers.
// Real payloads carry numbers as strings and strings as numbers, nulls anywhere and objects
// where a string was documented; these readers take what they can and never throw.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pbx::cloudonix {

// Instants at millisecond precision, UTC.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// "2026-03-04T10:30:06.000Z": always milliseconds and Z, so equal instants give equal text.
std::string to_iso8601(Timestamp t);
// The same, or nothing for no instant: NULL for an optional column.
inline std::optional<std::string> to_iso8601(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return to_iso8601(*t);
}

// Accepts YYYY-MM-DD[T| ]HH:MM:SS[.fraction][Z|+HH:MM|+HHMM|-HH:MM|-HHMM]; no zone means UTC.
// Instants outside the years 1 to 9999 (UTC) are refused: PostgreSQL does not take year 0.
std::optional<Timestamp> parse_iso8601(std::string_view text);

namespace fields {

// The member `key` of `obj` when obj is an object and the member is present and not null.
const nlohmann::json* member(const nlohmann::json& obj, std::string_view key);

// A string as sent (trimmed; NUL and invalid UTF-8 become U+FFFD, as PostgreSQL text cannot
// hold them), or an integer/float/bool rendered as text. Empty text, null, objects and arrays
// give nullopt.
std::optional<std::string> text(const nlohmann::json& obj, std::string_view key);
std::optional<std::string> as_text(const nlohmann::json& value);

// An integer from a number (floats rounded) or a numeric string; nullopt when out of the
// int64 range, not finite or not numeric.
std::optional<std::int64_t> integer(const nlohmann::json& obj, std::string_view key);
std::optional<std::int64_t> as_integer(const nlohmann::json& value);

// A decimal as text fit for a PostgreSQL numeric column: a JSON number in its shortest
// round-trip form, or a string matching [+-]digits[.digits][e[+-]digits] (trimmed) of at
// most 64 characters and four exponent digits.
std::optional<std::string> decimal(const nlohmann::json& obj, std::string_view key);

// Epoch milliseconds (number or numeric string); 0, negative and absent mean "not happened".
std::optional<Timestamp> epoch_millis(const nlohmann::json& obj, std::string_view key);

// An ISO-8601 string (see parse_iso8601), else nullopt.
std::optional<Timestamp> iso8601(const nlohmann::json& obj, std::string_view key);

}  // namespace fields

}  // namespace pbx::cloudonix
