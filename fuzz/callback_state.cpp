// The signed callback state in action URLs (routing/state.hpp), which Cloudonix echoes back
// and anyone can send. Three inputs from the bytes:
//  - the bytes as a token: never accepted, as only the server key signs;
//  - the bytes as the payload of a token signed with the server key: whatever decodes
//    re-encodes to an equal state;
//  - a state made of the bytes: encoded then decoded it is equal; expired, under another key
//    or with any one character changed (or dropped, or added) it is refused.

#include "check.hpp"
#include "core/crypto.hpp"
#include "routing/state.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>

namespace {

using namespace pbx::routing;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::string_view kKey = "fuzz-state-key";
constexpr seconds kLifetime{3600};
const system_clock::time_point kNow{seconds{1772618400}};

bool same(const CallbackState& a, const CallbackState& b) {
  return a.tenant_id == b.tenant_id && a.call_id == b.call_id &&
         a.destination.type == b.destination.type && a.destination.ref == b.destination.ref &&
         a.position == b.position && a.turn == b.turn && a.start == b.start &&
         a.attempt == b.attempt && a.expires == b.expires;
}

// Tenant ids and destination references are ids or numbers; they never hold the separator.
std::string field(FuzzedDataProvider& in) {
  auto s = in.ConsumeRandomLengthString(48);
  s.erase(std::remove(s.begin(), s.end(), '|'), s.end());
  return s;
}

CallbackState state_from(FuzzedDataProvider& in) {
  static constexpr std::array kTypes{DestinationType::extension,      DestinationType::ring_group,
                                     DestinationType::ivr_menu,       DestinationType::voicemail,
                                     DestinationType::business_hours, DestinationType::conference,
                                     DestinationType::forward,        DestinationType::hangup};
  CallbackState s;
  s.tenant_id = field(in);
  s.destination.type = in.PickValueInArray(kTypes);
  if (s.destination.type != DestinationType::hangup) {
    s.destination.ref = field(in);
    if (s.destination.ref.empty()) s.destination.ref = "r";
  }
  s.position = in.ConsumeIntegral<int>();
  s.turn = in.ConsumeIntegral<int>();
  s.start = in.ConsumeIntegral<int>();
  s.attempt = in.ConsumeIntegral<int>();
  s.call_id = in.ConsumeRemainingBytesAsString();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const StateCodec codec(kKey, kLifetime);
  static const StateCodec other("another-key", kLifetime);
  auto in = pbx::fuzz::bytes(data, size);

  PBX_CHECK(!codec.decode(in, kNow));

  auto payload = pbx::crypto::base64url(in);
  auto signed_token =
      payload + "." + pbx::crypto::base64url(pbx::crypto::hmac_sha256(kKey, payload));
  if (auto s = codec.decode(signed_token, kNow)) {
    PBX_CHECK(s->expires >= 1772618400);
    // Re-encoded at the time it was issued; the clock's nanoseconds reach only year 2262.
    if (s->expires < 9000000000) {
      auto issued = system_clock::time_point{seconds{s->expires}} - kLifetime;
      auto again = codec.decode(codec.encode(*s, issued), kNow);
      PBX_CHECK(again && same(*again, *s));
    }
  }

  FuzzedDataProvider provider(data, size);
  auto sent = state_from(provider);
  auto token = codec.encode(sent, kNow);
  auto back = codec.decode(token, kNow);
  sent.expires = 1772618400 + kLifetime.count();
  PBX_CHECK(back && same(*back, sent));
  PBX_CHECK(codec.decode(token, kNow + kLifetime).has_value());
  PBX_CHECK(!codec.decode(token, kNow + kLifetime + seconds{1}));
  PBX_CHECK(!other.decode(token, kNow));

  auto at = std::hash<std::string_view>{}(in) % token.size();
  auto tampered = token;
  tampered[at] = static_cast<char>(tampered[at] ^ (1 + size % 127));
  PBX_CHECK(!codec.decode(tampered, kNow));
  PBX_CHECK(!codec.decode(std::string(token).erase(at, 1), kNow));
  PBX_CHECK(!codec.decode(std::string(token).insert(at, 1, token[at]), kNow));
  return 0;
}
