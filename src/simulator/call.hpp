#pragma once

// Plays Cloudonix for one call against a PBX service: sends the voice request, follows the
// CXML verb by verb with the script's digits and Dial outcomes, sends the session updates and
// the CDR, and records a timeline. Time is virtual: nothing sleeps. The HTTP itself is a
// function given by the caller, so that the flow is testable without a server.

#include "client/http_client.hpp"
#include "simulator/reports.hpp"
#include "simulator/script.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pbx::simulator {

struct CallSetup {
  std::string url;                 // the service, e.g. http://127.0.0.1:8080
  std::string key;                 // the tenant's requests API key
  std::string secret;              // the tenant's webhook secret, for auth hmac
  std::string token;               // the tenant's webhook token, for auth cloudonix
  std::string auth = "cloudonix";  // how webhooks are authenticated: see WebhookAuth
  std::string from;
  std::string to;
  std::string direction = "inbound";  // inbound, subscriber, outbound-api
  std::string domain;
  std::string session;  // the call's token; generated when empty
  bool webhooks = true;
  std::int64_t start_ms = 0;  // the virtual clock's origin (epoch ms); now when 0
  // What Cloudonix does with a dialled Number (whether a subscriber of the domain has it),
  // shown beside it on the timeline; unset: nothing is said.
  std::function<std::string(const std::string& number)> number_note;
};

using HttpRequest = client::ClientRequest;
using HttpAnswer = client::ClientAnswer;
using Transport = client::Transport;

struct Event {
  std::int64_t offset_ms = 0;  // since the call started
  std::string what;            // what Cloudonix does: "Say", "Dial", "session-update", ...
  std::string detail;
  std::string method;  // of the request made, "" when none
  std::string url;
  int status = 0;
  bool problem = false;  // this step did not go as scripted
};

struct Report {
  CallFacts call;
  std::vector<Event> timeline;
  std::string status;       // the terminal session status: completed, noanswer, busy, ...
  std::string disposition;  // the CDR's: ANSWER, NOANSWER, BUSY, FAILED, CONGESTION
  std::int64_t duration = 0;
  std::int64_t billsec = 0;
  std::vector<std::string> problems;  // every way the call did not go as scripted
  bool invalid_cxml = false;

  // 0 as scripted, 2 the service answered CXML that Cloudonix would refuse, 1 otherwise.
  int exit_code() const { return invalid_cxml ? 2 : problems.empty() ? 0 : 1; }
};

// Verbs executed and documents fetched before the call is cut as a loop.
inline constexpr int kMaxSteps = 50;

Report simulate_call(const CallSetup& setup, const Script& script, const Transport& http);

}  // namespace pbx::simulator
