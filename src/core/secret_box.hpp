#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::crypto {

// Secrets the service must read back (webhook secrets, the callback-state key, third-party API
// keys), kept at rest as AES-256-GCM under keys from the environment, so a database or backup
// leak alone reveals none of them. Keys that only need verifying are hashed instead.
//
// A sealed value is text: "pbx1.<key id>.<base64url(nonce | ciphertext | tag)>". The key id (the
// first 4 bytes of SHA-256 of the key, in hex) names the key that sealed it, so during a rotation
// values sealed under an earlier key still open, and `is_current` tells which to re-seal.
// `context` is authenticated with the value: it names the owner ("webhook_secret:<id>"), so a
// value copied into another row does not open there.
class SecretBox {
 public:
  // keys[0] seals; every key opens. Each key is 32 raw bytes; throws std::invalid_argument if not.
  explicit SecretBox(std::vector<std::string> keys);

  std::string seal(std::string_view plain, std::string_view context) const;
  // nullopt when the value was tampered with, belongs to another context, or was sealed under a
  // key this box does not hold.
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;
  bool is_current(std::string_view sealed) const;
  static bool is_sealed(std::string_view value);
  static std::string key_id(std::string_view key);

 private:
  struct Key {
    std::string id;
    std::string bytes;
  };
  std::vector<Key> keys_;
};

}  // namespace pbx::crypto
