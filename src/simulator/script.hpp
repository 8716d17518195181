#pragma once

// What the simulated caller and callees do: the digits pressed at each Gather, the outcome of
// each Dial, and whether the voicemail Record gets a message. Pure.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pbx::simulator {

class ScriptError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct DialOutcome {
  enum class Kind { answer, no_answer, busy, failed } kind = Kind::answer;
  int seconds = 5;  // answer: how long the callee talks

  // The DialCallStatus Cloudonix reports for it: completed, no-answer, busy, failed.
  std::string_view dial_status() const;
  std::string describe() const;  // "answer:30", "no-answer", ...
};

struct Script {
  std::vector<std::string> digits;  // one entry per Gather, in order; "" = no input
  std::vector<DialOutcome> dials;   // one entry per Dial, in order; answer:5 when they run out
  std::optional<bool> voicemail;    // a message at Record; unset: none, and not required
};

// "9,2" -> {"9", "2"}; "1,,2" -> {"1", "", "2"}; "" -> {}. Digits are 0-9, * and #.
std::vector<std::string> parse_digits(std::string_view text);
// "busy,answer:30,no-answer,failed" (also noanswer, answer = answer:5).
std::vector<DialOutcome> parse_dials(std::string_view text);
// "yes" -> true, "none" / "no" -> false.
bool parse_voicemail(std::string_view text);

}  // namespace pbx::simulator
