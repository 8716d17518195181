// Closed-loop HTTP/1.1 load generator for the benchmarks: keep-alive connections driven by one
// epoll thread (so that the generator's own CPU and context switches stay small next to the
// service's). Loopback targets only. Modes:
//   fixed    the same request again and again;
//   webhook  a body template whose {{UNIQUE}} is made unique and HMAC-signed per request
//            (which wrk cannot do);
//   calls    whole calls as Cloudonix makes them (see scenarios()), each with its own ids.
// Prints one JSON object with throughput and latency, in total and per kind of request.
#include "cloudonix/payloads.hpp"
#include "core/crypto.hpp"
#include "simulator/cxml_reader.hpp"
#include "simulator/reports.hpp"

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
#include <array>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
namespace sim = pbx::simulator;
namespace cx = pbx::cloudonix;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string path = "/health";
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body_file;
  std::string mode = "fixed";  // fixed | webhook | calls
  std::string kind = "request";
  std::string secret;
  std::string domain;
  std::string key;
  std::string to = "+12125550100";
  std::string only = "all";
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

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string http_request(const std::string& method, const std::string& target,
                         const std::string& headers, const std::string& body) {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Signed as Cloudonix webhooks are: the signature covers "<timestamp>.<body>" with a
// one-second timestamp, so it is made when the request is.
std::string webhook_headers(const Options& o, const std::string& body) {
  std::string out;
  sim::WebhookAuth auth{"hmac", "", o.secret, "", o.domain};
  // Signed headers do not depend on the kind of webhook.
  for (const auto& [name, value] :
       sim::webhook_request(sim::WebhookKind::cdr, auth, body, unix_now()).headers) {
    out += name + ": " + value + "\r\n";
  }
  return out;
}

// A run's ids are unique across runs against the same database.
std::string run_id() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), static_cast<unsigned>(getpid()));
  return buf;
}

// One request: its bytes, the kind it is counted under, and the id it acknowledges when
// answered 2xx (written to --acked-file as "<kind> <id>"). Uncounted requests prepare a
// measured one and are left out of every figure.
struct Outgoing {
  std::string text;
  std::string kind;
  std::string ack;
  bool counted = true;
};

struct Verdict {
  bool expected = true;        // the answer is the one this request must get
  bool call_complete = false;  // calls mode: the call's last request was answered
};

// Where requests come from, one per mode; `conn` is the connection's index.
class Source {
 public:
  virtual ~Source() = default;
  virtual Outgoing next(size_t conn) = 0;
  virtual Verdict answered(size_t /*conn*/, int status, std::string_view /*body*/) {
    return {status / 100 == 2, false};
  }
  virtual void lost(size_t /*conn*/) {}  // the last request of conn got no answer
};

class TemplateSource : public Source {
 public:
  explicit TemplateSource(const Options& o)
      : o_(o), template_(o.body_file.empty() ? "" : read_all(o.body_file)), run_(run_id()) {
    for (const auto& h : o.headers) headers_ += h + "\r\n";
    fixed_ = http_request(o.method, o.path, headers_, template_);
  }

  Outgoing next(size_t) override {
    if (o_.mode == "fixed") return {fixed_, o_.kind, "", true};
    auto id = run_ + "-" + std::to_string(counter_++);
    auto body = replace_all(template_, "{{UNIQUE}}", id);
    return {http_request(o_.method, o_.path, headers_ + webhook_headers(o_, body), body), o_.kind,
            id, true};
  }

 private:
  const Options& o_;
  std::string template_;
  std::string headers_;
  std::string fixed_;
  std::string run_;
  uint64_t counter_ = 0;
};

// --- Calls ---------------------------------------------------------------------------------
// A call as Cloudonix drives it through an IVR: session updates as its state changes, the
// voice request, the Gather callback with the caller's digits and the Dial callback with the
// callee's outcome (each at the action URL the service rendered for this call), a repeated
// and a late delivery now and then, and one CDR at the end.

enum class Kind { route, callback, session, cdr };
constexpr std::array<const char*, 4> kKindNames{"route", "callback", "session", "cdr"};

