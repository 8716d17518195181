#pragma once

// `pbxd simulate`: one simulated call from the command line's options.

#include "simulator/call.hpp"

#include <string>

namespace pbx::simulator {

struct SimulateOptions {
  CallSetup setup;
  std::string digits;     // --digits, see parse_digits
  std::string dials;      // --dial, see parse_dials
  std::string voicemail;  // --voicemail: yes, none; "" when not given
  bool json = false;
  // Cloudonix's REST API (or the double) and a domain API key: each dialled Number is looked up
  // among the domain's subscribers. Empty: not looked up.
  std::string cloudonix_api;
  std::string cloudonix_key;
};

// Prints the timeline (or JSON) to stdout and returns the exit status: 0 as scripted, 1 not
// as scripted, 2 invalid CXML or a bad script.
int run_simulate(const SimulateOptions& options);

}  // namespace pbx::simulator
