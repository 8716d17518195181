#pragma once

// CDR webhook bodies (docs/cloudonix-protocol.md section 3), parsed leniently into one normalised
// record. Pure: no I/O.
//
// Two payload styles are accepted, told apart by the identifying fields the body carries:
//  - native: its `session` names the call (`session.token` or `session.id`), or it has no
//    `session_uuid` / `session_id` at the top level (then `call_id` identifies it);
//  - OPBX (the older, simplified style): no session token or id, but a top-level
//    `session_uuid` or `session_id`.
// Native CDRs never carry those top-level fields, so they read exactly as before. An OPBX CDR
// maps onto the same record:
//   session_uuid, else session_id -> session_token (the token its session updates carry)
//   domain_uuid -> domain_uuid       from, to, call_id, domain -> as native
//   direction (when sent) -> direction, else the rules of cdr_direction
//   disposition (lower case: answered, busy, "no answer"...) -> normalise_disposition, as native
//   start_time, end_time (ISO-8601) -> started_at, ended_at; either one missing is derived
//   from the other and `duration`
//   duration -> duration, else end_time - start_time
//   billsec -> billsec when sent, else 0: the style has no answer time and its duration
//   includes ringing, so copying it would count ringing as talk time
// There is no answered_at. `recording_url` and anything else are kept only in `raw`.

#include "cloudonix/direction.hpp"
#include "cloudonix/fields.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pbx::cloudonix {

// The normalised dispositions of the admin API.
enum class Disposition { answered, busy, no_answer, cancelled, failed, other };

// An extension-style number (2-8 digits): a call to one is internal.
bool is_extension_number(std::string_view s);

std::string_view to_string(Disposition d);  // "answered", "busy", "no_answer", ...
std::optional<Disposition> parse_disposition(std::string_view public_name);  // the inverse

// Cloudonix's disposition, case-insensitive, ignoring spaces, '_' and '-':
//   ANSWER, ANSWERED, CONNECTED -> answered      BUSY -> busy
//   NOANSWER (NO ANSWER, NO_ANSWER, no-answer) -> no_answer
//   CANCEL, CANCELLED, CANCELED -> cancelled
//   FAILED, CONGESTION, ERROR, NOCREDIT -> failed
//   anything else (EXTERNAL, unknown, empty) -> other
Disposition normalise_disposition(std::string_view raw);

// The session status that a CDR of this disposition implies, for feeding the call state
// machine when the CDR (the final word on a call) arrives: answered -> "completed",
// busy -> "busy", no_answer -> "noanswer", cancelled -> "cancel", failed -> "failed",
// other -> "external".
std::string_view terminal_status(Disposition d);

struct CdrRecord {
  // session.token, else session.id (as the session-update parser does), else call_id
  // (OPBX: session_uuid, else session_id).
  std::string session_token;
  std::string dedupe_key;  // == session_token: one CDR per call, repeats are duplicates
  std::string call_id;     // SIP Call-ID; "" when absent

  std::string domain;       // `domain` (a name, or an object's name/domain), else session's
  std::string domain_uuid;  // owner.domain.uuid (OPBX: domain_uuid)
  std::string from;
  std::string to;
  Direction direction = Direction::unknown;  // see cdr_direction
  std::string disposition_raw;               // as sent (trimmed); "" when absent
  Disposition disposition = Disposition::other;

  // session.callStartTime, else `timestamp` (both fixtures show the CDR timestamp equal to
  // the call's start, so it is not the end time).
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> answered_at;  // session.callAnswerTime; 0 or absent: unanswered
  // session.callEndTime, else started_at + duration.
  std::optional<Timestamp> ended_at;
  std::int64_t duration = 0;  // seconds, ringing included; absent or negative -> 0
  std::int64_t billsec = 0;   // seconds answered; absent or negative -> 0
  bool answered = false;      // disposition answered, or billsec > 0, or answered_at set
  // rated_cost, else sell_cost, else approx_cost: decimal text for a numeric column.
  std::optional<std::string> cost;
  std::string subscriber;   // `subscriber` as text ("" when null)
  std::string application;  // `application` as text

  std::string raw;  // the whole body's JSON text
};

// "Cannot process": the caller stores the body as a dead letter with what() as the error.
class CdrError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CdrError when the body is not an object, identifies no call (no session token,
// session id or call_id, nor session_uuid or session_id), or its identifier is longer than
// cloudonix::kMaxKeyLength.
// Any field of the wrong type or unparseable is treated as absent.
CdrRecord parse_cdr(const nlohmann::json& body);

// The direction rule, first match wins:
//  1. session.direction (OPBX: the top-level `direction`) when it is a known Cloudonix
//     direction (see direction_from_session);
//  2. a `subscriber` is set: one of the domain's own phones placed the call, so internal when
//     `to` is an extension-style number (2-8 digits, no '+'), else outbound;
//  3. an `application` is set (and no subscriber): a trunk call handed to a voice app, inbound;
//  4. otherwise unknown.
Direction cdr_direction(const nlohmann::json& body);

}  // namespace pbx::cloudonix
