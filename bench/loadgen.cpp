// Closed-loop HTTP/1.1 load generator for the benchmarks: keep-alive connections driven by one
// epoll thread (so that the generator's own CPU and context switches stay small next to the
// service's), fixed requests or uniquely generated and HMAC-signed webhooks (which wrk cannot
// do). Loopback targets only. Prints one JSON object with throughput and latency.
#include "webhooks/signature.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
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

// Parses one complete response at the start of buf: its status (0 while incomplete) and its
// total length, and whether the server will close.
int parse_response(const std::string& buf, size_t& total, bool& closing) {
  size_t header_end = buf.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  std::string lower = buf.substr(0, header_end);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  size_t length = 0;
  if (auto p = lower.find("content-length:"); p != std::string::npos) {
    length = std::strtoul(lower.c_str() + p + 15, nullptr, 10);
  }
  total = header_end + 4 + length;
  if (buf.size() < total) return 0;
  closing = lower.find("connection: close") != std::string::npos;
  return std::atoi(buf.c_str() + 9);
}

struct Conn {
  int fd = -1;
  std::string out;  // the request being sent
  size_t sent = 0;
  std::string in;
  std::string unique;
  Clock::time_point t0;
};

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

  bool measuring = false;
  uint64_t counter = 0;
  std::vector<double> latencies;
  std::map<int, uint64_t> statuses;
  uint64_t socket_errors = 0;
  std::vector<std::string> acked;
  latencies.reserve(1 << 20);

  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(std::max(1, o.connections)));
  // The signature covers "<timestamp>.<body>" and the timestamp has a one-second resolution.
  auto next_request = [&](Conn& c) {
    std::string body = body_template;
    std::string headers = fixed_headers;
    c.unique.clear();
    if (o.mode == "webhook") {
      c.unique = run_id + "-" + std::to_string(counter++);
      body = replace_all(body, "{{UNIQUE}}", c.unique);
      auto ts = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
      auto s = pbx::webhooks::sign(o.secret, body, ts);
      headers += "Content-Type: application/json\r\nX-CX-Domain: " + o.domain +
                 "\r\nX-Cloudonix-Signature: " + s.signature +
                 "\r\nX-Cloudonix-Timestamp: " + s.timestamp + "\r\n";
    }
    c.out = o.method + " " + o.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    c.sent = 0;
    c.t0 = Clock::now();
  };
  auto flush = [&](Conn& c) {  // false when the connection failed
    while (c.sent < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
      } else if (n < 0 && errno == EAGAIN) {
        epoll_event ev{EPOLLIN | EPOLLOUT, {.ptr = &c}};
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
        return true;
      } else {
        return false;
      }
    }
    epoll_event ev{EPOLLIN, {.ptr = &c}};
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
    return true;
  };
  auto open_conn = [&](Conn& c) {
    c.fd = connect_to(o);
    c.in.clear();
    if (c.fd < 0) return false;
    fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{EPOLLIN, {.ptr = &c}};
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    next_request(c);
    return true;
  };
  auto close_conn = [&](Conn& c) {
    if (c.fd >= 0) close(c.fd);
    c.fd = -1;
  };
  auto restart = [&](Conn& c) {  // reconnect and send a fresh request
    close_conn(c);
    while (!open_conn(c)) {
      ++socket_errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!flush(c)) {
      if (measuring) ++socket_errors;
      close_conn(c);
    }
  };
  for (auto& c : conns) restart(c);

  auto started = Clock::now();
  auto measure_from = started + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(o.warmup));
  auto measure_to = measure_from + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o.duration));
  std::vector<epoll_event> events(conns.size());
  char chunk[65536];
  for (;;) {
    auto now = Clock::now();
    if (now >= measure_to) break;
    measuring = now >= measure_from;
    for (auto& c : conns) {
      if (c.fd < 0) restart(c);
    }
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 10);
    for (int i = 0; i < n; ++i) {
      Conn& c = *static_cast<Conn*>(events[i].data.ptr);
      if (c.fd < 0) continue;
      if ((events[i].events & EPOLLOUT) && !flush(c)) {
        if (measuring) ++socket_errors;
        close_conn(c);
        continue;
      }
      if (!(events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      ssize_t got;
      bool failed = false;
      while ((got = recv(c.fd, chunk, sizeof(chunk), 0)) > 0) {
        c.in.append(chunk, static_cast<size_t>(got));
      }
      if (got == 0 || (got < 0 && errno != EAGAIN)) failed = true;
      size_t total = 0;
      bool closing = false;
      int status = parse_response(c.in, total, closing);
      if (status == 0) {
        if (failed) {
          if (measuring) ++socket_errors;
          close_conn(c);
        }
        continue;
      }
      auto t1 = Clock::now();
      if (measuring) {
        latencies.push_back(std::chrono::duration<double, std::milli>(t1 - c.t0).count());
        ++statuses[status];
        if (status / 100 == 2 && !c.unique.empty() && !o.acked_file.empty()) {
          acked.push_back(c.unique);
        }
      }
      c.in.erase(0, total);
      if (closing || failed) {
        close_conn(c);
        continue;
      }
      next_request(c);
      if (!flush(c)) {
        if (measuring) ++socket_errors;
        close_conn(c);
      }
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - measure_from).count();
  for (auto& c : conns) close_conn(c);
  close(ep);

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
