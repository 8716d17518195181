#include "core/ip.hpp"

#include "core/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace pbx::ip {

namespace {

constexpr int kMappedPrefix = 96;  // ::ffff:0:0/96 holds the IPv4 addresses

bool is_mapped(const Address& a) {
  static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(kMapped.begin(), kMapped.end(), a.bytes.begin());
}

}  // namespace

std::optional<Address> parse_address(std::string_view text) {
  // inet_pton needs a NUL-terminated string; the longest IPv6 text is 45 characters.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Address a;
  if (text.find(':') == std::string_view::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, buf, &v4) != 1) return std::nullopt;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(a.bytes.data() + 12, &v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  return a;
}

std::string to_string(const Address& a) {
  char buf[INET6_ADDRSTRLEN];
  const char* out = is_mapped(a) ? inet_ntop(AF_INET, a.bytes.data() + 12, buf, sizeof buf)
                                 : inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  return out != nullptr ? std::string(out) : std::string();
}

bool Range::contains(const Address& a) const {
  int full = prefix / 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + full, a.bytes.begin())) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a.bytes[full] & mask) == base.bytes[full];
}

std::optional<Range> parse_range(std::string_view text) {
  auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  Range r{*address, 128};
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    int bits = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    // from_chars takes no '+' and no spaces; "-1" is refused by the range check.
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
        bits > (v4 ? 32 : 128)) {
      return std::nullopt;
    }
    r.prefix = v4 ? kMappedPrefix + bits : bits;
  }
  for (int i = r.prefix; i < 128; ++i) {
    r.base.bytes[i / 8] &= static_cast<std::uint8_t>(~(0x80 >> (i % 8)));
  }
  return r;
}

bool in_any(const std::vector<Range>& ranges, const Address& a) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) { return r.contains(a); });
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<Range>& trusted) {
  if (trusted.empty() || forwarded_for.empty()) return std::string(peer);
  auto current = parse_address(peer);
  if (!current || !in_any(trusted, *current)) return std::string(peer);
  // Entries from the last one back; empty ones (",,") are allowed by the list syntax.
  for (auto end = forwarded_for.size();;) {
    auto comma = end == 0 ? std::string_view::npos : forwarded_for.rfind(',', end - 1);
    auto start = comma == std::string_view::npos ? 0 : comma + 1;
    auto entry = text::trim_ows(forwarded_for.substr(start, end - start));
    if (!entry.empty()) {
      auto hop = parse_address(entry);
      if (!hop) break;
      current = hop;
      if (!in_any(trusted, *current)) break;
    }
    if (comma == std::string_view::npos) break;
    end = comma;
  }
  return to_string(*current);
}

}  // namespace pbx::ip
