#include "cloudonix/session_update.hpp"

#include "cloudonix/body.hpp"
#include "cloudonix/call_state.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"

#include <cctype>

namespace pbx::cloudonix {

namespace {

namespace f = fields;

std::string text_or_empty(const nlohmann::json& obj, std::string_view key) {
  return f::text(obj, key).value_or("");
}

// `domain` is usually a name; some senders nest {name|domain, uuid|id}.
void read_domain(const nlohmann::json& element, SessionUpdate& u) {
  const auto* domain = f::member(element, "domain");
  if (!domain) return;
  if (!domain->is_object()) {
    u.domain = f::as_text(*domain).value_or("");
    return;
  }
  u.domain = f::text(*domain, "name").value_or(text_or_empty(*domain, "domain"));
  u.domain_uuid = f::text(*domain, "uuid").value_or(text_or_empty(*domain, "id"));
}

std::vector<std::string> read_call_ids(const nlohmann::json& element) {
  std::vector<std::string> out;
  const auto* ids = f::member(element, "callIds");
  if (!ids) return out;
  if (ids->is_string()) {
    if (auto t = f::as_text(*ids)) out.push_back(*t);
    return out;
  }
  if (!ids->is_array()) return out;
  for (const auto& id : *ids) {
    if (id.is_string()) {
      if (auto t = f::as_text(id)) out.push_back(*t);
    }
  }
  return out;
}

void read_native(const nlohmann::json& element, SessionUpdate& u) {
  u.id = f::integer(element, "id");
  u.event_id = f::text(element, "eventId");
  read_domain(element, u);
  u.domain_id = f::integer(element, "domainId");
  u.subscriber_id = text_or_empty(element, "subscriberId");
  u.caller_id = text_or_empty(element, "callerId");
  u.destination = text_or_empty(element, "destination");
  u.direction_raw = text::to_lower(text_or_empty(element, "direction"));
  u.status = text::to_lower(text_or_empty(element, "status"));
  u.action = text_or_empty(element, "action");
  u.reason = text_or_empty(element, "reason");
  u.last_error = text_or_empty(element, "lastError");

  u.created_at = f::iso8601(element, "createdAt");
  u.modified_at = f::iso8601(element, "modifiedAt");
  u.modified_at_raw = text_or_empty(element, "modifiedAt");
  u.call_start_time = f::epoch_millis(element, "callStartTime");
  u.call_answer_time = f::epoch_millis(element, "callAnswerTime");
  u.call_end_time = f::epoch_millis(element, "callEndTime");
  u.time_limit = f::integer(element, "timeLimit");
  u.call_ids = read_call_ids(element);
}

void read_opbx(const nlohmann::json& element, SessionUpdate& u) {
  u.id = f::integer(element, "session_id");
  u.domain_uuid = text_or_empty(element, "domain_uuid");
  u.caller_id = text_or_empty(element, "from");
  u.destination = text_or_empty(element, "to");
  u.direction_raw = text::to_lower(text_or_empty(element, "direction"));
  u.status = status_from_state(text_or_empty(element, "state"));
  u.modified_at = f::iso8601(element, "timestamp");
  u.modified_at_raw = text_or_empty(element, "timestamp");

  const auto rank = status_rank(u.status);
  if (u.status == "new" || u.status == "processing") u.call_start_time = u.modified_at;
  if (rank == status_rank("connected")) u.call_answer_time = u.modified_at;
  if (rank == kRankTerminal) u.call_end_time = u.modified_at;
}

}  // namespace

std::string session_update_dedupe_key(const SessionUpdate& u) {
  std::string key;
  if (u.event_id) {
    key = "e:" + *u.event_id;
  } else {
    auto modified = u.modified_at ? to_iso8601(*u.modified_at) : u.modified_at_raw;
    key = "s:" + u.session_token + "|" + u.status + "|" + modified;
  }
  if (key.size() > kMaxKeyLength) key = "h:" + crypto::to_hex(crypto::sha256(key));
  return key;
}

SessionUpdateItem parse_session_update(const nlohmann::json& element, std::size_t index) {
  SessionUpdateItem item;
  item.index = index;
  item.raw = dump_for_storage(element);
  if (!element.is_object()) {
    item.error = "session update must be a JSON object";
    return item;
  }

  // The style rule of the header: the native identifiers, then OPBX's.
  bool opbx = false;
  auto token = f::text(element, "token");
  if (!token) token = f::text(element, "id");
  if (!token) {
    token = f::text(element, "session_uuid");
    if (!token) token = f::text(element, "session_id");
    opbx = token.has_value();
  }
  if (!token) {
    item.error = "session update has neither token nor id (nor session_uuid nor session_id)";
    return item;
  }
  if (token->size() > kMaxKeyLength) {
    item.error = "session token longer than " + std::to_string(kMaxKeyLength) + " characters";
    return item;
  }

  SessionUpdate u;
  u.raw = item.raw;
  u.session_token = *token;
  if (opbx) {
    read_opbx(element, u);
  } else {
    read_native(element, u);
  }
  u.direction = direction_from_session(u.direction_raw);
  u.dedupe_key = session_update_dedupe_key(u);
  item.update = std::move(u);
  return item;
}

std::vector<SessionUpdateItem> parse_session_updates(const nlohmann::json& body) {
  std::vector<SessionUpdateItem> items;
  if (!body.is_array()) {
    items.push_back(parse_session_update(body, 0));
    if (!body.is_object()) items.back().error = "body must be a JSON object or array of objects";
    return items;
  }
  if (body.size() > kMaxSessionUpdatesPerBody) {
    SessionUpdateItem whole;
    whole.raw = dump_for_storage(body);
    whole.error = "a session-update array holds at most " +
                  std::to_string(kMaxSessionUpdatesPerBody) + " elements; this one holds " +
                  std::to_string(body.size());
    items.push_back(std::move(whole));
    return items;
  }
  items.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) items.push_back(parse_session_update(body[i], i));
  return items;
}

}  // namespace pbx::cloudonix
