#pragma once

// Instants as PostgreSQL stores them: microseconds since the Unix epoch, and their two text
// forms (the API's ISO-8601 and Postgres's own input).

#include <cstdint>
#include <string>

namespace pbx {

// Microseconds since the Unix epoch: Postgres's own precision, so positions round-trip exactly.
using Micros = std::int64_t;
// The instants PostgreSQL takes as we write them (years 1 to 9999, UTC); anything outside
// would make a query fail.
inline constexpr Micros kFirstMicros = -62135596800000000;  // 0001-01-01T00:00:00Z
inline constexpr Micros kLastMicros = 253402300799999999;   // 9999-12-31T23:59:59.999999Z

// ISO-8601 UTC with Z: "2026-03-04T10:30:00Z", with .mmm or .uuuuuu only when needed.
std::string iso8601(Micros t);
// The same as Postgres text input: "2026-03-04 10:30:00.123456+00".
std::string pg_timestamp(Micros t);

}  // namespace pbx
