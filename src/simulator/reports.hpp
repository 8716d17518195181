#pragma once

// The session updates and the CDR that Cloudonix would send for a simulated call
// (docs/cloudonix-protocol.md sections 2 and 3), and how they are authenticated (section 4). Pure.

#include "simulator/script.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pbx::simulator {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What is known of the call when a report is sent. Times are epoch milliseconds on the
// simulator's virtual clock; 0 = has not happened.
struct CallFacts {
  std::string session;  // the token, also CallSid
  std::string call_id;  // the SIP Call-ID
  std::string domain;
  std::string from;
  std::string to;
  std::string direction;  // voice request direction: inbound, subscriber, outbound-api
  std::int64_t start_ms = 0;
  std::int64_t answer_ms = 0;
  std::int64_t end_ms = 0;
};

// The session direction Cloudonix reports: inbound -> incoming, outbound-api -> application,
// subscriber -> internal when `to` is an extension-style number (2-8 digits), else outgoing.
std::string session_direction(const CallFacts& call);

// How the call ended, as its terminal session status: completed when a Dial was answered;
// else by the Reject reason (busy and rejected: busy, congestion, failed); else by the last
// Dial (busy, failed, noanswer); else noanswer: nobody answered, whatever the application
// played (Say, Play, Record do not count as answering here).
std::string terminal_status(bool answered, const std::optional<std::string>& reject_reason,
                            std::optional<DialOutcome::Kind> last_dial);

// The CDR disposition of a terminal status: completed -> ANSWER, else the status in capitals.
std::string cdr_disposition(const std::string& status);

// One session-update object with a fresh eventId, modified at `at_ms`.
nlohmann::json session_update(const CallFacts& call, const std::string& status, std::int64_t at_ms);

// The CDR: disposition (ANSWER, NOANSWER, BUSY, ...), duration and billsec in whole seconds
// from the call's times, the session object with the terminal `status`.
nlohmann::json cdr(const CallFacts& call, const std::string& disposition,
                   const std::string& status);

enum class WebhookKind { session_update, cdr };

// How the simulated Cloudonix authenticates its webhooks.
struct WebhookAuth {
  // "cloudonix", as real Cloudonix does: the requests key as a bearer on session updates, and
  // no credential of its own on CDRs, whose URL carries ?token= when a token is given;
  // "hmac": X-Cloudonix-Signature and X-Cloudonix-Timestamp (real time, for replay
  // protection) and X-CX-Domain on both; "bearer": the requests key on both.
  std::string mode = "cloudonix";
  std::string key;     // the tenant's requests API key
  std::string secret;  // hmac: the tenant's webhook secret
  std::string token;   // cloudonix: the tenant's webhook token; empty sends CDRs bare
  std::string domain;  // hmac: the Cloudonix domain
};

struct WebhookRequest {
  std::string path;  // the service's path, with its query string
  Headers headers;
};

// The path and headers of one webhook body.
WebhookRequest webhook_request(WebhookKind kind, const WebhookAuth& auth, const std::string& body,
                               std::int64_t now_unix);

}  // namespace pbx::simulator
