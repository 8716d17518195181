#include "core/micros.hpp"

#include <chrono>
#include <cstdio>

namespace pbx {

namespace {

struct Civil {
  std::chrono::year_month_day ymd;
  long long secs_of_day;
  long long micros;
};

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

// "2026-03-04<sep>10:30:00"
std::string date_time(const Civil& c, char sep) {
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02lld:%02lld:%02lld",
                        static_cast<int>(c.ymd.year()), static_cast<unsigned>(c.ymd.month()),
                        static_cast<unsigned>(c.ymd.day()), sep, c.secs_of_day / 3600,
                        c.secs_of_day / 60 % 60, c.secs_of_day % 60);
  return {buf, static_cast<size_t>(n)};
}

std::string fraction(long long value, int digits) {
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, ".%0*lld", digits, value);
  return {buf, static_cast<size_t>(n)};
}

}  // namespace

std::string iso8601(Micros t) {
  auto c = civil(t);
  auto out = date_time(c, 'T');
  if (c.micros % 1000 != 0) {
    out += fraction(c.micros, 6);
  } else if (c.micros != 0) {
    out += fraction(c.micros / 1000, 3);
  }
  return out + "Z";
}

std::string pg_timestamp(Micros t) {
  auto c = civil(t);
  return date_time(c, ' ') + fraction(c.micros, 6) + "+00";
}

}  // namespace pbx
