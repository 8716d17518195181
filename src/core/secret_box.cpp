#include "core/secret_box.hpp"

#include "core/crypto.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace pbx::crypto {
namespace {

constexpr std::string_view kPrefix = "pbx1.";
constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;
constexpr size_t kKeyIdChars = 8;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return ctx;
}

const auto* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
auto* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

int length(std::string_view s) {
  if (s.size() > static_cast<size_t>(INT32_MAX / 2)) throw std::length_error("secret too long");
  return static_cast<int>(s.size());
}

}  // namespace

SecretBox::SecretBox(std::vector<std::string> keys) {
  if (keys.empty()) throw std::invalid_argument("a secret box needs at least one key");
  for (auto& k : keys) {
    if (k.size() != kKeyBytes) throw std::invalid_argument("secret keys are 32 bytes");
    keys_.push_back({key_id(k), std::move(k)});
  }
}

std::string SecretBox::key_id(std::string_view key) {
  return to_hex(sha256(key)).substr(0, kKeyIdChars);
}

std::string SecretBox::seal(std::string_view plain, std::string_view context) const {
  const Key& key = keys_.front();
  std::string out = random_bytes(kNonceBytes);
  out.resize(kNonceBytes + plain.size() + kTagBytes);
  auto ctx = new_ctx();
  int n = 0;
  int tail = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key.bytes), bytes(out)) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(context), length(context)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonceBytes, &n, bytes(plain), length(plain)) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonceBytes + n, &tail) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          bytes(out) + kNonceBytes + plain.size()) != 1) {
    throw std::runtime_error("sealing a secret failed");
  }
  return std::string(kPrefix) + key.id + "." + base64url(out);
}

std::optional<std::string> SecretBox::open(std::string_view sealed,
                                           std::string_view context) const {
  if (!is_sealed(sealed)) return std::nullopt;
  auto id = sealed.substr(kPrefix.size(), kKeyIdChars);
  const Key* key = nullptr;
  for (const auto& k : keys_) {
    if (k.id == id) key = &k;
  }
  auto raw = from_base64url(sealed.substr(kPrefix.size() + kKeyIdChars + 1));
  if (key == nullptr || !raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;

  const size_t text_bytes = raw->size() - kNonceBytes - kTagBytes;
  std::string plain(text_bytes, '\0');
  auto ctx = new_ctx();
  int n = 0;
  int tail = 0;
  auto* nonce = bytes(*raw);
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key->bytes), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(context), length(context)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(plain), &n, nonce + kNonceBytes,
                        static_cast<int>(text_bytes)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          nonce + kNonceBytes + text_bytes) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + n, &tail) != 1) {
    return std::nullopt;
  }
  return plain;
}

bool SecretBox::is_current(std::string_view sealed) const {
  return is_sealed(sealed) && sealed.substr(kPrefix.size(), kKeyIdChars) == keys_.front().id;
}

bool SecretBox::is_sealed(std::string_view value) {
  return value.size() > kPrefix.size() + kKeyIdChars + 1 &&
         value.substr(0, kPrefix.size()) == kPrefix && value[kPrefix.size() + kKeyIdChars] == '.';
}

}  // namespace pbx::crypto
