#pragma once

#include "support/process.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace pbx::testing {

using Env = std::map<std::string, std::string>;

// The real pbxd binary as a child process on a free port, its output in a log file.
class ServiceProcess {
 public:
  // On `port` when given (a restart comes back where its clients look for it), else a free one.
  ServiceProcess(std::vector<std::string> args, Env env, int port = 0);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Waits until GET /health answers 200; fails the test with the log tail otherwise.
  void wait_healthy(std::chrono::seconds limit = std::chrono::seconds(20));
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  std::string log_text() const;
  void signal(int sig) { process_.signal(sig); }
  int wait_exit(std::chrono::seconds limit);  // -1 on timeout
  void kill() { process_.kill_and_wait(); }
  bool running() { return process_.running(); }

  struct Result {
    int exit_code;
    std::string output;
  };
  // Runs pbxd with the arguments to completion (for migrate, bootstrap, ...).
  static Result run(const std::vector<std::string>& args, const Env& env,
                    std::chrono::seconds limit = std::chrono::seconds(60));

 private:
  std::string dir_;
  int port_;
  ChildProcess process_;
};

}  // namespace pbx::testing