struct Step {
  Kind kind;
  std::string_view status;  // session: its status; callback: DialCallStatus ("" for Gather)
  std::string_view digits;  // callback: the Gather's digits
  int seconds = 0;          // virtual time that passes before the step
  bool again = false;       // session: the earlier update of this status, delivered again
  bool late = false;        // session: modified before the previous one, arriving after it
};

Step update(std::string_view status, int seconds = 0) {
  return {Kind::session, status, {}, seconds};
}
Step again(std::string_view status) { return {Kind::session, status, {}, 0, true}; }
Step late(std::string_view status) { return {Kind::session, status, {}, 0, false, true}; }
Step route() { return {Kind::route, {}, {}}; }
Step gather(std::string_view digits) { return {Kind::callback, {}, digits, 6}; }
Step dial(std::string_view status, int seconds) { return {Kind::callback, status, {}, seconds}; }
Step cdr() { return {Kind::cdr, {}, {}}; }

struct Scenario {
  int weight;  // calls in ten
  std::string_view disposition;
  std::string_view terminal;
  std::vector<Step> steps;
};

// The DID leads to an IVR menu: option 1 dials an extension, option 2 hangs up.
const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all{
      // Answered; the callee talks for a minute. 10 session updates.
      {7,
       "ANSWER",
       "completed",
       {update("new"), update("processing"), route(), update("processing", 1), gather("1"),
        update("processing"), update("ringing", 1), update("connected", 4), update("answer"),
        late("ringing"), again("connected"), dial("completed", 60), update("completed"), cdr()}},
      // Nobody picks up; the menu apologises and hangs up. 8 session updates.
      {2,
       "NOANSWER",
       "noanswer",
       {update("new"), update("processing"), route(), update("processing", 1), gather("1"),
        update("processing"), update("ringing", 1), again("ringing"), dial("no-answer", 20),
        update("processing"), update("noanswer", 3), cdr()}},
      // The caller presses 2 and the menu hangs up. 5 session updates.
      {1,
       "ANSWER",
       "completed",
       {update("new"), update("processing"), route(), update("answer", 1), update("processing", 5),
        gather("2"), update("completed"), cdr()}},
  };
  return all;
}

const Scenario& scenario_of(uint64_t call) {
  int pick = static_cast<int>(call % 10);
  for (const auto& s : scenarios()) {
    if (pick < s.weight) return s;
    pick -= s.weight;
  }
  return scenarios().front();
}

bool has(const std::vector<sim::Verb>& verbs, sim::Verb::Kind kind) {
  return std::any_of(verbs.begin(), verbs.end(), [&](const auto& v) { return v.kind == kind; });
}

// The path and query of the action of the first `kind` verb; "" when there is none.
std::string action_of(const std::vector<sim::Verb>& verbs, sim::Verb::Kind kind) {
  for (const auto& v : verbs) {
    if (v.kind == kind && !v.action.empty()) return sim::rebase_url(v.action, "");
  }
  return "";
}

class CallSource : public Source {
 public:
  explicit CallSource(const Options& o) : o_(o), run_(run_id()), runs_(o.connections) {}

  Outgoing next(size_t conn) override {
    auto& r = runs_[conn];
    for (;;) {
      if (!r.scenario || r.step >= r.scenario->steps.size()) start(r);
      const auto& s = r.scenario->steps[r.step];
      pass_time(r, s);
      if (wanted(r, s)) return request(r, s);
      ++r.step;
    }
  }

  Verdict answered(size_t conn, int status, std::string_view body) override {
    auto& r = runs_[conn];
    const auto& s = r.scenario->steps[r.step];
    bool ok = status / 100 == 2 && expected(r, s, body);
    if (!ok) {
      r.scenario = nullptr;  // a call that went wrong is not carried on
      return {false, false};
    }
    ++r.step;
    return {true, r.step >= r.scenario->steps.size()};
  }

  void lost(size_t conn) override { runs_[conn].scenario = nullptr; }

 private:
  struct Run {
    const Scenario* scenario = nullptr;
    size_t step = 0;
    cx::CallFacts facts;
    std::int64_t clock_ms = 0;
    std::string gather_url;
    std::string dial_url;
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> sent;  // id, body
    std::string primed_session;  // callback mode: the call whose callbacks are replayed
    std::string primed_gather;
  };

