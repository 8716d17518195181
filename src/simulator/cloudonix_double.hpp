#pragma once

// A local stand-in for Cloudonix's REST API (the control plane), with the behaviour that the
// reference of that API pins down: bearer keys bound to one domain, only the
// /customers/self/domains/{domain}/... paths, validated bodies, state with integer ids and
// uuids, lists as bare arrays (empty as 404, or [] by switch), the rate limit of 10 requests
// per 3 s per domain, fault switches and a log of every request. The logic is here, free of
// HTTP, so that it is testable in-process; double_command.* serves it.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pbx::simulator {

using Json = nlohmann::json;

struct DoubleDomain {
  std::string name;  // e.g. demo.cloudonix.net
  std::string key;   // the domain API key that reaches it (and only it)
};

// What the double does beyond the plain API, all changeable while it runs (PUT
// /_double/switches with any subset of these members).
struct DoubleSwitches {
  bool empty_list_404 = true;        // "empty_list": "404" (as documented) or "[]"
  bool profile_put_replace = false;  // "profile_put": "merge" or "replace"
  bool rate_limit = true;            // 10 requests per 3 s per domain, then 429
  int rate_limit_requests = 10;
  std::chrono::milliseconds rate_limit_window{3000};
  bool retry_after = false;  // 429s carry Retry-After (undocumented by Cloudonix)

  // One fault rule: the next `times` matching requests (-1: all) fail as `kind` says.
  struct Fault {
    std::string kind;  // "status" (answer `status`), "timeout" (answer after `delay_ms`),
                       // "malformed" (200 with a body that is not JSON)
    int status = 500;
    int delay_ms = 0;
    int times = -1;
    std::string method;         // empty: any
    std::string path_contains;  // empty: any
  };
  std::optional<Fault> fault;
};

Json switches_json(const DoubleSwitches& s);
// Applies the members present; throws std::invalid_argument naming a bad one.
void apply_switches(DoubleSwitches& s, const Json& changes);

struct DoubleRequest {
  std::string method;
  std::string path;  // as sent, percent-encoded, without the query string
  std::string query;
  std::string authorization;  // the header's value, "" when absent
  std::string content_type;   // the header's value, "" when absent
  std::string body;
};

struct DoubleAnswer {
  int status = 200;
  std::string body;  // JSON, or empty (204)
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // answer only after this long (the timeout fault)
};

class CloudonixDouble {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CloudonixDouble(std::vector<DoubleDomain> domains, DoubleSwitches switches = {});

  // One request of the Cloudonix API. Thread-safe.
  DoubleAnswer handle(const DoubleRequest& req, Clock::time_point now = Clock::now());

  // The control side (served under /_double/): state, log, switches.
  Json state() const;
  Json log() const;
  void clear_log();
  Json switches() const;
  void set_switches(const Json& changes);
  // Adds a domain (with the seeded applications) or changes its key.
  void add_domain(const DoubleDomain& domain);
  // Forgets every object and the log; the domains stay, reseeded.
  void reset();

 private:
  struct Domain {
    std::int64_t id = 0;
    std::string uuid;
    std::string name;
    std::string key;
    Json profile = Json::object();
    std::optional<std::int64_t> default_application;
    std::vector<Json> applications;
    std::vector<Json> subscribers;
    std::vector<Json> dnids;
    std::deque<Clock::time_point> recent;  // accepted requests inside the rate window
  };

  DoubleAnswer route(Domain& d, const DoubleRequest& req, const std::vector<std::string>& rest,
                     const Json& body, std::string& password_key);
  DoubleAnswer domain_object(Domain& d, const DoubleRequest& req, const Json& body);
  DoubleAnswer applications(Domain& d, const DoubleRequest& req,
                            const std::vector<std::string>& rest, const Json& body);
  DoubleAnswer subscribers(Domain& d, const DoubleRequest& req,
                           const std::vector<std::string>& rest, const Json& body,
                           std::string& password_key);
  DoubleAnswer dnids(Domain& d, const DoubleRequest& req, const std::vector<std::string>& rest,
                     const Json& body);
  Json domain_json(const Domain& d) const;
  void seed(Domain& d);
  std::optional<DoubleAnswer> fault_for(const DoubleRequest& req);
  void record(const DoubleRequest& req, const DoubleAnswer& answer,
              const std::string& password_key);

  mutable std::mutex mu_;
  std::vector<Domain> domains_;
  DoubleSwitches switches_;
  std::deque<Json> log_;
  std::int64_t next_id_ = 1;
  std::int64_t seq_ = 0;
};

// The body as the request log keeps it: every password (both spellings) and profile API key
// replaced by "***", and every ?token= value in a URL by [redacted], at any depth.
Json mask_secrets(const Json& body);

}  // namespace pbx::simulator
