#include "routing/state.hpp"

#include "core/crypto.hpp"

#include <nlohmann/json.hpp>

namespace pbx::routing {

StateCodec::StateCodec(std::string key, std::chrono::seconds lifetime)
    : key_(std::move(key)), lifetime_(lifetime) {}

std::string StateCodec::encode(CallbackState s, std::chrono::system_clock::time_point now) const {
  s.expires =
      std::chrono::duration_cast<std::chrono::seconds>((now + lifetime_).time_since_epoch())
          .count();
  nlohmann::json j{{"t", s.tenant_id},     {"c", s.call_id}, {"d", to_json(s.destination)},
                   {"p", s.position},      {"n", s.turn},    {"s", s.start},
                   {"a", s.attempt},       {"e", s.expires}};
  auto payload = crypto::base64url(j.dump());
  return payload + "." + crypto::base64url(crypto::hmac_sha256(key_, payload));
}

std::optional<CallbackState> StateCodec::decode(std::string_view token,
                                                std::chrono::system_clock::time_point now) const {
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = token.substr(0, dot);
  auto signature = crypto::from_base64url(token.substr(dot + 1));
  if (!signature || !crypto::constant_time_equal(*signature, crypto::hmac_sha256(key_, payload))) {
    return std::nullopt;
  }
  auto text = crypto::from_base64url(payload);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    CallbackState s;
    s.tenant_id = j.at("t").get<std::string>();
    s.call_id = j.at("c").get<std::string>();
    auto d = parse_destination(j.at("d"));
    if (!d) return std::nullopt;
    s.destination = *d;
    s.position = j.at("p").get<int>();
    s.turn = j.at("n").get<int>();
    s.start = j.at("s").get<int>();
    s.attempt = j.at("a").get<int>();
    s.expires = j.at("e").get<long long>();
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (s.expires < now_s) return std::nullopt;
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // signed by us, so only an older format could get here
  }
}

}  // namespace pbx::routing
