// Webhook signature headers (webhooks/signature.hpp). The input is three parts separated by
// newlines: the X-Cloudonix-Signature value, the X-Cloudonix-Timestamp value, the raw body.
//  - As received, the headers verify only when they carry the body's HMAC under one of the
//    secrets (the fuzzer cannot compute one; the seeds hold some), and a blank header is
//    reported as missing.
//  - The body signed with the secret verifies, with the header spelt any allowed way; one
//    changed byte, another secret, a stale timestamp or a missing one is refused.

#include "cloudonix/signature.hpp"
#include "check.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"

#include <charconv>
#include <limits>

namespace {

using namespace pbx::cloudonix;

constexpr std::int64_t kNow = 1772618400;
constexpr std::string_view kBlank = " \t\r\n\f\v";
const std::vector<std::string> kSecrets{"", "fuzz-secret-old", "fuzz-secret"};
const std::vector<std::string> kOthers{"not-it"};
constexpr SignaturePolicy kStrict{false, 300};
constexpr SignaturePolicy kLenient{true, 300};

std::optional<std::string_view> header(std::string_view value, bool present) {
  return present ? std::optional(value) : std::nullopt;
}

// The timestamp header as a unix time when it is one, for checking the age rule near it.
std::optional<std::int64_t> as_time(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  auto first = s.find_first_not_of(kBlank);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

// The protocol's rule, written out: the header's hex (after an optional "sha256=", any case)
// is the HMAC of "<timestamp>.<body>", or of the body alone, under one of the secrets.
bool authentic(std::string_view signature, std::optional<std::string_view> timestamp,
               std::string_view body) {
  auto hex = trim(signature);
  if (pbx::text::iequals(hex.substr(0, 7), "sha256=")) hex = trim(hex.substr(7));
  auto digest = pbx::crypto::from_hex(hex);
  if (!digest) return false;
  auto message =
      timestamp ? std::string(trim(*timestamp)) + "." + std::string(body) : std::string(body);
  for (const auto& secret : kSecrets) {
    if (!secret.empty() && pbx::crypto::hmac_sha256(secret, message) == *digest) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto rest = pbx::fuzz::bytes(data, size);
  auto signature = pbx::fuzz::take_line(rest);
  bool has_timestamp = rest.find('\n') != std::string_view::npos;
  auto timestamp = pbx::fuzz::take_line(rest);
  auto body = rest;

  auto sig = header(signature, size > 0);
  auto ts = header(timestamp, has_timestamp);
  auto now = ts ? as_time(*ts).value_or(kNow) : kNow;
  for (auto at : {kNow, now, std::numeric_limits<std::int64_t>::min(),
                  std::numeric_limits<std::int64_t>::max()}) {
    for (const auto& policy : {kStrict, kLenient}) {
      auto r = verify_signature(sig, ts, body, kSecrets, at, policy);
      bool blank_sig = !sig || trim(*sig).empty();
      bool blank_ts = !ts || trim(*ts).empty();
      if (r == SignatureResult::ok || r == SignatureResult::stale_timestamp) {
        PBX_CHECK(authentic(*sig, blank_ts ? std::nullopt : ts, body));
      }
      if (blank_sig || (blank_ts && !policy.allow_untimestamped)) {
        PBX_CHECK(r == SignatureResult::missing);
      } else {
        PBX_CHECK(r != SignatureResult::missing);
      }
      PBX_CHECK(to_string(r) != "");
    }
  }

  // Signed by us: every allowed spelling verifies; any change is refused.
  for (auto when : {kNow, now}) {
    if (when < 0 || when > 999999999999999999) continue;
    auto signed_headers = sign("fuzz-secret", body, when);
    const auto& good = signed_headers.signature;
    auto hex = good.substr(7);
    for (const auto& spelling :
         {good, hex, "SHA256=" + pbx::text::to_lower(hex), " sha256= " + hex + " ",
          "sha256=" + std::string(hex.size(), 'A')}) {
      auto r = verify_signature(spelling, signed_headers.timestamp, body, kSecrets, when, kStrict);
      bool forged = spelling.find("AAAA") != std::string::npos;
      PBX_CHECK(r == (forged ? SignatureResult::bad_signature : SignatureResult::ok));
    }
    PBX_CHECK(verify_signature(good, signed_headers.timestamp, body, kOthers, when, kStrict) ==
              SignatureResult::bad_signature);
    PBX_CHECK(verify_signature(good, signed_headers.timestamp, body, kSecrets, when + 301,
                               kStrict) == SignatureResult::stale_timestamp);
    PBX_CHECK(verify_signature(good, signed_headers.timestamp, body, kSecrets, when - 300,
                               kStrict) == SignatureResult::ok);
    PBX_CHECK(verify_signature(good, std::nullopt, body, kSecrets, when, kLenient) ==
              SignatureResult::bad_signature);
    std::string changed(body);
    if (changed.empty()) {
      changed = "x";
    } else {
      changed[size % changed.size()] ^= 0x20;
    }
    PBX_CHECK(verify_signature(good, signed_headers.timestamp, changed, kSecrets, when, kStrict) ==
              SignatureResult::bad_signature);
  }
  auto untimestamped = sign("fuzz-secret", body, std::nullopt);
  PBX_CHECK(untimestamped.timestamp.empty());
  PBX_CHECK(verify_signature(untimestamped.signature, std::nullopt, body, kSecrets, kNow,
                             kLenient) == SignatureResult::ok);
  PBX_CHECK(verify_signature(untimestamped.signature, std::nullopt, body, kSecrets, kNow,
                             kStrict) == SignatureResult::missing);
  return 0;
}
