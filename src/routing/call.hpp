#pragma once

#include "core/url.hpp"

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
CallRequest parse_call(const url::Params& params);

// What the status of a Dial callback means. Only a callee who answered ends the call: every
// other status, an empty one and one we do not know go on to the next destination, so that a
// caller is never hung up on because of a status Cloudonix added or left out.
enum class DialResult {
  answered,      // completed, answered
  not_answered,  // busy, no-answer, failed, canceled, unknown, empty
  unrecognised,  // anything else: not answered either, and worth a line in the log
};
// `status` as parse_call leaves it (lower case, "noanswer" as "no-answer").
DialResult dial_result(std::string_view status);

// Top-level members of a JSON object as parameters: strings as they are, numbers and booleans
// as their JSON text, SessionData.token as "SessionData.token"; anything else is skipped.
// Malformed, non-object or too deeply nested (over 64 levels) input gives no parameters. Read
// as a stream of tokens, without building a document: it runs for every voice request.
url::Params params_from_json(std::string_view body);

}  // namespace pbx::routing
