#include "cloudonix/signature.hpp"

#include "core/crypto.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pbx::cloudonix {

namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr size_t kDigestHexLength = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::optional<std::string_view> present(std::optional<std::string_view> header) {
  if (!header) return std::nullopt;
  auto value = trim(*header);
  if (value.empty()) return std::nullopt;
  return value;
}

// Plain decimal seconds only: no sign, no fraction, no exponent, at most 18 digits so that
// the value always fits and the age arithmetic below cannot overflow.
std::optional<std::int64_t> parse_timestamp(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.front() == '-') return std::nullopt;
  return value;
}

std::string signed_bytes(std::string_view timestamp, std::string_view body) {
  std::string out;
  out.reserve(timestamp.size() + 1 + body.size());
  out.append(timestamp).append(".").append(body);
  return out;
}

}  // namespace

std::string_view to_string(SignatureResult r) {
  switch (r) {
    case SignatureResult::ok:
      return "ok";
    case SignatureResult::missing:
      return "missing";
    case SignatureResult::bad_signature:
      return "bad_signature";
    case SignatureResult::stale_timestamp:
      return "stale_timestamp";
    case SignatureResult::malformed:
      break;
  }
  return "malformed";
}

SignatureResult verify_signature(std::optional<std::string_view> signature_header,
                                 std::optional<std::string_view> timestamp_header,
                                 std::string_view raw_body, const std::vector<std::string>& secrets,
                                 std::int64_t now_unix, const SignaturePolicy& policy) {
  auto signature = present(signature_header);
  if (!signature) return SignatureResult::missing;
  auto timestamp_text = present(timestamp_header);
  if (!timestamp_text && !policy.allow_untimestamped) return SignatureResult::missing;

  auto hex = *signature;
  if (starts_with_ci(hex, kPrefix)) hex = trim(hex.substr(kPrefix.size()));
  if (hex.size() != kDigestHexLength) return SignatureResult::malformed;
  auto expected = crypto::from_hex(hex);
  if (!expected) return SignatureResult::malformed;

  std::optional<std::int64_t> timestamp;
  if (timestamp_text) {
    timestamp = parse_timestamp(*timestamp_text);
    if (!timestamp) return SignatureResult::malformed;
  }

  // Signed over the header text exactly as sent, which is what the sender hashed.
  std::string message =
      timestamp_text ? signed_bytes(*timestamp_text, raw_body) : std::string(raw_body);
  bool matched = false;
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    // No early exit: the time taken does not reveal which secret matched.
    matched |= crypto::constant_time_equal(crypto::hmac_sha256(secret, message), *expected);
  }
  if (!matched) return SignatureResult::bad_signature;

  if (timestamp) {
    // The true distance is below 2^64 (timestamp < 10^18), so modular unsigned subtraction
    // gives it exactly whatever the clock says.
    auto ts = static_cast<std::uint64_t>(*timestamp);
    auto now = static_cast<std::uint64_t>(now_unix);
    std::uint64_t age = *timestamp > now_unix ? ts - now : now - ts;
    auto tolerance =
        static_cast<std::uint64_t>(std::max<std::int64_t>(policy.tolerance_seconds, 0));
    if (age > tolerance) {
      return SignatureResult::stale_timestamp;
    }
  }
  return SignatureResult::ok;
}

SignedHeaders sign(std::string_view secret, std::string_view body,
                   std::optional<std::int64_t> timestamp_unix) {
  SignedHeaders out;
  if (timestamp_unix) {
    out.timestamp = std::to_string(*timestamp_unix);
    out.signature = std::string(kPrefix) +
                    crypto::to_hex(crypto::hmac_sha256(secret, signed_bytes(out.timestamp, body)));
  } else {
    out.signature = std::string(kPrefix) + crypto::to_hex(crypto::hmac_sha256(secret, body));
  }
  return out;
}

}  // namespace pbx::cloudonix
