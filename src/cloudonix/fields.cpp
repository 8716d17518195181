#include "cloudonix/fields.hpp"

#include "cloudonix/body.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace pbx::cloudonix {

namespace {

using std::chrono::milliseconds;

// Years 1 to 9999: beyond 9999 cannot be rendered as ISO-8601, and timestamptz refuses year 0
// (the whole batch would fail). Anything outside only comes from hostile input.
constexpr std::int64_t kMinEpochMillis = -62135596800000;
constexpr std::int64_t kMaxEpochMillis = 253402300799999;

std::string_view trim(std::string_view s) {
  const auto* ws = " \t\r\n";
  auto first = s.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(ws);
  return s.substr(first, last - first + 1);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// [+-]digits[.digits][(e|E)[+-]digits], in at most 64 characters with at most four exponent
// digits: then the value always fits a PostgreSQL numeric (which refuses 1e-16384).
bool is_decimal(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (s[i] == '+' || s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exponent = i;
    if (!digits() || i - exponent > 4) return false;
  }
  return i == s.size();
}

std::optional<std::int64_t> from_double(double d) {
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(d) || d >= kLimit || d < -kLimit) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(d));
}

std::optional<int> fixed_number(std::string_view s, size_t pos, size_t len) {
  if (pos + len > s.size()) return std::nullopt;
  auto part = s.substr(pos, len);
  if (!all_digits(part)) return std::nullopt;
  int value = 0;
  std::from_chars(part.data(), part.data() + part.size(), value);
  return value;
}

}  // namespace

std::string to_iso8601(Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  using namespace std::chrono;
  auto s = trim(text);
  auto y = fixed_number(s, 0, 4);
  auto mo = fixed_number(s, 5, 2);
  auto d = fixed_number(s, 8, 2);
  auto h = fixed_number(s, 11, 2);
  auto mi = fixed_number(s, 14, 2);
  auto sec = fixed_number(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  // Second 60 (a leap second) is folded into the next minute rather than rejected.
  if (!ymd.ok() || *h > 23 || *mi > 59 || *sec > 60) return std::nullopt;

  size_t i = 19;
  int millis = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
    auto frac = s.substr(start, std::min<size_t>(i - start, 3));
    std::from_chars(frac.data(), frac.data() + frac.size(), millis);
    for (size_t n = frac.size(); n < 3; ++n) millis *= 10;
  }
  int offset_minutes = 0;
  if (i < s.size()) {
    char sign = s[i];
    auto zone = s.substr(i);
    if (zone == "Z" || zone == "z") {
      i = s.size();
    } else if (sign == '+' || sign == '-') {
      auto oh = fixed_number(s, i + 1, 2);
      bool colon = i + 3 < s.size() && s[i + 3] == ':';
      auto om = fixed_number(s, i + (colon ? 4 : 3), 2);
      if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
      i += colon ? 6 : 5;
      offset_minutes = (*oh * 60 + *om) * (sign == '-' ? -1 : 1);
    }
    if (i != s.size()) return std::nullopt;
  }
  auto t = time_point_cast<milliseconds>(sys_days{ymd} + hours{*h} + minutes{*mi - offset_minutes} +
                                         seconds{*sec} + milliseconds{millis});
  auto ms = t.time_since_epoch().count();
  if (ms < kMinEpochMillis || ms > kMaxEpochMillis) return std::nullopt;
  return t;
}

namespace fields {

const nlohmann::json* member(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> as_text(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: {
      auto t = trim(value.get_ref<const std::string&>());
      if (t.empty()) return std::nullopt;
      return storable_text(t);
    }
    case nlohmann::json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: {
      // An integral float (an id sent as 48211907.0) reads as the integer it stands for.
      double d = value.get<double>();
      if (auto i = from_double(d); i && static_cast<double>(*i) == d) return std::to_string(*i);
      if (!std::isfinite(d)) return std::nullopt;
      return value.dump();
    }
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    default:
      return std::nullopt;
  }
}

std::optional<std::string> text(const nlohmann::json& obj, std::string_view key) {
  const auto* v = member(obj, key);
  return v ? as_text(*v) : std::nullopt;
}

std::optional<std::int64_t> as_integer(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_integer:
      return value.get<std::int64_t>();
    case nlohmann::json::value_t::number_unsigned: {
      auto u = value.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(u);
    }
    case nlohmann::json::value_t::number_float:
      return from_double(value.get<double>());
    case nlohmann::json::value_t::string: {
      auto s = trim(value.get_ref<const std::string&>());
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      std::int64_t out = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) return out;
      if (!is_decimal(s)) return std::nullopt;
      return from_double(std::strtod(std::string(s).c_str(), nullptr));
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> integer(const nlohmann::json& obj, std::string_view key) {
  const auto* v = member(obj, key);
  return v ? as_integer(*v) : std::nullopt;
}

std::optional<std::string> decimal(const nlohmann::json& obj, std::string_view key) {
  const auto* v = member(obj, key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) return as_text(*v);
  if (v->is_number_float()) {
    if (!std::isfinite(v->get<double>())) return std::nullopt;
    return v->dump();
  }
  if (v->is_string()) {
    auto s = trim(v->get_ref<const std::string&>());
    if (is_decimal(s)) return std::string(s);
  }
  return std::nullopt;
}

std::optional<Timestamp> epoch_millis(const nlohmann::json& obj, std::string_view key) {
  auto ms = integer(obj, key);
  if (!ms || *ms <= 0 || *ms > kMaxEpochMillis) return std::nullopt;
  return Timestamp{milliseconds{*ms}};
}

std::optional<Timestamp> iso8601(const nlohmann::json& obj, std::string_view key) {
  const auto* v = member(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return parse_iso8601(v->get_ref<const std::string&>());
}

}  // namespace fields

}  // namespace pbx::cloudonix
