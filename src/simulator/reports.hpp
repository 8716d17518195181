#pragma once

// How a simulated call ended, and how the session updates and the CDR that Cloudonix would
// send for it (cloudonix/payloads.hpp) are authenticated (docs/cloudonix-protocol.md section
// 4). Pure.

#include "cloudonix/payloads.hpp"
#include "simulator/script.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pbx::simulator {

using Headers = cloudonix::HeaderList;

using cloudonix::CallFacts;

// How the call ended, as its terminal session status: completed when a Dial was answered;
// else by the Reject reason (busy and rejected: busy, congestion, failed); else by the last
// Dial (busy, failed, noanswer); else noanswer: nobody answered, whatever the application
// played (Say, Play, Record do not count as answering here).
std::string terminal_status(bool answered, const std::optional<std::string>& reject_reason,
                            std::optional<DialOutcome::Kind> last_dial);

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
