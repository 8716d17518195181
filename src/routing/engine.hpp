#pragma once

#include "routing/call.hpp"
#include "routing/cxml.hpp"
#include "routing/model.hpp"
#include "routing/state.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::routing {

// Everything a routing decision depends on. The engine itself does no I/O: the only shared
// state, the round-robin cursor, is asked of `next_rotation` (Redis, or a local counter).
struct Context {
  const TenantSnapshot& tenant;
  const StateCodec& codec;
  std::chrono::system_clock::time_point now;
  std::function<long long(const RingGroup&)> next_rotation;
};

struct VoicemailMessage {
  std::string tenant_id;
  std::string extension_id;
  std::string from;
  std::string recording_url;
  int duration = 0;
  std::string call_id;
};

struct Outcome {
  cxml::Document document;
  std::optional<VoicemailMessage> voicemail;  // to be stored before the answer is sent
  std::vector<std::string> problems;  // configuration faults and unknown input met, for the log
};

enum class Callback { gather, dial_status, voicemail };

// A new call on /api/voice/route.
Outcome route_call(const Context& ctx, const CallRequest& call);
// A callback on /api/voice/{gather,dial-status,voicemail} with its signed state token.
Outcome continue_call(const Context& ctx, Callback kind, const CallRequest& call,
                      std::string_view state_token);

// The spoken answer for a call that cannot be routed.
cxml::Document apology();

namespace text {
inline constexpr std::string_view apology = "Sorry, we cannot take your call right now. Goodbye.";
inline constexpr std::string_view invalid_choice = "Sorry, that is not a valid choice.";
inline constexpr std::string_view default_menu = "Please make your selection.";
inline constexpr std::string_view not_allowed =
    "Sorry, this extension is not allowed to call external numbers. Goodbye.";
inline constexpr std::string_view not_in_service =
    "Sorry, the number you dialled is not in service. Goodbye.";
inline constexpr std::string_view leave_message = "Please leave a message after the tone.";
inline constexpr std::string_view no_message = "We did not receive a message. Goodbye.";
inline constexpr std::string_view message_saved =
    "Thank you. Your message has been saved. Goodbye.";
}  // namespace text

}  // namespace pbx::routing
