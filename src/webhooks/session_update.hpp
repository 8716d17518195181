#pragma once

// Session-update webhook bodies (docs/cloudonix-protocol.md section 2), parsed leniently into
// normalised values. Pure: no I/O, never throws on any JSON value.

#include "webhooks/direction.hpp"
#include "webhooks/fields.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pbx::webhooks {

// Longest session token or dedupe key accepted: they are unique-index keys in Postgres.
inline constexpr std::size_t kMaxKeyLength = 256;

struct SessionUpdate {
  std::string session_token;  // `token`, else `id` as decimal text; never empty
  std::string dedupe_key;     // see session_update_dedupe_key; never empty

  std::optional<std::string> event_id;  // `eventId`
  std::optional<std::int64_t> id;       // `id`
  std::string domain;                   // `domain` as a string, or its object's `name` / `domain`
  std::string domain_uuid;  // the `domain` object's `uuid` / `id`, when an object was sent
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
// (an empty array gives none). Any other JSON value gives one item with an error.
// Errors per element: not an object; neither `token` nor `id`; token or key too long.
std::vector<SessionUpdateItem> parse_session_updates(const nlohmann::json& body);

// One element; the same rules as above.
SessionUpdateItem parse_session_update(const nlohmann::json& element, std::size_t index = 0);

// The de-duplication key of an update, stable across repeated deliveries:
//   "e:<eventId>" when an eventId was sent, else
//   "s:<token>|<status>|<modifiedAt>" with modifiedAt normalised by to_iso8601 when it parses
//   (so equal instants in different spellings collide), else as sent, else empty.
// Keys longer than kMaxKeyLength become "h:<sha256 hex of the key>".
std::string session_update_dedupe_key(const SessionUpdate& update);

}  // namespace pbx::webhooks
