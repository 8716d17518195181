#include "support/load.hpp"

#include "core/text.hpp"
#include "support/eventually.hpp"

#include <sstream>

namespace pbx::testing {

namespace {

constexpr size_t kProblemSamples = 10;
constexpr auto kRetryPause = std::chrono::milliseconds(50);

}  // namespace

KeepAliveConnection::Result KeepAliveConnection::exchange(
    const std::string& method, const std::string& path, const std::string& body,
    const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  Result result;
  auto fail = [&](Failure f) {
    result.failure = f;
    result.error = connection_->error();
    close();
    return result;
  };
  if (!connection_) {
    connection_ = std::make_unique<RawConnection>(
        port_, RawOptions{.no_delay = true, .send_timeout = timeout});
    if (!connection_->connected()) return fail(connection_->failure());
  }
  std::string request = method + " " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + body;
  if (!connection_->send(request)) return fail(connection_->failure());
  if (Failure f = connection_->read_answer(result.response, timeout); f != Failure::none) {
    return fail(f);
  }
  if (text::to_lower(result.response.headers["connection"]) == "close") close();
  return result;
}

long LoadReport::count(int status) const {
  auto it = statuses.find(status);
  return it == statuses.end() ? 0 : it->second;
}

long LoadReport::failed(Failure f) const {
  auto it = failures.find(failure_name(f));
  return it == failures.end() ? 0 : it->second;
}

std::string LoadReport::describe() const {
  std::ostringstream out;
  out << exchanges << " exchanges; statuses:";
  for (const auto& [status, n] : statuses) out << " " << status << "=" << n;
  out << "; failures:";
  for (const auto& [name, n] : failures) out << " " << name << "=" << n;
  out << "; acknowledged " << acknowledged.size() << ", abandoned " << abandoned.size()
      << "; problems " << problems;
  for (const auto& p : problem_samples) out << "\n  problem: " << p;
  return out.str();
}

LoadGenerator::LoadGenerator(LoadOptions options, Maker make, Checker check)
    : options_(options), make_(std::move(make)), check_(std::move(check)) {
  for (int i = 0; i < options_.connections; ++i) threads_.emplace_back([this, i] { run(i); });
}

LoadGenerator::~LoadGenerator() { stop(std::chrono::seconds(0)); }

void LoadGenerator::record(const LoadRequest& req, const KeepAliveConnection::Result& r) {
  std::string problem;
  if (r.failure == Failure::none && check_) problem = check_(req, r.response);
  std::lock_guard lock(mutex_);
  ++report_.exchanges;
  if (r.failure != Failure::none) {
    ++report_.failures[failure_name(r.failure)];
    return;
  }
  ++report_.statuses[r.response.status];
  if (r.response.status == 200 && !req.key.empty()) {
    report_.acknowledged.insert(req.key);
    report_.abandoned.erase(req.key);
  }
  if (!problem.empty()) {
    ++report_.problems;
    if (report_.problem_samples.size() < kProblemSamples) {
      report_.problem_samples.push_back(req.path + ": " + problem);
    }
  }
}

void LoadGenerator::run(int connection) {
  KeepAliveConnection conn(options_.port);
  for (long n = 0; !stopping_.load(); ++n) {
    LoadRequest req = make_(connection, n);
    for (;;) {
      auto r = conn.exchange(req.method, req.path, req.body, req.headers, options_.timeout);
      record(req, r);
      if (r.failure == Failure::none && r.response.status == 200) break;
      if (!req.retry) break;
      std::this_thread::sleep_for(kRetryPause);  // a sender backs off before trying again
      if (stopping_.load() && std::chrono::steady_clock::now() >= drain_until_) {
        std::lock_guard lock(mutex_);
        if (!req.key.empty() && report_.acknowledged.count(req.key) == 0) {
          report_.abandoned.insert(req.key);
        }
        break;
      }
    }
    if (options_.pause.count() > 0) std::this_thread::sleep_for(options_.pause);
  }
}

LoadReport LoadGenerator::report() const {
  std::lock_guard lock(mutex_);
  return report_;
}

long LoadGenerator::count(int status) const {
  std::lock_guard lock(mutex_);
  return report_.count(status);
}

bool LoadGenerator::wait_for(int status, long more, std::chrono::seconds limit) {
  long target = count(status) + more;
  return eventually([&] { return count(status) >= target; }, limit);
}

LoadReport LoadGenerator::stop(std::chrono::seconds drain) {
  if (!threads_.empty()) {
    drain_until_ = std::chrono::steady_clock::now() + drain;
    stopping_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  return report();
}

}  // namespace pbx::testing
