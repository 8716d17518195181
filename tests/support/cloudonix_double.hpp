#pragma once
// `pbxd cloudonix-double` as a child process on a free port, driven over its /_double/ API.
#include "support/http_client.hpp"
#include "support/process.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace pbx::testing {

class CloudonixDoubleProcess {
 public:
  // Domains and their keys; extra arguments go to the command (e.g. "--empty-list", "[]").
  explicit CloudonixDoubleProcess(std::vector<std::pair<std::string, std::string>> domains,
                                  std::vector<std::string> extra_args = {});
  ~CloudonixDoubleProcess();
  CloudonixDoubleProcess(const CloudonixDoubleProcess&) = delete;
  CloudonixDoubleProcess& operator=(const CloudonixDoubleProcess&) = delete;

  // For PBX_CLOUDONIX_API_URL.
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Starts it (again, on the same port, with fresh state) and waits until it answers.
  void start();
  void stop();

  nlohmann::json log();
  void clear_log();
  nlohmann::json state();
  // The domain's object in the state, with its applications, subscribers and DNIDs.
  nlohmann::json domain(const std::string& name) { return state()["domains"][name]; }
  nlohmann::json switches(const nlohmann::json& changes);
  void reset();
  // A request to Cloudonix's API as a client with that key would send it.
  HttpResponse api(const std::string& method, const std::string& path, const std::string& key,
                   const nlohmann::json& body = nullptr);
  // What it printed (its access log).
  std::string output() const;

 private:
  std::vector<std::string> argv_;
  std::string dir_;
  int port_;
  ChildProcess process_;
  HttpClient http_;
};

}  // namespace pbx::testing