  bool wanted(const Run& r, const Step& s) const {
    auto kind = s.kind;
    if (o_.only == "all") return true;
    // Callbacks need a state the service signed for the call: the connection's first call
    // asks for it (uncounted); later calls replay its callbacks, which the service serves
    // without keeping anything between them.
    if (o_.only == "callback" && kind == Kind::route) return r.primed_gather.empty();
    return o_.only == kKindNames[static_cast<size_t>(kind)];
  }

  void start(Run& r) {
    r.scenario = &scenario_of(calls_);
    r.step = 0;
    r.sent.clear();
    char sid[33];
    std::snprintf(sid, sizeof sid, "%s%016llx", run_.c_str(),
                  static_cast<unsigned long long>(calls_++));
    auto& f = r.facts;
    f.session = r.primed_session.empty() ? sid : r.primed_session;
    f.call_id = f.session + "@203.0.113.7";
    f.domain = o_.domain;
    f.from = "+14155550142";
    f.to = o_.to;
    f.direction = "inbound";
    f.application = "pbx-simulator";
    f.start_ms = unix_now() * 1000;
    f.answer_ms = 0;
    f.end_ms = 0;
    r.clock_ms = f.start_ms;
    r.gather_url = r.primed_gather;
    r.dial_url.clear();
  }

  // The call's virtual clock and what is known of it, also for steps left out by --only.
  static void pass_time(Run& r, const Step& s) {
    auto& f = r.facts;
    r.clock_ms += std::int64_t{s.seconds} * 1000;
    if ((s.status == "connected" || s.status == "answer") && !f.answer_ms) f.answer_ms = r.clock_ms;
    if (s.kind == Kind::session && s.status == r.scenario->terminal) f.end_ms = r.clock_ms;
  }

  Outgoing request(Run& r, const Step& s) const {
    switch (s.kind) {
      case Kind::route:
        return voice(r, Kind::route, "/api/voice/route", Json::object(), o_.only != "callback");
      case Kind::callback:
        if (!s.digits.empty()) return voice(r, s.kind, r.gather_url, {{"Digits", s.digits}}, true);
        return voice(r, s.kind, r.dial_url,
                     {{"DialCallStatus", s.status}, {"CallStatus", s.status}}, true);
      case Kind::session:
        return session(r, s);
      case Kind::cdr:
        return webhook("/api/webhooks/cloudonix/cdr",
                       cx::cdr(r.facts, std::string(r.scenario->disposition),
                               std::string(r.scenario->terminal))
                           .dump(),
                       "cdr", r.facts.session);
    }
    return {};
  }

  Outgoing voice(const Run& r, Kind kind, const std::string& target, Json extra,
                 bool counted) const {
    const auto& f = r.facts;
    auto params = cx::voice_parameters(f);
    params["CallerName"] = "Jordan Diaz";
    if (kind == Kind::route) {
      params["SessionData"] = {{"id", 1}, {"token", f.session}, {"domainId", 912}};
    }
    params.update(extra);
    auto headers = "Content-Type: application/json\r\nAuthorization: Bearer " + o_.key + "\r\n";
    return {http_request("POST", target, headers, params.dump()),
            kKindNames[static_cast<size_t>(kind)], "", counted};
  }

  Outgoing session(Run& r, const Step& s) const {
    auto status = std::string(s.status);
    if (s.again) {
      const auto& [id, body] = r.sent.at(status);
      return webhook("/api/webhooks/cloudonix/session-update", body, "session", id);
    }
    auto update = cx::session_update(r.facts, status, s.late ? r.clock_ms - 2000 : r.clock_ms,
                                     pbx::crypto::uuid_v4());
    auto id = update["eventId"].get<std::string>();
    auto body = update.dump();
    r.sent[status] = {id, body};
    return webhook("/api/webhooks/cloudonix/session-update", body, "session", id);
  }

