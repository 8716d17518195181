#include "cloudonix/cdr_record.hpp"

#include "cloudonix/body.hpp"
#include "cloudonix/session_update.hpp"

#include <cctype>

namespace pbx::cloudonix {

namespace {

namespace f = fields;

constexpr std::string_view kDispositionNames[] = {"answered",  "busy",   "no_answer",
                                                  "cancelled", "failed", "other"};

std::string text_or_empty(const nlohmann::json& obj, std::string_view key) {
  return f::text(obj, key).value_or("");
}

const nlohmann::json& object_or_empty(const nlohmann::json* value) {
  static const nlohmann::json empty = nlohmann::json::object();
  return value && value->is_object() ? *value : empty;
}

std::string read_domain(const nlohmann::json& body, const nlohmann::json& session) {
  const auto* domain = f::member(body, "domain");
  if (domain && domain->is_object()) {
    return f::text(*domain, "name").value_or(text_or_empty(*domain, "domain"));
  }
  if (domain) {
    if (auto name = f::as_text(*domain)) return *name;
  }
  return text_or_empty(session, "domain");
}

std::int64_t seconds_or_zero(const nlohmann::json& body, std::string_view key) {
  auto v = f::integer(body, key);
  return v && *v > 0 ? *v : 0;
}

// Seconds up to year 9999, like epoch_millis, so that adding them to an instant cannot overflow.
constexpr std::int64_t kMaxSeconds = 253402300799;

// The OPBX style of the header: no session token or id, but a top-level session_uuid or
// session_id.
bool is_opbx_style(const nlohmann::json& body, const nlohmann::json& session) {
  if (f::text(session, "token") || f::text(session, "id")) return false;
  return f::text(body, "session_uuid") || f::text(body, "session_id");
}

// Where the call's own direction is sent: in the session object, or at the top for OPBX.
const nlohmann::json& direction_source(const nlohmann::json& body, const nlohmann::json& session) {
  return is_opbx_style(body, session) ? body : session;
}

void read_native_times(const nlohmann::json& body, const nlohmann::json& session, CdrRecord& r) {
  r.duration = seconds_or_zero(body, "duration");
  r.started_at = f::epoch_millis(session, "callStartTime");
  if (!r.started_at) {
    auto ts = f::integer(body, "timestamp");
    if (ts && *ts > 0 && *ts <= kMaxSeconds) r.started_at = Timestamp{std::chrono::seconds{*ts}};
  }
  r.answered_at = f::epoch_millis(session, "callAnswerTime");
  r.ended_at = f::epoch_millis(session, "callEndTime");
  if (!r.ended_at && r.started_at && r.duration <= kMaxSeconds) {
    r.ended_at = *r.started_at + std::chrono::seconds{r.duration};
  }
}

void read_opbx_times(const nlohmann::json& body, CdrRecord& r) {
  using std::chrono::seconds;
  r.started_at = f::iso8601(body, "start_time");
  r.ended_at = f::iso8601(body, "end_time");
  if (f::integer(body, "duration")) {
    r.duration = seconds_or_zero(body, "duration");
  } else if (r.started_at && r.ended_at && *r.ended_at > *r.started_at) {
    r.duration = std::chrono::floor<seconds>(*r.ended_at - *r.started_at).count();
  }
  if (r.duration > kMaxSeconds) return;
  // Derived instants stay within years 1 to 9999, as parse_iso8601 guarantees for sent ones.
  auto in_range = [](Timestamp t) { return parse_iso8601(to_iso8601(t)); };
  if (!r.ended_at && r.started_at) r.ended_at = in_range(*r.started_at + seconds{r.duration});
  if (!r.started_at && r.ended_at) r.started_at = in_range(*r.ended_at - seconds{r.duration});
}

}  // namespace

bool is_extension_number(std::string_view s) {
  if (s.size() < 2 || s.size() > 8) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view to_string(Disposition d) {
  auto i = static_cast<std::size_t>(d);
  return i < std::size(kDispositionNames) ? kDispositionNames[i] : "other";
}

std::optional<Disposition> parse_disposition(std::string_view public_name) {
  for (std::size_t i = 0; i < std::size(kDispositionNames); ++i) {
    if (kDispositionNames[i] == public_name) return static_cast<Disposition>(i);
  }
  return std::nullopt;
}

Disposition normalise_disposition(std::string_view raw) {
  std::string key;
  for (char c : raw) {
    if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
    key.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (key == "ANSWER" || key == "ANSWERED" || key == "CONNECTED") return Disposition::answered;
  if (key == "BUSY") return Disposition::busy;
  if (key == "NOANSWER") return Disposition::no_answer;
  if (key == "CANCEL" || key == "CANCELLED" || key == "CANCELED") return Disposition::cancelled;
  if (key == "FAILED" || key == "CONGESTION" || key == "ERROR" || key == "NOCREDIT") {
    return Disposition::failed;
  }
  return Disposition::other;
}

std::string_view terminal_status(Disposition d) {
  switch (d) {
    case Disposition::answered:
      return "completed";
    case Disposition::busy:
      return "busy";
    case Disposition::no_answer:
      return "noanswer";
    case Disposition::cancelled:
      return "cancel";
    case Disposition::failed:
      return "failed";
    case Disposition::other:
      break;
  }
  return "external";
}

Direction cdr_direction(const nlohmann::json& body) {
  const auto& session = object_or_empty(f::member(body, "session"));
  if (auto d = f::text(direction_source(body, session), "direction")) {
    auto known = direction_from_session(*d);
    if (known != Direction::unknown) return known;
  }
  if (f::text(body, "subscriber")) {
    return is_extension_number(text_or_empty(body, "to")) ? Direction::internal
                                                          : Direction::outbound;
  }
  if (f::text(body, "application")) return Direction::inbound;
  return Direction::unknown;
}

CdrRecord parse_cdr(const nlohmann::json& body) {
  if (!body.is_object()) throw CdrError("CDR must be a JSON object");
  const auto& session = object_or_empty(f::member(body, "session"));
  const bool opbx = is_opbx_style(body, session);

  CdrRecord r;
  r.call_id = text_or_empty(body, "call_id");
  auto token = opbx ? f::text(body, "session_uuid") : f::text(session, "token");
  if (!token) token = opbx ? f::text(body, "session_id") : f::text(session, "id");
  r.session_token = token.value_or(r.call_id);
  if (r.session_token.empty()) {
    throw CdrError("CDR has neither session.token nor call_id (nor session_uuid nor session_id)");
  }
  if (r.session_token.size() > kMaxKeyLength) {
    throw CdrError("CDR session token longer than " + std::to_string(kMaxKeyLength) +
                   " characters");
  }
  r.dedupe_key = r.session_token;

  r.domain = read_domain(body, session);
  if (opbx) {
    r.domain_uuid = text_or_empty(body, "domain_uuid");
  } else {
    const auto& owner_domain =
        object_or_empty(f::member(object_or_empty(f::member(body, "owner")), "domain"));
    r.domain_uuid = text_or_empty(owner_domain, "uuid");
  }
  r.from = text_or_empty(body, "from");
  r.to = text_or_empty(body, "to");
  r.direction = cdr_direction(body);
  r.disposition_raw = text_or_empty(body, "disposition");
  r.disposition = normalise_disposition(r.disposition_raw);

  r.billsec = seconds_or_zero(body, "billsec");
  if (opbx) {
    read_opbx_times(body, r);
  } else {
    read_native_times(body, session, r);
  }
  r.answered = r.disposition == Disposition::answered || r.billsec > 0 || r.answered_at.has_value();

  r.cost = f::decimal(body, "rated_cost");
  if (!r.cost) r.cost = f::decimal(body, "sell_cost");
  if (!r.cost) r.cost = f::decimal(body, "approx_cost");
  r.subscriber = text_or_empty(body, "subscriber");
  r.application = text_or_empty(body, "application");
  r.raw = dump_for_storage(body);
  return r;
}

}  // namespace pbx::cloudonix
