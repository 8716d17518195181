#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pbx::text {

// The text, or nothing when it is empty: NULL for an optional column.
inline std::optional<std::string> null_if_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// ASCII case folding: header names, domains, enum values from the wire (never locale-dependent).
inline std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in hex digits: ids checked before they reach SQL.
inline bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// The key a Cloudonix domain is known by: case-folded, and without Cloudonix's ".cloudonix.net"
// suffix, so that "acme", "ACME" and "acme.cloudonix.net" name one domain. The same rule is
// pbx_domain_key() in the database (migration 0009), which keeps keys unique across tenants.
inline std::string domain_key(std::string_view name) {
  constexpr std::string_view kSuffix = ".cloudonix.net";
  auto key = to_lower(name);
  if (key.size() > kSuffix.size() && key.ends_with(kSuffix))
    key.resize(key.size() - kSuffix.size());
  return key;
}

// Without the spaces and tabs around it: HTTP's optional whitespace around a header value or a
// list item.
inline std::string_view trim_ows(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

inline bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// A control character other than tab and line breaks: XML 1.0 cannot carry it (so neither can
// CXML), and PostgreSQL text cannot hold NUL.
inline bool is_bare_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t len = 0;
  if (c < 0x80) {
    len = 1;
  } else if ((c >> 5) == 0x6) {
    len = 2;
  } else if ((c >> 4) == 0xE) {
    len = 3;
  } else if ((c >> 3) == 0x1E) {
    len = 4;
  }
  if (len == 0 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Reject overlong forms, surrogates and code points beyond U+10FFFF.
  if (len == 2 && c < 0xC2) return 0;
  if (len == 3 && c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (len == 3 && c == 0xED && byte(i + 1) >= 0xA0) return 0;
  if (len == 4 && c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (len == 4 && (c > 0xF4 || (c == 0xF4 && byte(i + 1) >= 0x90))) return 0;
  return len;
}

// Valid UTF-8 throughout: what PostgreSQL accepts as text.
inline bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto len = utf8_sequence(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace pbx::text