  Outgoing webhook(const std::string& path, const std::string& body, const char* kind,
                   const std::string& id) const {
    return {http_request("POST", path, webhook_headers(o_, body), body), kind, id, true};
  }

  // What the service must answer at this step of the call; remembers the action URLs.
  bool expected(Run& r, const Step& s, std::string_view body) const {
    using V = sim::Verb::Kind;
    if (s.kind == Kind::session || s.kind == Kind::cdr) {
      auto outcome = s.again ? "\"status\":\"duplicate\"" : "\"status\":\"processed\"";
      return body.find(outcome) != std::string_view::npos;
    }
    std::vector<sim::Verb> verbs;
    try {
      verbs = sim::read_cxml(body);
    } catch (const sim::CxmlError&) {
      return false;
    }
    if (s.kind == Kind::route) {
      r.gather_url = action_of(verbs, V::gather);
      if (o_.only == "callback" && r.primed_gather.empty()) {
        r.primed_session = r.facts.session;
        r.primed_gather = r.gather_url;
      }
      return !r.gather_url.empty();
    }
    if (s.digits == "1") {
      r.dial_url = action_of(verbs, V::dial);
      return !r.dial_url.empty();
    }
    return has(verbs, V::hangup) && !has(verbs, V::dial) && !has(verbs, V::gather);
  }

  const Options& o_;
  std::string run_;
  std::vector<Run> runs_;
  uint64_t calls_ = 0;
};

// --- Measuring -----------------------------------------------------------------------------

struct Stats {
  std::vector<double> latencies;
  std::map<int, uint64_t> statuses;
  uint64_t socket_errors = 0;
  uint64_t unexpected = 0;

  Json to_json(double seconds) {
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
      if (latencies.empty()) return 0.0;
      return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * latencies.size()))];
    };
    uint64_t non_2xx = 0;
    Json status_json = Json::object();
    for (auto& [k, v] : statuses) {
      status_json[std::to_string(k)] = v;
      if (k / 100 != 2) non_2xx += v;
    }
    double mean = 0;
    for (double l : latencies) mean += l;
    if (!latencies.empty()) mean /= static_cast<double>(latencies.size());
    return {{"requests", latencies.size()},
            {"duration_s", seconds},
            {"rps", static_cast<double>(latencies.size()) / seconds},
            {"non_2xx", non_2xx},
            {"socket_errors", socket_errors},
            {"unexpected", unexpected},
            {"errors", non_2xx + socket_errors + unexpected},
            {"latency_ms",
             {{"p50", pct(0.50)},
              {"p90", pct(0.90)},
              {"p99", pct(0.99)},
              {"max", latencies.empty() ? 0 : latencies.back()},
              {"mean", mean}}},
            {"status_counts", status_json}};
  }
};

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

// Parses one complete response at the start of buf: its status (0 while incomplete), where
// its body starts, its total length, and whether the server will close.
int parse_response(const std::string& buf, size_t& body_at, size_t& total, bool& closing) {
  size_t header_end = buf.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  std::string lower = buf.substr(0, header_end);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  size_t length = 0;
  if (auto p = lower.find("content-length:"); p != std::string::npos) {
    length = std::strtoul(lower.c_str() + p + 15, nullptr, 10);
  }
  body_at = header_end + 4;
  total = body_at + length;
  if (buf.size() < total) return 0;
  closing = lower.find("connection: close") != std::string::npos;
  return std::atoi(buf.c_str() + 9);
}

struct Conn {
  size_t index = 0;
  int fd = -1;
  Outgoing req;  // the request being sent or awaited
  size_t sent = 0;
  std::string in;
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
  app.add_option("--mode", o.mode)->check(CLI::IsMember({"fixed", "webhook", "calls"}));
  app.add_option("--kind", o.kind, "fixed and webhook modes: the kind the requests count as");
  app.add_option("--secret", o.secret, "webhook HMAC secret");
  app.add_option("--domain", o.domain, "the tenant's Cloudonix domain (X-CX-Domain, Domain)");
  app.add_option("--key", o.key, "calls mode: the tenant's requests API key");
  app.add_option("--to", o.to, "calls mode: the DID called, which must lead to the IVR menu");
  app.add_option("--only", o.only, "calls mode: send only this kind of request")
      ->check(CLI::IsMember({"all", "route", "callback", "session", "cdr"}));
  app.add_option("--connections", o.connections)->check(CLI::PositiveNumber);
  app.add_option("--duration", o.duration, "measured seconds");
  app.add_option("--warmup", o.warmup, "seconds before measuring");
  app.add_option("--acked-file", o.acked_file,
                 "write '<kind> <id>' for every 2xx answer to a request with a unique id");
  CLI11_PARSE(app, argc, argv);
  if (o.host != "127.0.0.1") return 2;

