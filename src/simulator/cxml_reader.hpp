#pragma once

// Reads a CXML answer the way Cloudonix would (docs/cloudonix-protocol.md section 1) and refuses
// what Cloudonix would not accept, so the simulator doubles as a CXML validator. Pure.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::simulator {

// Why a document was refused: the message names the element and the rule it breaks.
class CxmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Verb {
  enum class Kind { say, play, pause, dial, gather, record, hangup, reject, redirect };
  Kind kind = Kind::hangup;
  // Say: the text; Play and Redirect: the URL; Reject: the reason ("rejected" by default).
  std::string text;
  std::string action;  // Dial, Gather, Record; "" when absent
  std::string method = "POST";
  int timeout = 0;  // Dial, Gather, Record: the attribute, 0 when absent; Pause: its length
  bool action_on_empty_result = false;  // Gather
  std::vector<std::string> targets;     // Dial: "Number:101", "Sip:sip:a@b", "Conference:room"
  std::vector<Verb> prompts;            // Gather: its Say, Play and Pause
};

// The verbs of a document in order. Throws CxmlError for: text that is not XML; a root other
// than <Response>; an unknown verb or noun (names are case-sensitive); a noun outside <Dial>
// or anything but a noun inside it; anything but Say/Play/Pause inside <Gather>; a <Dial>
// with nothing to dial; an action, Play or Redirect URL that is not absolute http(s) with a
// host; a method other than GET or POST; a number attribute that is not a number; a Reject
// reason Cloudonix does not know.
std::vector<Verb> read_cxml(std::string_view text);

// Whether `url` is absolute http(s) with a host: what Cloudonix can fetch.
bool fetchable_url(std::string_view url);

// `url` with its scheme, host and port replaced by `base`'s: the service writes its public
// base URL into action URLs, while the simulator talks to the address it was given.
std::string rebase_url(std::string_view url, std::string_view base);

}  // namespace pbx::simulator
