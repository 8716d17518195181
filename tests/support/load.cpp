#include "support/load.hpp"

#include "core/text.hpp"
#include "support/eventually.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

namespace pbx::testing {

namespace {

constexpr size_t kProblemSamples = 10;
constexpr auto kRetryPause = std::chrono::milliseconds(50);

timeval to_timeval(std::chrono::milliseconds ms) {
  return {static_cast<time_t>(ms.count() / 1000),
          static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

Failure from_errno(int error) {
  switch (error) {
    case ECONNRESET:
      return Failure::reset;
    case EPIPE:  // the server had closed (FIN) before this write: a graceful close
      return Failure::closed;
    case EAGAIN:
      return Failure::timeout;
    default:
      return Failure::other;
  }
}

}  // namespace

const char* failure_name(Failure f) {
  switch (f) {
    case Failure::none:
      return "none";
    case Failure::refused:
      return "refused";
    case Failure::closed:
      return "closed";
    case Failure::reset:
      return "reset";
    case Failure::truncated:
      return "truncated";
    case Failure::timeout:
      return "timeout";
    case Failure::other:
      return "other";
  }
  return "?";
}

void KeepAliveConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

KeepAliveConnection::Result KeepAliveConnection::exchange(
    const std::string& method, const std::string& path, const std::string& body,
    const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout) {
  Result result;
  auto fail = [&](Failure f, int error) {
    result.failure = f;
    result.error = error;
    close();
    return result;
  };
  if (fd_ < 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    auto tv = to_timeval(timeout);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      int error = errno;
      return fail(error == ECONNREFUSED ? Failure::refused : from_errno(error), error);
    }
  }
  std::string request = method + " " + path +
                        " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
                        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      return fail(from_errno(error), error);
    }
    sent += static_cast<size_t>(n);
  }
  int error = 0;
  Failure f = read_response(result.response, error);
  if (f != Failure::none) return fail(f, error);
  if (text::to_lower(result.response.headers["connection"]) == "close") close();
  return result;
}

Failure KeepAliveConnection::read_response(RawResponse& out, int& error) {
  auto fill = [&]() -> Failure {
    char chunk[16384];
    for (;;) {
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return Failure::none;
      }
      if (n == 0) return Failure::closed;
      if (errno == EINTR) continue;
      error = errno;
      return from_errno(error);
    }
  };
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    bool started = !buffer_.empty();
    if (auto f = fill(); f != Failure::none) {
      return started && f == Failure::closed ? Failure::truncated : f;
    }
  }
  if (!parse_response_head(std::string_view(buffer_.data(), header_end), out)) {
    return Failure::other;
  }
  buffer_.erase(0, header_end + 4);
  auto length_header = out.headers.find("content-length");
  if (length_header == out.headers.end()) return Failure::other;  // the service always sets it
  size_t length = std::stoul(length_header->second);
  while (buffer_.size() < length) {
    if (auto f = fill(); f != Failure::none) return f == Failure::closed ? Failure::truncated : f;
  }
  out.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return Failure::none;
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
