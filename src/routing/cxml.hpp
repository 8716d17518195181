#pragma once

#include <string>
#include <variant>
#include <vector>

namespace pbx::routing::cxml {

// The CXML verbs this service emits (docs/cloudonix-protocol.md section 1), as plain data. Empty
// strings and zero numbers mean "attribute absent", so Cloudonix's defaults apply.
struct Say {
  std::string text;
  std::string voice;
  std::string language;
};

struct Play {
  std::string url;
};

struct Pause {
  int length = 1;
};

struct Target {
  enum class Kind { number, sip, conference } kind = Kind::number;
  std::string value;
  // Conference only.
  int max_participants = 0;
  bool beep = true;
  bool record = false;
};

struct Dial {
  std::string action;
  int timeout = 0;
  std::string caller_id;
  std::vector<Target> targets;
};

using Prompt = std::variant<Say, Play, Pause>;

struct Gather {
  std::string action;
  int num_digits = 0;
  int timeout = 0;
  bool action_on_empty_result = false;
  std::vector<Prompt> prompts;
};

struct Record {
  std::string action;
  int max_length = 0;
  bool play_beep = true;
  std::string finish_on_key;
};

struct Hangup {};

struct Reject {
  std::string reason;
};

struct Redirect {
  std::string url;
};

using Verb = std::variant<Say, Play, Pause, Dial, Gather, Record, Hangup, Reject, Redirect>;

struct Document {
  std::vector<Verb> verbs;

  template <typename V>
  Document& add(V verb) {
    verbs.emplace_back(std::move(verb));
    return *this;
  }
};

// The XML text: declaration, <Response>, verbs in order, attributes in a fixed order. Every
// action, and every Redirect, states method="POST".
std::string render(const Document& doc);

}  // namespace pbx::routing::cxml
