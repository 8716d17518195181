#include "routing/call.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace pbx::routing {

namespace {

std::string first_of(const http::Params& params, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    const auto* v = http::find_param(params, name);
    if (v && !v->empty()) return *v;
  }
  return {};
}

}  // namespace

Direction parse_direction(std::string_view value) {
  auto d = text::to_lower(value);
  if (d == "subscriber") return Direction::subscriber;
  if (d == "outbound-api") return Direction::outbound_api;
  return Direction::inbound;
}

CallRequest parse_call(const http::Params& params) {
  CallRequest c;
  c.call_id = first_of(params, {"Session", "CallSid", "SessionData.token"});
  c.from = first_of(params, {"From"});
  c.to = first_of(params, {"To"});
  c.direction = parse_direction(first_of(params, {"Direction"}));
  c.domain = first_of(params, {"Domain", "AccountSid"});
  c.dial_status = text::to_lower(first_of(params, {"DialCallStatus", "CallStatus"}));
  if (c.dial_status == "noanswer") c.dial_status = "no-answer";
  c.digits = first_of(params, {"Digits"});
  c.recording_url = first_of(params, {"RecordingUrl"});
  auto duration = first_of(params, {"RecordingDuration"});
  int value = 0;
  auto [ptr, ec] = std::from_chars(duration.data(), duration.data() + duration.size(), value);
  if (ec == std::errc() && value > 0) c.recording_duration = value;
  return c;
}

http::Params params_from_json(const nlohmann::json& j) {
  http::Params params;
  if (!j.is_object()) return params;
  for (const auto& [key, value] : j.items()) {
    if (value.is_string()) {
      params.emplace_back(key, value.get<std::string>());
    } else if (value.is_number() || value.is_boolean()) {
      params.emplace_back(key, value.dump());
    } else if (key == "SessionData" && value.is_object()) {
      auto token = value.find("token");
      if (token != value.end() && token->is_string()) {
        params.emplace_back("SessionData.token", token->get<std::string>());
      }
    }
  }
  return params;
}

}  // namespace pbx::routing
