#pragma once

#include <optional>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace pbx::crypto {

std::string sha256(std::string_view data);                             // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string to_hex(std::string_view raw);

// HMAC-SHA256 with one key, keyed once: each signature copies the prepared state instead of
// fetching the algorithm and scheduling the key again (the callback state signs every answer).
// Safe to use from several threads at once.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  std::string sign(std::string_view data) const;  // raw 32 bytes

 private:
  ::evp_mac_ctx_st* keyed_;
};
std::optional<std::string> from_hex(std::string_view hex);
std::string base64url(std::string_view raw);  // unpadded
std::optional<std::string> from_base64url(std::string_view text);

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

std::string random_bytes(size_t n);  // from the OpenSSL CSPRNG; throws if it fails
// A secret for people to copy: a prefix naming its kind, then 32 random bytes in base64url.
std::string random_token(std::string_view prefix);
std::string uuid_v4();
// 16 bytes (of any random source) as a version 4 UUID: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
std::string format_uuid_v4(std::string raw16);

// Argon2id in its encoded form (parameters and salt inside), verified in constant time.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, const std::string& encoded);

}  // namespace pbx::crypto
