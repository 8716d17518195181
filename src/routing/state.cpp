#include "routing/state.hpp"

#include "core/crypto.hpp"

#include <charconv>
#include <vector>

namespace pbx::routing {

StateCodec::StateCodec(std::string_view key, std::chrono::seconds lifetime)
    : key_(key), lifetime_(lifetime) {}

namespace {

// "1|tenant|type|ref|position|turn|start|attempt|expires|call id": compact and cheap, as a
// state is made for nearly every answer. The call id goes last: it is the only free text.
constexpr char kVersion = '1';
constexpr size_t kFields = 10;

std::optional<long long> number(std::string_view s) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string StateCodec::encode(CallbackState s, std::chrono::system_clock::time_point now) const {
  s.expires = std::chrono::duration_cast<std::chrono::seconds>((now + lifetime_).time_since_epoch())
                  .count();
  std::string text;
  text.reserve(160 + s.call_id.size());
  text.push_back(kVersion);
  for (const auto& part :
       {s.tenant_id, std::string(type_name(s.destination.type)), s.destination.ref,
        std::to_string(s.position), std::to_string(s.turn), std::to_string(s.start),
        std::to_string(s.attempt), std::to_string(s.expires), s.call_id}) {
    text.push_back('|');
    text += part;
  }
  auto payload = crypto::base64url(text);
  return payload + "." + crypto::base64url(key_.sign(payload));
}

std::optional<CallbackState> StateCodec::decode(std::string_view token,
                                                std::chrono::system_clock::time_point now) const {
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = token.substr(0, dot);
  auto signature = crypto::from_base64url(token.substr(dot + 1));
  if (!signature || !crypto::constant_time_equal(*signature, key_.sign(payload))) {
    return std::nullopt;
  }
  auto text = crypto::from_base64url(payload);
  if (!text) return std::nullopt;
  std::vector<std::string_view> parts;
  std::string_view rest(*text);
  while (parts.size() + 1 < kFields) {
    auto bar = rest.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    parts.push_back(rest.substr(0, bar));
    rest.remove_prefix(bar + 1);
  }
  parts.push_back(rest);  // the call id, which may hold '|'
  if (parts[0].size() != 1 || parts[0][0] != kVersion) return std::nullopt;
  auto type = parse_type(parts[2]);
  auto position = number(parts[4]), turn = number(parts[5]), start = number(parts[6]),
       attempt = number(parts[7]), expires = number(parts[8]);
  if (!type || !position || !turn || !start || !attempt || !expires) return std::nullopt;
  if (parts[3].empty() != (*type == DestinationType::hangup)) return std::nullopt;
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (*expires < now_s) return std::nullopt;
  CallbackState s;
  s.tenant_id = std::string(parts[1]);
  s.destination = {*type, std::string(parts[3])};
  s.position = static_cast<int>(*position);
  s.turn = static_cast<int>(*turn);
  s.start = static_cast<int>(*start);
  s.attempt = static_cast<int>(*attempt);
  s.expires = *expires;
  s.call_id = std::string(parts[9]);
  return s;
}

}  // namespace pbx::routing
