#pragma once

// Session-update webhook bodies (docs/cloudonix-protocol.md section 2), parsed leniently into
// normalised values. Pure: no I/O, never throws on any JSON value.
//
// Two payload styles are accepted, told apart by the identifying fields an element carries:
//  - native: it has `token` or `id` (whatever else it holds);
//  - OPBX (the older, simplified style): it has neither, but `session_uuid` or `session_id`.
// Native identifiers win, so a native payload is never read as OPBX. An OPBX element maps onto
// the same fields:
//   session_uuid, else session_id -> session_token    session_id (numeric) -> id
//   domain_uuid -> domain_uuid (names the tenant)       from -> caller_id, to -> destination
//   direction -> direction_raw / direction, as native   state -> status (status_from_state)
//   timestamp (ISO-8601) -> modified_at, the event time
// and the event time also dates the call where the state says what happened then: `new` or
// `processing` -> call_start_time, `connected` / `answer` -> call_answer_time, a terminal
// status -> call_end_time. Other fields of that style are kept only in `raw`.

#include "cloudonix/direction.hpp"
#include "cloudonix/fields.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pbx::cloudonix {

// Longest session token or dedupe key accepted: they are unique-index keys in Postgres.
inline constexpr std::size_t kMaxKeyLength = 256;

// Most elements one body's array may hold. Cloudonix sends one or a few per delivery; a larger
// array is refused whole before any element is read, so that one body cannot grow a writer
// batch into a statement that times out for every tenant in it.
inline constexpr std::size_t kMaxSessionUpdatesPerBody = 100;

struct SessionUpdate {
  std::string session_token;  // `token`, else `id` as decimal text (OPBX: see above); never empty
  std::string dedupe_key;     // see session_update_dedupe_key; never empty

  std::optional<std::string> event_id;  // `eventId`
  std::optional<std::int64_t> id;       // `id`
  std::string domain;                   // `domain` as a string, or its object's `name` / `domain`
  // the `domain` object's `uuid` / `id`, when an object was sent (OPBX: `domain_uuid`)
  std::string domain_uuid;
  std::optional<std::int64_t> domain_id;  // `domainId`
  std::string subscriber_id;              // `subscriberId` as text
  std::string caller_id;                  // `callerId`
  std::string destination;                // `destination`
  std::string direction_raw;  // `direction` lower-cased, as sent otherwise ("" when absent)
  Direction direction = Direction::unknown;  // see direction_from_session
  std::string status;                        // lower-cased, kept even when unknown; "" when absent
  std::string action;
  std::string reason;
  std::string last_error;  // `lastError` as text (objects are kept only in `raw`)

  std::optional<Timestamp> created_at;   // `createdAt`, ISO-8601
  std::optional<Timestamp> modified_at;  // `modifiedAt`, ISO-8601
  std::string modified_at_raw;           // `modifiedAt` as sent, for unparseable values
  // Epoch milliseconds on the wire; 0, null and "0" mean "has not happened".
  std::optional<Timestamp> call_start_time;
  std::optional<Timestamp> call_answer_time;
  std::optional<Timestamp> call_end_time;
  std::optional<std::int64_t> time_limit;  // `timeLimit`, seconds
  std::vector<std::string> call_ids;       // `callIds` (SIP Call-IDs), strings only

  std::string raw;  // this element's JSON text, for storage
};

// One element of a body: either `update` or a non-empty `error` (the caller dead-letters
// `raw` with that error). `index` is the position in the body array (0 for an object body).
struct SessionUpdateItem {
  std::size_t index = 0;
  std::optional<SessionUpdate> update;
  std::string error;
  std::string raw;

  bool ok() const { return update.has_value(); }
};

// A body that is an object gives one item; an array gives one item per element, in order
// (an empty array gives none). Any other JSON value, and an array of more than
// kMaxSessionUpdatesPerBody elements, gives one item with an error (its `raw` the whole body).
// Errors per element: not an object; no identifier of either style; token too long.
std::vector<SessionUpdateItem> parse_session_updates(const nlohmann::json& body);

// One element; the same rules as above.
SessionUpdateItem parse_session_update(const nlohmann::json& element, std::size_t index = 0);

// The de-duplication key of an update, stable across repeated deliveries:
//   "e:<eventId>" when an eventId was sent, else
//   "s:<token>|<status>|<modifiedAt>" with modifiedAt normalised by to_iso8601 when it parses
//   (so equal instants in different spellings collide), else as sent, else empty.
// Keys longer than kMaxKeyLength become "h:<sha256 hex of the key>".
std::string session_update_dedupe_key(const SessionUpdate& update);

}  // namespace pbx::cloudonix
