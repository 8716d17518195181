#include "cloudonix/signature.hpp"

#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace pbx::cloudonix {
namespace {

constexpr std::int64_t kNow = 1772620200;
const std::string kBody = R"({"token":"abc","status":"ringing"})";
const std::vector<std::string> kSecrets{"whsec_current"};

SignatureResult verify(const SignedHeaders& h, std::string_view body = kBody,
                       const std::vector<std::string>& secrets = kSecrets, std::int64_t now = kNow,
                       SignaturePolicy policy = {}) {
  std::optional<std::string_view> ts;
  if (!h.timestamp.empty()) ts = h.timestamp;
  return verify_signature(h.signature, ts, body, secrets, now, policy);
}

TEST(Signature, SignProducesPrefixedLowercaseHexOverTimestampDotBody) {
  auto h = sign("k", "body", 1700000000);
  EXPECT_EQ(h.timestamp, "1700000000");
  EXPECT_EQ(h.signature, "sha256=" + crypto::to_hex(crypto::hmac_sha256("k", "1700000000.body")));
  auto plain = sign("k", "body", std::nullopt);
  EXPECT_EQ(plain.timestamp, "");
  EXPECT_EQ(plain.signature, "sha256=" + crypto::to_hex(crypto::hmac_sha256("k", "body")));
}

TEST(Signature, AcceptsValidSignature) {
  EXPECT_EQ(verify(sign("whsec_current", kBody, kNow)), SignatureResult::ok);
}

TEST(Signature, RejectsTamperedBody) {
  auto h = sign("whsec_current", kBody, kNow);
  EXPECT_EQ(verify(h, kBody + " "), SignatureResult::bad_signature);
  EXPECT_EQ(verify(h, R"({"token":"abd","status":"ringing"})"), SignatureResult::bad_signature);
}

TEST(Signature, RejectsWrongSecret) {
  EXPECT_EQ(verify(sign("whsec_other", kBody, kNow)), SignatureResult::bad_signature);
}

TEST(Signature, RejectsTamperedTimestamp) {
  auto h = sign("whsec_current", kBody, kNow);
  h.timestamp = std::to_string(kNow + 1);
  EXPECT_EQ(verify(h), SignatureResult::bad_signature);
}

TEST(Signature, AcceptsAnyRotatedSecret) {
  std::vector<std::string> secrets{"whsec_new", "whsec_old"};
  EXPECT_EQ(verify(sign("whsec_old", kBody, kNow), kBody, secrets), SignatureResult::ok);
  EXPECT_EQ(verify(sign("whsec_new", kBody, kNow), kBody, secrets), SignatureResult::ok);
  EXPECT_EQ(verify(sign("whsec_gone", kBody, kNow), kBody, secrets),
            SignatureResult::bad_signature);
}

TEST(Signature, NoUsableSecretNeverVerifies) {
  EXPECT_EQ(verify(sign("", kBody, kNow), kBody, {}), SignatureResult::bad_signature);
  EXPECT_EQ(verify(sign("", kBody, kNow), kBody, {""}), SignatureResult::bad_signature);
}

TEST(Signature, PrefixIsOptionalAndCaseInsensitive) {
  auto h = sign("whsec_current", kBody, kNow);
  auto hex = h.signature.substr(7);
  for (auto value : {hex, "sha256=" + hex, "SHA256=" + hex, "  sha256=" + hex + " "}) {
    h.signature = value;
    EXPECT_EQ(verify(h), SignatureResult::ok) << value;
  }
}

TEST(Signature, AcceptsUppercaseHex) {
  auto h = sign("whsec_current", kBody, kNow);
  std::transform(h.signature.begin() + 7, h.signature.end(), h.signature.begin() + 7,
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  EXPECT_EQ(verify(h), SignatureResult::ok);
}

TEST(Signature, TimestampWindowIs300SecondsEitherWay) {
  for (std::int64_t skew : {0, 299, 300, -299, -300}) {
    EXPECT_EQ(verify(sign("whsec_current", kBody, kNow + skew)), SignatureResult::ok) << skew;
  }
  for (std::int64_t skew : std::vector<std::int64_t>{301, -301, 86400, -kNow}) {
    EXPECT_EQ(verify(sign("whsec_current", kBody, kNow + skew)), SignatureResult::stale_timestamp)
        << skew;
  }
}

TEST(Signature, StaleIsOnlyReportedForAuthenticSignatures) {
  EXPECT_EQ(verify(sign("whsec_other", kBody, kNow - 1000)), SignatureResult::bad_signature);
}

TEST(Signature, ToleranceIsConfigurable) {
  SignaturePolicy policy;
  policy.tolerance_seconds = 10;
  EXPECT_EQ(verify(sign("whsec_current", kBody, kNow - 11), kBody, kSecrets, kNow, policy),
            SignatureResult::stale_timestamp);
}

TEST(Signature, MissingHeaders) {
  auto h = sign("whsec_current", kBody, kNow);
  EXPECT_EQ(verify_signature(std::nullopt, h.timestamp, kBody, kSecrets, kNow),
            SignatureResult::missing);
  EXPECT_EQ(verify_signature("", h.timestamp, kBody, kSecrets, kNow), SignatureResult::missing);
  EXPECT_EQ(verify_signature("  ", h.timestamp, kBody, kSecrets, kNow), SignatureResult::missing);
  // A timestamped signature without its timestamp is the untimestamped form: refused.
  EXPECT_EQ(verify_signature(h.signature, std::nullopt, kBody, kSecrets, kNow),
            SignatureResult::missing);
}

TEST(Signature, UntimestampedFormOnlyWhenAllowed) {
  auto h = sign("whsec_current", kBody, std::nullopt);
  EXPECT_EQ(verify(h), SignatureResult::missing);
  SignaturePolicy allow;
  allow.allow_untimestamped = true;
  EXPECT_EQ(verify(h, kBody, kSecrets, kNow, allow), SignatureResult::ok);
  EXPECT_EQ(verify(h, kBody + "x", kSecrets, kNow, allow), SignatureResult::bad_signature);
  EXPECT_EQ(verify_signature(h.signature, "", kBody, kSecrets, kNow, allow), SignatureResult::ok);
  // Allowing the plain form does not weaken the timestamped one.
  EXPECT_EQ(verify(sign("whsec_current", kBody, kNow - 301), kBody, kSecrets, kNow, allow),
            SignatureResult::stale_timestamp);
}

TEST(Signature, MalformedTimestamp) {
  auto h = sign("whsec_current", kBody, kNow);
  for (std::string ts : {"abc", "1772620200.5", "-1772620200", "+1772620200", "1e9",
                         "99999999999999999999999", "0x10", "17726 20200"}) {
    h.timestamp = ts;
    EXPECT_EQ(verify(h), SignatureResult::malformed) << ts;
  }
}

TEST(Signature, MalformedSignature) {
  auto good = sign("whsec_current", kBody, kNow);
  std::vector<std::string> bad{"sha256=",
                               "sha256=zz",
                               "sha1=" + good.signature.substr(7),
                               good.signature + "00",
                               good.signature.substr(0, 70),
                               std::string("sha256=\0\0", 9),
                               std::string(10000, 'a')};
  for (const auto& sig : bad) {
    SignedHeaders h{sig, good.timestamp};
    EXPECT_EQ(verify(h), SignatureResult::malformed) << sig.size();
  }
}

TEST(Signature, ResultNames) {
  EXPECT_EQ(to_string(SignatureResult::ok), "ok");
  EXPECT_EQ(to_string(SignatureResult::stale_timestamp), "stale_timestamp");
  EXPECT_EQ(to_string(SignatureResult::malformed), "malformed");
}

}  // namespace
}  // namespace pbx::cloudonix
