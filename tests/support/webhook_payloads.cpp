#include "support/webhook_payloads.hpp"

#include "cloudonix/signature.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace pbx::testing {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

nlohmann::json session_update_payload(const std::string& domain, const std::string& token,
                                      const std::string& status, const std::string& event_id,
                                      const std::string& modified) {
  return {{"id", 48211907},
          {"eventId", event_id},
          {"domain", domain},
          {"callerId", "+14155550142"},
          {"destination", "+12125550100"},
          {"direction", "incoming"},
          {"token", token},
          {"status", status},
          {"modifiedAt", modified},
          {"callStartTime", 1772620200000}};
}

nlohmann::json cdr_payload(const std::string& domain, const std::string& token,
                           const std::string& disposition) {
  return {{"timestamp", 1772620200},
          {"domain", domain},
          {"from", "+14155550142"},
          {"to", "+12125550100"},
          {"disposition", disposition},
          {"duration", 60},
          {"billsec", 50},
          {"call_id", token + "@sip"},
          {"rated_cost", "0.01"},
          {"session",
           {{"token", token},
            {"callStartTime", 1772620200000},
            {"callAnswerTime", 1772620210000},
            {"callEndTime", 1772620260000}}}};
}

nlohmann::json opbx_session_update_payload(const std::string& domain_uuid,
                                           const std::string& session_uuid,
                                           const std::string& state, const std::string& timestamp) {
  return {{"session_id", 48211907},  {"session_uuid", session_uuid}, {"domain_uuid", domain_uuid},
          {"direction", "incoming"}, {"from", "+14155550142"},       {"to", "+12125550100"},
          {"state", state},          {"timestamp", timestamp}};
}

nlohmann::json opbx_cdr_payload(const std::string& domain_uuid, const std::string& session_uuid,
                                const std::string& disposition) {
  return {{"session_id", 48211907},
          {"session_uuid", session_uuid},
          {"domain_uuid", domain_uuid},
          {"from", "+14155550142"},
          {"to", "+12125550100"},
          {"duration", 187},
          {"disposition", disposition},
          {"start_time", "2026-03-04T10:30:00Z"},
          {"end_time", "2026-03-04T10:33:07Z"},
          {"recording_url", "https://recordings.example/" + session_uuid + ".mp3"}};
}

std::map<std::string, std::string> signed_webhook_headers(const std::string& secret,
                                                          const std::string& body,
                                                          const std::string& domain,
                                                          int64_t timestamp) {
  auto s = cloudonix::sign(secret, body, timestamp);
  return {{"Content-Type", "application/json"},
          {"X-Cloudonix-Signature", s.signature},
          {"X-Cloudonix-Timestamp", s.timestamp},
          {"X-CX-Domain", domain}};
}

}  // namespace pbx::testing
