#pragma once

#include "core/crypto.hpp"
#include "routing/model.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pbx::routing {

// What a callback needs to carry on a call, travelling in its action URL: any instance can
// serve any callback, and nothing is stored between them.
struct CallbackState {
  std::string tenant_id;
  std::string call_id;      // the call it was issued for; another call cannot reuse it
  Destination destination;  // the extension, ring group, menu or mailbox being worked
  int position = 0;         // ring group: members already tried in this pass
  int turn = 1;             // ring group: pass number
  int start = 0;            // ring group: member the pass starts with (round robin)
  int attempt = 1;          // IVR menu: prompts played so far
  long long expires = 0;    // unix seconds
};

// Signs states with a server key (HMAC-SHA256) and gives them a lifetime long enough for the
// longest call, so a caller can neither forge nor alter one nor keep one forever.
class StateCodec {
 public:
  explicit StateCodec(std::string_view key, std::chrono::seconds lifetime = std::chrono::hours(24));

  // "<base64url payload>.<base64url signature>"; sets `expires` from `now`.
  std::string encode(CallbackState state, std::chrono::system_clock::time_point now) const;
  // nullopt when the token is malformed, forged or expired.
  std::optional<CallbackState> decode(std::string_view token,
                                      std::chrono::system_clock::time_point now) const;

 private:
  crypto::HmacSha256 key_;
  std::chrono::seconds lifetime_;
};

}  // namespace pbx::routing
