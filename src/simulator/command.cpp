#include "simulator/command.hpp"

#include "client/http_client.hpp"
#include "provisioning/rest_client.hpp"
#include "simulator/timeline.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

namespace pbx::simulator {

namespace {

// Cloudonix rings the phones of the domain's subscriber that has the number, and sends a number
// no subscriber has to the domain's trunks.
std::function<std::string(const std::string&)> subscriber_note(const SimulateOptions& options) {
  auto client = std::make_shared<provisioning::Client>(
      provisioning::ClientOptions{options.cloudonix_api, options.setup.domain,
                                  options.cloudonix_key},
      client::curl_transport());
  return [client](const std::string& number) -> std::string {
    auto found = client->get_subscriber(number);
    // The domain's rate limit is shared with pbxd's sync: wait it out, as briefly as told.
    for (int attempt = 0; !found && found.failure().status == 429 && attempt < 10; ++attempt) {
      std::this_thread::sleep_for(found.failure().retry_after.value_or(std::chrono::seconds(1)));
      found = client->get_subscriber(number);
    }
    if (found) {
      return found->active ? "a subscriber of the domain: its phones ring"
                           : "an inactive subscriber of the domain";
    }
    if (found.failure().not_found()) return "no subscriber has it: Cloudonix tries a trunk";
    return "subscribers not known: " + found.failure().describe();
  };
}

}  // namespace

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
  auto setup = options.setup;
  if (!options.cloudonix_api.empty()) setup.number_note = subscriber_note(options);
  auto report = simulate_call(setup, script, client::curl_transport());
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
