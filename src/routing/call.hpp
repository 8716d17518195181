#pragma once

#include "http/url.hpp"

#include <string>
#include <string_view>

namespace pbx::routing {

enum class Direction { inbound, subscriber, outbound_api };

// The parameters of one Cloudonix voice request (docs/cloudonix-protocol.md section 1), leniently
// read: every field may be missing.
struct CallRequest {
  std::string call_id;  // Session, else CallSid, else SessionData.token
  std::string from;
  std::string to;
  Direction direction = Direction::inbound;
  std::string domain;
  std::string
      dial_status;  // DialCallStatus, else CallStatus; lower case, "noanswer" as "no-answer"
  std::string digits;
  std::string recording_url;
  int recording_duration = 0;
};

Direction parse_direction(std::string_view value);
CallRequest parse_call(const http::Params& params);

// Top-level members of a JSON object as parameters: strings as they are, numbers and booleans
// as their JSON text, SessionData.token as "SessionData.token"; anything else is skipped.
// Malformed, non-object or too deeply nested (over 64 levels) input gives no parameters. Read
// as a stream of tokens, without building a document: it runs for every voice request.
http::Params params_from_json(std::string_view body);

}  // namespace pbx::routing
