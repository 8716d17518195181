#include "simulator/command.hpp"

#include "http/client.hpp"
#include "simulator/timeline.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace pbx::simulator {

int run_simulate(const SimulateOptions& options) {
  Script script;
  try {
    script.digits = parse_digits(options.digits);
    script.dials = parse_dials(options.dials);
    if (!options.voicemail.empty()) script.voicemail = parse_voicemail(options.voicemail);
  } catch (const ScriptError& e) {
    std::cerr << "simulate: " << e.what() << "\n";
    return 2;
  }
  auto report = simulate_call(options.setup, script, http::curl_transport());
  if (options.json) {
    std::cout << render_json(report);
  } else {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): the command runs on one thread
    bool colour = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    std::cout << render_text(report, colour);
  }
  return report.exit_code();
}

}  // namespace pbx::simulator
