#pragma once

#include "support/raw_http.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pbx::testing {

// One keep-alive HTTP/1.1 connection on a RawConnection, so that the way it ends is seen
// exactly; reconnects after a failure or a close.
class KeepAliveConnection {
 public:
  explicit KeepAliveConnection(int port) : port_(port) {}

  struct Result {
    Failure failure = Failure::none;
    RawResponse response;
    int error = 0;  // errno of the failure, when there was one
  };
  // Sends one request (connecting first when needed) and reads its answer. The connection is
  // closed after a failure or an answer with "Connection: close".
  Result exchange(const std::string& method, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers,
                  std::chrono::milliseconds timeout);
  void close() { connection_.reset(); }

 private:
  int port_;
  std::unique_ptr<RawConnection> connection_;
};

struct LoadRequest {
  std::string method = "POST";
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string key;     // recorded as acknowledged when answered 200 ("": not recorded)
  bool retry = false;  // sent again after anything but a 200, until it gets one
};

struct LoadOptions {
  int port = 0;
  int connections = 8;
  std::chrono::milliseconds pause{0};  // between two requests of one connection
  std::chrono::milliseconds timeout{15000};
};

struct LoadReport {
  long exchanges = 0;
  std::map<int, long> statuses;
  std::map<std::string, long> failures;  // by failure_name
  std::set<std::string> acknowledged;    // keys answered 200
  std::set<std::string> abandoned;       // keys of retried requests still without a 200
  long problems = 0;                     // answers the checker refused
  std::vector<std::string> problem_samples;

  long count(int status) const;
  long failed(Failure f) const;
  std::string describe() const;  // one line, for assertion messages
};

// `connections` threads, each with its own keep-alive connection, sending what `make` returns
// for (connection, sequence number) as fast as answers come (or with a pause). Every answer is
// given to `check`, which returns "" or what is wrong with it. `make` and `check` are called
// from all threads at once.
class LoadGenerator {
 public:
  using Maker = std::function<LoadRequest(int connection, long n)>;
  using Checker = std::function<std::string(const LoadRequest&, const RawResponse&)>;

  LoadGenerator(LoadOptions options, Maker make, Checker check = {});
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  LoadReport report() const;
  // How many answers had `status` so far (without copying the report).
  long count(int status) const;
  // Waits until `status` has been answered `more` more times than now; false after `limit`.
  bool wait_for(int status, long more, std::chrono::seconds limit = std::chrono::seconds(20));
  // Starts no new request; a retried one goes on until it gets a 200 or `drain` has passed.
  LoadReport stop(std::chrono::seconds drain = std::chrono::seconds(30));

 private:
  void run(int connection);
  void record(const LoadRequest& req, const KeepAliveConnection::Result& r);

  LoadOptions options_;
  Maker make_;
  Checker check_;
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point drain_until_{};
  mutable std::mutex mutex_;
  LoadReport report_;
  std::vector<std::thread> threads_;
};

}  // namespace pbx::testing
