#include "cloudonix/payloads.hpp"

#include "cloudonix/cdr_record.hpp"
#include "cloudonix/fields.hpp"
#include "cloudonix/signature.hpp"

#include <cctype>
#include <chrono>

namespace pbx::cloudonix {

namespace {

std::string iso(std::int64_t ms) { return to_iso8601(Timestamp(std::chrono::milliseconds(ms))); }

nlohmann::json millis(std::int64_t ms) { return ms ? nlohmann::json(ms) : nlohmann::json(); }

std::int64_t seconds(std::int64_t ms) { return ms / 1000; }

// The call's last moment: its end, or its start while it has not ended.
std::int64_t end_of(const CallFacts& call) { return call.end_ms ? call.end_ms : call.start_ms; }

nlohmann::json session_object(const CallFacts& call, const std::string& status) {
  nlohmann::json body = nlohmann::json::object();
  if (call.id) body["id"] = call.id;
  body.update({{"token", call.session},
               {"domain", call.domain},
               {"callerId", call.from},
               {"destination", call.to},
               {"direction", session_direction(call)},
               {"status", status},
               {"createdAt", iso(call.start_ms)},
               {"callStartTime", call.start_ms},
               {"callAnswerTime", millis(call.answer_ms)},
               {"callEndTime", millis(call.end_ms)},
               {"callIds", {call.call_id}}});
  return body;
}

}  // namespace

std::string session_direction(const CallFacts& call) {
  if (call.direction == "inbound") return "incoming";
  if (call.direction == "outbound-api") return "application";
  return is_extension_number(call.to) ? "internal" : "outgoing";
}

std::string cdr_disposition(const std::string& status) {
  if (status == "completed") return "ANSWER";
  std::string out = status;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

nlohmann::json voice_parameters(const CallFacts& call) {
  return {{"ApiVersion", "1"},       {"CallSid", call.session},
          {"Session", call.session}, {"From", call.from},
          {"To", call.to},           {"Direction", call.direction},
          {"Domain", call.domain},   {"AccountSid", call.domain}};
}

nlohmann::json session_update(const CallFacts& call, const std::string& status, std::int64_t at_ms,
                              const std::string& event_id) {
  auto body = session_object(call, status);
  body["eventId"] = event_id;
  body["modifiedAt"] = iso(at_ms);
  return body;
}

nlohmann::json cdr(const CallFacts& call, const std::string& disposition,
                   const std::string& status) {
  std::int64_t end = end_of(call);
  nlohmann::json body = {
      {"timestamp", seconds(call.start_ms)},
      {"domain", call.domain},
      {"subscriber", call.direction == "subscriber" ? nlohmann::json(call.from) : nullptr},
      {"application",
       call.application.empty() ? nlohmann::json() : nlohmann::json(call.application)},
      {"from", call.from},
      {"to", call.to},
      {"disposition", disposition},
      {"duration", seconds(end - call.start_ms)},
      {"billsec", call.answer_ms ? seconds(end - call.answer_ms) : 0},
      {"call_id", call.call_id},
      {"session", session_object(call, status)}};
  body["session"]["callAnswerTime"] = call.answer_ms;  // CDRs say 0 for unanswered
  return body;
}

nlohmann::json opbx_session_update(const CallFacts& call, const std::string& domain_uuid,
                                   const std::string& state, const std::string& timestamp) {
  return {{"session_id", call.id},
          {"session_uuid", call.session},
          {"domain_uuid", domain_uuid},
          {"direction", session_direction(call)},
          {"from", call.from},
          {"to", call.to},
          {"state", state},
          {"timestamp", timestamp}};
}

nlohmann::json opbx_cdr(const CallFacts& call, const std::string& domain_uuid,
                        const std::string& disposition) {
  return {{"session_id", call.id},
          {"session_uuid", call.session},
          {"domain_uuid", domain_uuid},
          {"from", call.from},
          {"to", call.to},
          {"duration", seconds(end_of(call) - call.start_ms)},
          {"disposition", disposition},
          {"start_time", iso(call.start_ms)},
          {"end_time", iso(end_of(call))}};
}

HeaderList signed_webhook_headers(const std::string& secret, const std::string& body,
                                  const std::string& domain, std::int64_t now_unix) {
  auto s = sign(secret, body, now_unix);
  return {{std::string(kSignatureHeader), s.signature},
          {std::string(kTimestampHeader), s.timestamp},
          {"X-CX-Domain", domain}};
}

}  // namespace pbx::cloudonix
