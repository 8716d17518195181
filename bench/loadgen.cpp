// Closed-loop HTTP/1.1 load generator for the benchmarks: one keep-alive connection per
// thread, fixed requests or uniquely generated and HMAC-signed webhooks (which wrk cannot
// do). Loopback targets only. Prints one JSON object with throughput and latency.
#include "webhooks/signature.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string path = "/health";
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body_file;
  std::string mode = "fixed";  // fixed | webhook
  std::string secret;
  std::string domain;
  int connections = 50;
  double duration = 10;
  double warmup = 1;
  std::string acked_file;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

int connect_to(const Options& o) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(o.port));
  inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// Reads one response; returns its status (0 on failure) and whether the server will close.
int read_response(int fd, std::string& buf, bool& closing) {
  char chunk[16384];
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(n));
  }
  std::string head = buf.substr(0, header_end);
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  int status = std::atoi(head.c_str() + 9);
  size_t length = 0;
  if (auto p = lower.find("content-length:"); p != std::string::npos) {
    length = std::strtoul(lower.c_str() + p + 15, nullptr, 10);
  }
  closing = lower.find("connection: close") != std::string::npos;
  size_t total = header_end + 4 + length;
  while (buf.size() < total) {
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(n));
  }
  buf.erase(0, total);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"loadgen: closed-loop HTTP load on loopback"};
  app.add_option("--port", o.port)->required();
  app.add_option("--path", o.path);
  app.add_option("--method", o.method);
  app.add_option("--header", o.headers, "extra header 'Name: value' (repeatable)");
  app.add_option("--body-file", o.body_file, "body; in webhook mode a template with {{UNIQUE}}");
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"fixed", "webhook"}));
  app.add_option("--secret", o.secret, "webhook HMAC secret");
  app.add_option("--domain", o.domain, "X-CX-Domain for webhooks");
  app.add_option("--connections", o.connections);
  app.add_option("--duration", o.duration, "measured seconds");
  app.add_option("--warmup", o.warmup, "seconds before measuring");
  app.add_option("--acked-file", o.acked_file, "write the unique id of every 2xx answer here");
  CLI11_PARSE(app, argc, argv);
  if (o.host != "127.0.0.1") return 2;

  const std::string body_template = o.body_file.empty() ? "" : read_all(o.body_file);
  std::string fixed_headers;
  for (const auto& h : o.headers) fixed_headers += h + "\r\n";
  const std::string run_id =
      std::to_string(std::random_device{}()) + "-" + std::to_string(getpid());

  std::atomic<bool> measuring{false};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> counter{0};
  std::mutex mutex;
  std::vector<double> latencies;
  std::map<int, uint64_t> statuses;
  uint64_t socket_errors = 0;
  std::vector<std::string> acked;

  auto worker = [&] {
    std::vector<double> local;
    std::map<int, uint64_t> local_status;
    std::vector<std::string> local_acked;
    uint64_t local_errors = 0;
    std::string buf;
    int fd = -1;
    while (!stop.load()) {
      if (fd < 0) {
        fd = connect_to(o);
        buf.clear();
        if (fd < 0) {
          ++local_errors;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
      }
      std::string unique;
      std::string body = body_template;
      std::string headers = fixed_headers;
      if (o.mode == "webhook") {
        unique = run_id + "-" + std::to_string(counter.fetch_add(1));
        body = replace_all(body, "{{UNIQUE}}", unique);
        auto ts = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
        auto s = pbx::webhooks::sign(o.secret, body, ts);
        headers += "Content-Type: application/json\r\nX-CX-Domain: " + o.domain +
                   "\r\nX-Cloudonix-Signature: " + s.signature +
                   "\r\nX-Cloudonix-Timestamp: " + s.timestamp + "\r\n";
      }
      std::string req = o.method + " " + o.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      auto t0 = Clock::now();
      bool sent =
          send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
      bool closing = false;
      int status = sent ? read_response(fd, buf, closing) : 0;
      auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (status == 0) {
        close(fd);
        fd = -1;
        if (measuring.load()) ++local_errors;
        continue;
      }
      if (measuring.load()) {
        local.push_back(elapsed);
        ++local_status[status];
        if (status / 100 == 2 && !unique.empty() && !o.acked_file.empty())
          local_acked.push_back(unique);
      }
      if (closing) {
        close(fd);
        fd = -1;
      }
    }
    if (fd >= 0) close(fd);
    std::lock_guard lock(mutex);
    latencies.insert(latencies.end(), local.begin(), local.end());
    for (auto& [k, v] : local_status) statuses[k] += v;
    socket_errors += local_errors;
    acked.insert(acked.end(), local_acked.begin(), local_acked.end());
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) threads.emplace_back(worker);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
  measuring = true;
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration));
  measuring = false;
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  stop = true;
  for (auto& t : threads) t.join();

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
  };
  uint64_t non_2xx = 0;
  nlohmann::json status_json = nlohmann::json::object();
  for (auto& [k, v] : statuses) {
    status_json[std::to_string(k)] = v;
    if (k / 100 != 2) non_2xx += v;
  }
  double mean = 0;
  for (double l : latencies) mean += l;
  if (!latencies.empty()) mean /= static_cast<double>(latencies.size());
  if (!o.acked_file.empty()) {
    std::ofstream out(o.acked_file);
    for (const auto& a : acked) out << a << "\n";
  }
  nlohmann::json result = {{"requests", latencies.size()},
                           {"duration_s", seconds},
                           {"rps", static_cast<double>(latencies.size()) / seconds},
                           {"non_2xx", non_2xx},
                           {"socket_errors", socket_errors},
                           {"latency_ms",
                            {{"p50", pct(0.50)},
                             {"p90", pct(0.90)},
                             {"p99", pct(0.99)},
                             {"max", latencies.empty() ? 0 : latencies.back()},
                             {"mean", mean}}},
                           {"status_counts", status_json}};
  std::cout << result.dump() << "\n";
  return 0;
}
