#include "simulator/reports.hpp"

#include "cloudonix/cdr_record.hpp"
#include "cloudonix/fields.hpp"
#include "cloudonix/signature.hpp"
#include "core/crypto.hpp"
#include "core/url.hpp"

#include <cctype>
#include <chrono>

namespace pbx::simulator {

namespace {

std::string iso(std::int64_t ms) {
  return cloudonix::to_iso8601(cloudonix::Timestamp(std::chrono::milliseconds(ms)));
}

nlohmann::json millis(std::int64_t ms) { return ms ? nlohmann::json(ms) : nlohmann::json(); }

nlohmann::json session_object(const CallFacts& call, const std::string& status) {
  return {{"token", call.session},
          {"domain", call.domain},
          {"callerId", call.from},
          {"destination", call.to},
          {"direction", session_direction(call)},
          {"status", status},
          {"createdAt", iso(call.start_ms)},
          {"callStartTime", call.start_ms},
          {"callAnswerTime", millis(call.answer_ms)},
          {"callEndTime", millis(call.end_ms)},
          {"callIds", {call.call_id}}};
}

}  // namespace

std::string terminal_status(bool answered, const std::optional<std::string>& reject_reason,
                            std::optional<DialOutcome::Kind> last_dial) {
  using Kind = DialOutcome::Kind;
  if (answered) return "completed";
  if (reject_reason) {
    if (*reject_reason == "congestion" || *reject_reason == "failed") return *reject_reason;
    return "busy";
  }
  if (last_dial == Kind::busy) return "busy";
  if (last_dial == Kind::failed) return "failed";
  return "noanswer";
}

std::string cdr_disposition(const std::string& status) {
  if (status == "completed") return "ANSWER";
  std::string out = status;
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string session_direction(const CallFacts& call) {
  if (call.direction == "inbound") return "incoming";
  if (call.direction == "outbound-api") return "application";
  return cloudonix::is_extension_number(call.to) ? "internal" : "outgoing";
}

nlohmann::json session_update(const CallFacts& call, const std::string& status,
                              std::int64_t at_ms) {
  auto body = session_object(call, status);
  body["eventId"] = crypto::uuid_v4();
  body["modifiedAt"] = iso(at_ms);
  return body;
}

nlohmann::json cdr(const CallFacts& call, const std::string& disposition,
                   const std::string& status) {
  auto seconds = [](std::int64_t ms) { return ms / 1000; };
  std::int64_t end = call.end_ms ? call.end_ms : call.start_ms;
  nlohmann::json body = {
      {"timestamp", seconds(call.start_ms)},
      {"domain", call.domain},
      {"subscriber", call.direction == "subscriber" ? nlohmann::json(call.from) : nullptr},
      {"application", "pbx-simulator"},
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

WebhookRequest webhook_request(WebhookKind kind, const WebhookAuth& auth, const std::string& body,
                               std::int64_t now_unix) {
  WebhookRequest out{kind == WebhookKind::cdr ? "/api/webhooks/cloudonix/cdr"
                                              : "/api/webhooks/cloudonix/session-update",
                     {{"Content-Type", "application/json"}}};
  if (auth.mode == "hmac") {
    auto signed_headers = cloudonix::sign(auth.secret, body, now_unix);
    out.headers.emplace_back(std::string(cloudonix::kSignatureHeader), signed_headers.signature);
    out.headers.emplace_back(std::string(cloudonix::kTimestampHeader), signed_headers.timestamp);
    out.headers.emplace_back("X-CX-Domain", auth.domain);
  } else if (auth.mode == "bearer" || kind == WebhookKind::session_update) {
    out.headers.emplace_back("Authorization", "Bearer " + auth.key);
  } else if (!auth.token.empty()) {
    out.path += "?token=" + url::percent_encode(auth.token);
  }
  return out;
}

}  // namespace pbx::simulator
