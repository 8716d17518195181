#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pbx::uuid {

// A time-ordered UUID (RFC 9562 version 7) for rows written at high rates: 48 bits of Unix
// milliseconds, then a 12-bit counter, then 62 random bits (OpenSSL CSPRNG). Ids from one
// process sort in the order they were made, even within a millisecond, so primary key
// inserts land on the rightmost btree page instead of a random one (fewer pages dirtied and
// written in full after each checkpoint). Random v4 ids remain for secrets and anything that
// must not reveal when it was created.
std::string v7();

// The same with an explicit clock and counter state, for tests: `last` is the previous
// (milliseconds << 12 | counter) and is advanced past it.
std::string v7_at(std::chrono::system_clock::time_point now, std::uint64_t& last);

}  // namespace pbx::uuid
