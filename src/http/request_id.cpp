#include "http/request_id.hpp"

#include "core/crypto.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <random>

namespace pbx::http {

// Ids need to be unique, not secret: a per-thread generator seeded once from the system CSPRNG
// keeps the shared RNG's lock off the hot path.
std::string new_request_id() {
  thread_local std::mt19937_64 rng([] {
    auto seed = crypto::random_bytes(sizeof(uint64_t));
    uint64_t value = 0;
    std::memcpy(&value, seed.data(), sizeof(value));
    return value;
  }());
  std::array<uint64_t, 2> words{rng(), rng()};
  return crypto::format_uuid_v4(
      std::string(reinterpret_cast<const char*>(words.data()), sizeof(words)));
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

}  // namespace pbx::http
