#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::ip {

// An IPv4 or IPv6 address. IPv4 is held in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so that
// one comparison serves both families and a mapped peer address matches its IPv4 range.
struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool operator==(const Address&) const = default;
};

// Dotted IPv4 or textual IPv6 (inet_pton), nothing around it: no brackets, port or zone.
std::optional<Address> parse_address(std::string_view text);
// IPv4 dotted, IPv6 in its shortest form.
std::string to_string(const Address& a);

// A CIDR range ("10.0.0.0/8", "2001:db8::/32") or one address.
struct Range {
  Address base;  // host bits cleared
  int prefix = 128;
  bool contains(const Address& a) const;
};

std::optional<Range> parse_range(std::string_view text);
bool in_any(const std::vector<Range>& ranges, const Address& a);

// The client of a request. The peer, unless it is a trusted proxy: then X-Forwarded-For is read
// from its end (each proxy appends the address it received from), skipping trusted proxies,
// and the first other address is the client. Whatever comes before it was written by the
// client and is ignored; an unreadable entry stops the walk at the last address known.
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const std::vector<Range>& trusted);

}  // namespace pbx::ip