  std::unique_ptr<Source> source;
  if (o.mode == "calls") {
    source = std::make_unique<CallSource>(o);
  } else {
    source = std::make_unique<TemplateSource>(o);
  }

  bool measuring = false;
  Stats total;
  std::map<std::string, Stats> kinds;
  uint64_t calls = 0;
  std::vector<std::string> acked;  // warm-up included: every acknowledged event must be stored
  total.latencies.reserve(1 << 20);

  int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<size_t>(o.connections));
  for (size_t i = 0; i < conns.size(); ++i) conns[i].index = i;
  auto next_request = [&](Conn& c) {
    c.req = source->next(c.index);
    c.sent = 0;
    c.t0 = Clock::now();
  };
  auto flush = [&](Conn& c) {  // false when the connection failed
    while (c.sent < c.req.text.size()) {
      ssize_t n = send(c.fd, c.req.text.data() + c.sent, c.req.text.size() - c.sent, MSG_NOSIGNAL);
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
  auto fail = [&](Conn& c) {  // the request in flight is lost with its connection
    if (measuring && c.req.counted) {
      ++total.socket_errors;
      ++kinds[c.req.kind].socket_errors;
    }
    source->lost(c.index);
    close_conn(c);
  };
  auto restart = [&](Conn& c) {  // reconnect and send a fresh request
    close_conn(c);
    while (!open_conn(c)) {
      ++total.socket_errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!flush(c)) fail(c);
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
        fail(c);
        continue;
      }
      if (!(events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) continue;
      ssize_t got;
      bool failed = false;
      while ((got = recv(c.fd, chunk, sizeof(chunk), 0)) > 0) {
        c.in.append(chunk, static_cast<size_t>(got));
      }
      if (got == 0 || (got < 0 && errno != EAGAIN)) failed = true;
      size_t body_at = 0;
      size_t length = 0;
      bool closing = false;
      int status = parse_response(c.in, body_at, length, closing);
      if (status == 0) {
        if (failed) fail(c);
        continue;
      }
      auto t1 = Clock::now();
      auto verdict = source->answered(c.index, status,
                                      std::string_view(c.in).substr(body_at, length - body_at));
      if (status / 100 == 2 && !c.req.ack.empty() && !o.acked_file.empty()) {
        acked.push_back(c.req.kind + " " + c.req.ack);
      }
      if (measuring && c.req.counted) {
        double ms = std::chrono::duration<double, std::milli>(t1 - c.t0).count();
        for (Stats* s : {&total, &kinds[c.req.kind]}) {
          s->latencies.push_back(ms);
          ++s->statuses[status];
          if (status / 100 == 2 && !verdict.expected) ++s->unexpected;
        }
        if (verdict.call_complete) ++calls;
      }
      c.in.erase(0, length);
      if (closing || failed) {
        close_conn(c);
        continue;
      }
      next_request(c);
      if (!flush(c)) fail(c);
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - measure_from).count();
  for (auto& c : conns) close_conn(c);
  close(ep);

  if (!o.acked_file.empty()) {
    std::ofstream out(o.acked_file);
    for (const auto& a : acked) out << a << "\n";
  }
  auto result = total.to_json(seconds);
  result["kinds"] = Json::object();
  for (auto& [name, stats] : kinds) result["kinds"][name] = stats.to_json(seconds);
  if (o.mode == "calls") {
    result["calls"] = calls;
    result["calls_per_s"] = static_cast<double>(calls) / seconds;
  }
  std::cout << result.dump() << "\n";
  return 0;
}
