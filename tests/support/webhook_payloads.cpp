#include "support/webhook_payloads.hpp"

#include "cloudonix/payloads.hpp"
#include "core/text.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace pbx::testing {

namespace {

// One call of the tests' webhooks: 60 s from 2026-03-04T10:30:00Z, answered after 10 s.
cloudonix::CallFacts call(const std::string& domain, const std::string& token) {
  cloudonix::CallFacts c;
  c.session = token;
  c.call_id = token + "@sip";
  c.domain = domain;
  c.from = "+14155550142";
  c.to = "+12125550100";
  c.direction = "inbound";
  c.start_ms = 1772620200000;
  c.answer_ms = 1772620210000;
  c.end_ms = 1772620260000;
  c.id = 48211907;
  return c;
}

// The OPBX calls: 187 s from 2026-03-04T10:30:00Z.
cloudonix::CallFacts opbx_call(const std::string& session_uuid) {
  auto c = call("", session_uuid);
  c.end_ms = c.start_ms + 187000;
  return c;
}

}  // namespace

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
  auto c = call(domain, token);
  c.answer_ms = c.end_ms = 0;  // while the call goes on
  auto body = cloudonix::session_update(c, status, c.start_ms, event_id);
  body["modifiedAt"] = modified;  // as given, so that a test can send any text there
  return body;
}

nlohmann::json cdr_payload(const std::string& domain, const std::string& token,
                           const std::string& disposition) {
  auto status = disposition == "ANSWER" ? "completed" : text::to_lower(disposition);
  return cloudonix::cdr(call(domain, token), disposition, status);
}

nlohmann::json opbx_session_update_payload(const std::string& domain_uuid,
                                           const std::string& session_uuid,
                                           const std::string& state, const std::string& timestamp) {
  return cloudonix::opbx_session_update(opbx_call(session_uuid), domain_uuid, state, timestamp);
}

nlohmann::json opbx_cdr_payload(const std::string& domain_uuid, const std::string& session_uuid,
                                const std::string& disposition) {
  auto body = cloudonix::opbx_cdr(opbx_call(session_uuid), domain_uuid, disposition);
  body["recording_url"] = "https://recordings.example/" + session_uuid + ".mp3";
  return body;
}

std::map<std::string, std::string> signed_webhook_headers(const std::string& secret,
                                                          const std::string& body,
                                                          const std::string& domain,
                                                          int64_t timestamp) {
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
  for (auto& [name, value] : cloudonix::signed_webhook_headers(secret, body, domain, timestamp)) {
    headers.emplace(std::move(name), std::move(value));
  }
  return headers;
}

}  // namespace pbx::testing
