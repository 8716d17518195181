#pragma once

// HMAC signatures on webhook requests (docs/cloudonix-protocol.md section 4):
//   X-Cloudonix-Signature: sha256=<hex HMAC-SHA256>   (prefix optional, hex in either case)
//   X-Cloudonix-Timestamp: <unix seconds>             (optional, see SignaturePolicy)
// With a timestamp the signed bytes are "<timestamp>.<raw body>"; without one, the raw body.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::cloudonix {

inline constexpr std::string_view kSignatureHeader = "X-Cloudonix-Signature";
inline constexpr std::string_view kTimestampHeader = "X-Cloudonix-Timestamp";

// Suggested HTTP mapping: ok -> continue; stale_timestamp -> 400 "stale_timestamp";
// missing, bad_signature, malformed -> 401.
enum class SignatureResult {
  ok,
  missing,          // no signature header, or no timestamp where the tenant requires one
  bad_signature,    // well-formed but matches none of the secrets (or no usable secret)
  stale_timestamp,  // authentic, but signed more than the tolerance away from now
  malformed,        // unparseable signature or timestamp header
};

std::string_view to_string(SignatureResult r);  // the enumerator's name

struct SignaturePolicy {
  // OPBX senders sign the raw body alone; accepting that form gives up replay protection.
  bool allow_untimestamped = false;
  std::int64_t tolerance_seconds = 300;  // either side of now
};

// Verifies over the exact raw bytes received. Header arguments are the values as received,
// nullopt when absent; empty or blank values count as absent. `secrets` holds every secret
// valid now (rotation); empty strings in it are ignored, so an unset secret never verifies.
// The HMAC is checked before the timestamp's age, so stale_timestamp is only ever reported to
// a holder of a secret. Never throws on header content.
SignatureResult verify_signature(std::optional<std::string_view> signature_header,
                                 std::optional<std::string_view> timestamp_header,
                                 std::string_view raw_body, const std::vector<std::string>& secrets,
                                 std::int64_t now_unix, const SignaturePolicy& policy = {});

struct SignedHeaders {
  std::string signature;  // value for X-Cloudonix-Signature: "sha256=<lowercase hex>"
  std::string timestamp;  // value for X-Cloudonix-Timestamp; empty: send no such header
};

// Signs `body` the way verify_signature expects; without a timestamp, the untimestamped form.
SignedHeaders sign(std::string_view secret, std::string_view body,
                   std::optional<std::int64_t> timestamp_unix);

}  // namespace pbx::cloudonix
