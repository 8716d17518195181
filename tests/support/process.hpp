#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pbx::testing {

// A child process with its stdout and stderr in a file. The destructor kills it.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& log_path, std::optional<std::string> run_as_user = std::nullopt);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Exit status (128 + signal when killed by one), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  void kill_and_wait();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

std::string read_file(const std::string& path);
// A fresh directory under the system temporary directory, readable by other users.
std::string make_temp_dir(const std::string& prefix);
void remove_tree(const std::string& path);
// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();
bool port_open(int port);
bool running_as_root();

}  // namespace pbx::testing
