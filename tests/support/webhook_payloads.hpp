#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace pbx::testing {

// Seconds since the epoch, as a webhook sender stamps its signatures.
int64_t unix_now();
// A name no other call in this test process returns: "<prefix><pid>-<n>".
std::string unique_name(const std::string& prefix);

// Real-shaped Cloudonix payloads (cloudonix/payloads.hpp) of one fixed call: a session update
// keyed by its eventId, and a CDR keyed by its session token.
nlohmann::json session_update_payload(const std::string& domain, const std::string& token,
                                      const std::string& status, const std::string& event_id,
                                      const std::string& modified = "2026-03-04T10:30:02Z");
nlohmann::json cdr_payload(const std::string& domain, const std::string& token,
                           const std::string& disposition = "ANSWER");

// The same in the older, simplified (OPBX) style, with a recording URL.
nlohmann::json opbx_session_update_payload(const std::string& domain_uuid,
                                           const std::string& session_uuid,
                                           const std::string& state, const std::string& timestamp);
nlohmann::json opbx_cdr_payload(const std::string& domain_uuid, const std::string& session_uuid,
                                const std::string& disposition);

// The headers a tenant's sender puts on a webhook: JSON content type, the HMAC signature over
// "<timestamp>.<body>" and the Cloudonix domain.
std::map<std::string, std::string> signed_webhook_headers(const std::string& secret,
                                                          const std::string& body,
                                                          const std::string& domain,
                                                          int64_t timestamp = unix_now());

}  // namespace pbx::testing
