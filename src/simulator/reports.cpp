#include "simulator/reports.hpp"

#include "core/url.hpp"

namespace pbx::simulator {

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

WebhookRequest webhook_request(WebhookKind kind, const WebhookAuth& auth, const std::string& body,
                               std::int64_t now_unix) {
  WebhookRequest out{kind == WebhookKind::cdr ? "/api/webhooks/cloudonix/cdr"
                                              : "/api/webhooks/cloudonix/session-update",
                     {{"Content-Type", "application/json"}}};
  if (auth.mode == "hmac") {
    auto signed_headers =
        cloudonix::signed_webhook_headers(auth.secret, body, auth.domain, now_unix);
    out.headers.insert(out.headers.end(), signed_headers.begin(), signed_headers.end());
  } else if (auth.mode == "bearer" || kind == WebhookKind::session_update) {
    out.headers.emplace_back("Authorization", "Bearer " + auth.key);
  } else if (!auth.token.empty()) {
    out.path += "?token=" + url::percent_encode(auth.token);
  }
  return out;
}

}  // namespace pbx::simulator
