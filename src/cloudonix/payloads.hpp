#pragma once

// What Cloudonix sends about a call, built from what is known of it: the voice application
// request's parameters, session updates and the CDR (docs/cloudonix-protocol.md sections 1 to
// 3, shaped as tests/fixtures shows them), the older OPBX style of both, and the signature
// headers of section 4. Used by whatever plays Cloudonix: the simulator, the tests and the
// benchmarks. Pure.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pbx::cloudonix {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What is known of a call when Cloudonix reports it. Times are epoch milliseconds; 0 = has
// not happened.
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
  std::int64_t id = 0;        // Cloudonix's numeric session id; 0: not sent
  std::string application{};  // the voice application that served the call; "": none
};

// The session direction Cloudonix reports: inbound -> incoming, outbound-api -> application,
// subscriber -> internal when `to` is an extension-style number (2-8 digits), else outgoing.
std::string session_direction(const CallFacts& call);

// The CDR disposition of a terminal session status: completed -> ANSWER, else the status in
// capitals.
std::string cdr_disposition(const std::string& status);

// The parameters of a voice application request (and of its callbacks, which add their own):
// ApiVersion, CallSid, Session, From, To, Direction, Domain, AccountSid.
nlohmann::json voice_parameters(const CallFacts& call);

// One session-update object, modified at `at_ms`.
nlohmann::json session_update(const CallFacts& call, const std::string& status, std::int64_t at_ms,
                              const std::string& event_id);

// The CDR: disposition (ANSWER, NOANSWER, BUSY, ...), duration and billsec in whole seconds
// from the call's times, the session object with the terminal `status`.
nlohmann::json cdr(const CallFacts& call, const std::string& disposition,
                   const std::string& status);

// The older, simplified (OPBX) style: flat fields, the tenant named only by its domain uuid,
// `state` for status, ISO-8601 times and lower-case dispositions.
nlohmann::json opbx_session_update(const CallFacts& call, const std::string& domain_uuid,
                                   const std::string& state, const std::string& timestamp);
nlohmann::json opbx_cdr(const CallFacts& call, const std::string& domain_uuid,
                        const std::string& disposition);

// What a sender that signs its webhooks adds to one: the HMAC over "<now_unix>.<body>", its
// timestamp, and the Cloudonix domain.
HeaderList signed_webhook_headers(const std::string& secret, const std::string& body,
                                  const std::string& domain, std::int64_t now_unix);

}  // namespace pbx::cloudonix
