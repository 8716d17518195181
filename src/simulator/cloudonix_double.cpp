#include "simulator/cloudonix_double.hpp"

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/url.hpp"
#include "http/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <variant>

namespace pbx::simulator {

namespace {

// Both spellings of the subscriber password's key seen in Cloudonix's sources.
const std::vector<std::string> kPasswordKeys{"sipPassword", "sip-password"};
// Profile keys whose values must be JSON booleans (a string there is a 400, as documented).
const std::vector<std::string> kBooleanProfileKeys{
    "redirect-unknown-to-border", "subscribers-auto-progress", "allow-passthrough-caller-name"};
const std::vector<std::string> kStringProfileKeys{"authorization-api-key",
                                                  "session-update-endpoint",
                                                  "cdr-endpoint",
                                                  "recording-media-type",
                                                  "registration-free-control-endpoint",
                                                  "registration-free-control-endpoint-api-key",
                                                  "lcr-address"};
// Profile keys whose values are keys: masked in the request log like passwords.
const std::vector<std::string> kSecretProfileKeys{"authorization-api-key",
                                                  "registration-free-control-endpoint-api-key"};
constexpr size_t kMaxLog = 10000;

DoubleAnswer fail(int status, const std::string& message) {
  return {status, Json{{"status", false}, {"message", message}}.dump(), {}, {}};
}

DoubleAnswer ok(const Json& body) { return {200, body.dump(), {}, {}}; }

DoubleAnswer no_content() { return {204, "", {}, {}}; }

std::string random_password() { return crypto::to_hex(crypto::random_bytes(12)); }

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool is_one_of(const std::string& v, const std::vector<std::string>& set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// Finds by integer id, or by `key` (name, msisdn).
Json* find(std::vector<Json>& items, const std::string& id_or_key, const char* key) {
  for (auto& item : items) {
    if (std::to_string(item["id"].get<std::int64_t>()) == id_or_key) return &item;
    if (key != nullptr && item[key] == id_or_key) return &item;
  }
  return nullptr;
}

DoubleAnswer list_answer(const std::vector<Json>& items, bool empty_404, const char* what) {
  if (items.empty() && empty_404) return fail(404, fmt::format("No {} found", what));
  return ok(Json(items));
}

void touch(Json& item) { item["modifiedAt"] = now_iso(); }

// The message for a profile value of the wrong type, or "".
std::string profile_problem(const Json& profile) {
  if (!profile.is_object()) return "profile must be an object";
  for (const auto& [k, v] : profile.items()) {
    if (v.is_null()) continue;
    if (is_one_of(k, kBooleanProfileKeys) && !v.is_boolean()) {
      return fmt::format("profile.{} must be a boolean", k);
    }
    if (is_one_of(k, kStringProfileKeys) && !v.is_string()) {
      return fmt::format("profile.{} must be a string", k);
    }
    if (k == "call-timeout" && !v.is_number()) return "profile.call-timeout must be a number";
  }
  return "";
}

void merge_into(Json& profile, const Json& changes) {
  for (const auto& [k, v] : changes.items()) {
    if (v.is_null()) {
      profile.erase(k);
    } else {
      profile[k] = v;
    }
  }
}

// The subscriber's password, in whichever spelling it came; the spelling(s) go to `key`.
std::optional<std::string> password_of(const Json& body, std::string& key, std::string& problem) {
  std::optional<std::string> out;
  for (const auto& k : kPasswordKeys) {
    if (!body.contains(k)) continue;
    if (!body[k].is_string() || body[k].get<std::string>().empty()) {
      problem = k + " must be a non-empty string";
      return std::nullopt;
    }
    key += (key.empty() ? "" : ",") + k;
    out = body[k].get<std::string>();
  }
  return out;
}

std::string check_bool(const Json& body, const char* key) {
  if (body.contains(key) && !body[key].is_boolean()) return std::string(key) + " must be a boolean";
  return "";
}

// Cloudonix's compiled form of an exact-match source.
std::string compile_source(const std::string& source) {
  std::string out = "^";
  for (char c : source) {
    if (std::string_view("+.*?()[]{}|^$\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out + "$";
}

}  // namespace

Json mask_secrets(const Json& body) {
  if (body.is_array()) {
    Json out = Json::array();
    for (const auto& item : body) out.push_back(mask_secrets(item));
    return out;
  }
  if (body.is_string()) return log::redact(body.get<std::string>());
  if (!body.is_object()) return body;
  Json out = Json::object();
  for (const auto& [k, v] : body.items()) {
    out[k] = is_one_of(k, kPasswordKeys) || is_one_of(k, kSecretProfileKeys) ? Json("***")
                                                                             : mask_secrets(v);
  }
  return out;
}

Json switches_json(const DoubleSwitches& s) {
  Json out = {{"empty_list", s.empty_list_404 ? "404" : "[]"},
              {"profile_put", s.profile_put_replace ? "replace" : "merge"},
              {"rate_limit", s.rate_limit},
              {"rate_limit_requests", s.rate_limit_requests},
              {"rate_limit_window_ms", s.rate_limit_window.count()},
              {"retry_after", s.retry_after},
              {"fault", nullptr}};
  if (s.fault) {
    out["fault"] = {{"kind", s.fault->kind},         {"status", s.fault->status},
                    {"delay_ms", s.fault->delay_ms}, {"times", s.fault->times},
                    {"method", s.fault->method},     {"path_contains", s.fault->path_contains}};
  }
  return out;
}

void apply_switches(DoubleSwitches& s, const Json& changes) {
  if (!changes.is_object()) throw std::invalid_argument("switches must be a JSON object");
  DoubleSwitches next = s;
  auto want = [](bool good, const std::string& what) {
    if (!good) throw std::invalid_argument(what);
  };
  for (const auto& [k, v] : changes.items()) {
    if (k == "empty_list") {
      want(v == "404" || v == "[]", "empty_list must be \"404\" or \"[]\"");
      next.empty_list_404 = v == "404";
    } else if (k == "profile_put") {
      want(v == "merge" || v == "replace", "profile_put must be \"merge\" or \"replace\"");
      next.profile_put_replace = v == "replace";
    } else if (k == "rate_limit" || k == "retry_after") {
      want(v.is_boolean(), k + " must be true or false");
      (k == "rate_limit" ? next.rate_limit : next.retry_after) = v.get<bool>();
    } else if (k == "rate_limit_requests") {
      want(v.is_number_integer() && v.get<int>() > 0, k + " must be a positive integer");
      next.rate_limit_requests = v.get<int>();
    } else if (k == "rate_limit_window_ms") {
      want(v.is_number_integer() && v.get<int>() > 0, k + " must be a positive integer");
      next.rate_limit_window = std::chrono::milliseconds(v.get<int>());
    } else if (k == "fault") {
      if (v.is_null()) {
        next.fault.reset();
        continue;
      }
      want(v.is_object(), "fault must be an object or null");
      DoubleSwitches::Fault f;
      f.kind = v.value("kind", "");
      want(f.kind == "status" || f.kind == "timeout" || f.kind == "malformed",
           "fault.kind must be status, timeout or malformed");
      f.status = v.value("status", 500);
      want(f.status >= 400 && f.status <= 599, "fault.status must be from 400 to 599");
      f.delay_ms = v.value("delay_ms", 0);
      want(f.delay_ms >= 0 && f.delay_ms <= 600000, "fault.delay_ms must be from 0 to 600000");
      f.times = v.value("times", -1);
      want(f.times == -1 || f.times > 0, "fault.times must be -1 (always) or positive");
      f.method = v.value("method", "");
      f.path_contains = v.value("path_contains", "");
      next.fault = f;
    } else {
      throw std::invalid_argument("unknown switch " + k);
    }
  }
  s = next;
}

CloudonixDouble::CloudonixDouble(const std::vector<DoubleDomain>& domains, DoubleSwitches switches)
    : switches_(std::move(switches)) {
  for (const auto& d : domains) add_domain(d);
}

void CloudonixDouble::seed(Domain& d) {
  d.profile = Json::object();
  d.applications.clear();
  d.subscribers.clear();
  d.dnids.clear();
  d.recent.clear();
  for (const char* name : {"call-routing", "blackhole"}) {
    auto id = next_id_++;
    d.applications.push_back({{"id", id},
                              {"uuid", crypto::uuid_v4()},
                              {"name", name},
                              {"domainId", d.id},
                              {"type", "cxml"},
                              {"url", fmt::format("https://internal.cloudonix.io/{}", name)},
                              {"method", "POST"},
                              {"active", true},
                              {"profile", Json::object()},
                              {"createdAt", now_iso()},
                              {"modifiedAt", now_iso()}});
  }
  d.default_application = d.applications.front()["id"].get<std::int64_t>();
}

void CloudonixDouble::add_domain(const DoubleDomain& domain) {
  std::lock_guard lock(mu_);
  for (auto& d : domains_) {
    if (d.name == domain.name) {
      d.key = domain.key;
      return;
    }
  }
  Domain d;
  d.id = next_id_++;
  d.uuid = crypto::uuid_v4();
  d.name = domain.name;
  d.key = domain.key;
  seed(d);
  domains_.push_back(std::move(d));
}

void CloudonixDouble::reset() {
  std::lock_guard lock(mu_);
  for (auto& d : domains_) seed(d);
  log_.clear();
}

Json CloudonixDouble::domain_json(const Domain& d) const {
  Json app = nullptr;
  for (const auto& a : d.applications) {
    if (d.default_application && a["id"] == *d.default_application) app = a;
  }
  return {{"id", d.id},
          {"tenantId", 1},
          {"domain", d.name},
          {"uuid", d.uuid},
          {"active", true},
          {"defaultApplication", d.default_application ? Json(*d.default_application) : Json()},
          {"registrationFree", false},
          {"profile", d.profile},
          {"application", app},
          {"aliases", Json::array()},
          {"tenant", {{"id", 1}, {"name", "self"}}}};
}

std::optional<DoubleAnswer> CloudonixDouble::fault_for(const DoubleRequest& req) {
  auto& f = switches_.fault;
  if (!f || (!f->method.empty() && f->method != req.method) ||
      (!f->path_contains.empty() && req.path.find(f->path_contains) == std::string::npos)) {
    return std::nullopt;
  }
  DoubleAnswer out;
  if (f->kind == "status") {
    out = fail(f->status, "fault injected");
  } else if (f->kind == "timeout") {
    out = fail(504, "fault injected: answered late");
    out.delay = std::chrono::milliseconds(f->delay_ms);
  } else {
    out = {200, "{\"id\": 1, \"name\": <html>", {}, {}};
  }
  if (f->times > 0 && --f->times == 0) f.reset();
  return out;
}

void CloudonixDouble::record(const DoubleRequest& req, const DoubleAnswer& answer,
                             const std::string& password_key) {
  Json body = nullptr;
  if (!req.body.empty()) {
    auto parsed = Json::parse(req.body, nullptr, false);
    body = parsed.is_discarded() ? Json("<not JSON>") : mask_secrets(parsed);
  }
  log_.push_back({{"seq", ++seq_},
                  {"method", req.method},
                  {"path", req.path},
                  {"query", req.query},
                  {"status", answer.status},
                  {"body", body},
                  {"password_key", password_key.empty() ? Json() : Json(password_key)}});
  while (log_.size() > kMaxLog) log_.pop_front();
}

DoubleAnswer CloudonixDouble::handle(const DoubleRequest& req, Clock::time_point now) {
  std::lock_guard lock(mu_);
  std::string password_key;
  auto answer = [&]() -> DoubleAnswer {
    if (auto f = fault_for(req)) return *f;
    const std::string bearer = "Bearer ";
    if (req.authorization.size() <= bearer.size() || req.authorization.rfind(bearer, 0) != 0) {
      return fail(401, "Missing or invalid Authorization header");
    }
    auto key = req.authorization.substr(bearer.size());
    auto parts = http::split_path(req.path);
    if (parts.size() < 4 || parts[0] != "customers" || parts[1] != "self" ||
        parts[2] != "domains") {
      return fail(404, "Not found");
    }
    auto name = url::percent_decode(parts[3], false);
    Domain* domain = nullptr;
    for (auto& d : domains_) {
      if (name && (d.name == *name || std::to_string(d.id) == *name)) domain = &d;
    }
    bool key_known = std::any_of(domains_.begin(), domains_.end(),
                                 [&](const Domain& d) { return d.key == key; });
    if (!key_known) return fail(401, "Invalid API key");
    if (domain == nullptr) return fail(404, "Domain not found");
    if (domain->key != key) return fail(403, "API key not allowed on this domain");

    if (switches_.rate_limit) {
      auto& recent = domain->recent;
      while (!recent.empty() && now - recent.front() >= switches_.rate_limit_window) {
        recent.pop_front();
      }
      if (static_cast<int>(recent.size()) >= switches_.rate_limit_requests) {
        auto out = fail(429, "Too many requests");
        if (switches_.retry_after) {
          auto wait = std::chrono::ceil<std::chrono::seconds>(recent.front() +
                                                              switches_.rate_limit_window - now);
          out.headers.emplace_back("Retry-After", std::to_string(std::max<long>(1, wait.count())));
        }
        return out;
      }
      recent.push_back(now);
    }

    Json body;
    if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
      auto type = req.content_type.substr(0, req.content_type.find(';'));
      if (type != "application/json") return fail(400, "Content-Type must be application/json");
      body = Json::parse(req.body, nullptr, false);
      if (body.is_discarded()) return fail(400, "Malformed JSON body");
    }
    return route(*domain, req, {parts.begin() + 4, parts.end()}, body, password_key);
  }();
  record(req, answer, password_key);
  return answer;
}

DoubleAnswer CloudonixDouble::route(Domain& d, const DoubleRequest& req,
                                    const std::vector<std::string>& rest, const Json& body,
                                    std::string& password_key) {
  if (rest.empty()) return domain_object(d, req, body);
  if (rest.size() > 2) return fail(404, "Not found");
  if (rest[0] == "applications") return applications(d, req, rest, body);
  if (rest[0] == "subscribers") return subscribers(d, req, rest, body, password_key);
  if (rest[0] == "dnids") return dnids(d, req, rest, body);
  return fail(404, "Not found");
}

DoubleAnswer CloudonixDouble::domain_object(Domain& d, const DoubleRequest& req, const Json& body) {
  if (req.method == "GET") return ok(domain_json(d));
  if (req.method != "PUT" && req.method != "PATCH") return fail(405, "Method not allowed");
  if (!body.is_object()) return fail(400, "Body must be a JSON object");
  if (body.contains("profile")) {
    if (auto p = profile_problem(body["profile"]); !p.empty()) return fail(400, p);
  }
  if (auto p = check_bool(body, "active"); !p.empty()) return fail(400, p);
  std::optional<std::int64_t> default_app;
  if (body.contains("defaultApplication")) {
    const auto& v = body["defaultApplication"];
    if (!v.is_number_integer()) return fail(400, "defaultApplication must be an integer");
    if (find(d.applications, std::to_string(v.get<std::int64_t>()), nullptr) == nullptr) {
      return fail(400, "defaultApplication: no such application in this domain");
    }
    default_app = v.get<std::int64_t>();
  }
  if (body.contains("profile")) {
    if (req.method == "PUT" && switches_.profile_put_replace) d.profile = Json::object();
    merge_into(d.profile, body["profile"]);
  }
  if (default_app) d.default_application = default_app;
  return ok(domain_json(d));
}

DoubleAnswer CloudonixDouble::applications(Domain& d, const DoubleRequest& req,
                                           const std::vector<std::string>& rest, const Json& body) {
  auto check = [&](const Json& b, bool require_all) -> std::string {
    if (!b.is_object()) return "Body must be a JSON object";
    if (b.contains("name") && (!b["name"].is_string() || b["name"].get<std::string>().empty())) {
      return "name must be a non-empty string";
    }
    if (b.contains("type") && !(b["type"] == "cxml" || b["type"] == "twiml")) {
      return "type must be cxml or twiml";
    }
    if (b.contains("url") && !b["url"].is_string()) return "url must be a string";
    if (b.contains("method") && !(b["method"] == "GET" || b["method"] == "POST")) {
      return "method must be GET or POST";
    }
    if (b.contains("profile") && !b["profile"].is_object()) return "profile must be an object";
    if (auto p = check_bool(b, "active"); !p.empty()) return p;
    if (require_all) {
      for (const char* k : {"type", "url", "method"}) {
        if (!b.contains(k)) return std::string(k) + " is required";
      }
    }
    return "";
  };
  auto name_taken = [&](const Json& b, const Json* self) {
    if (!b.contains("name")) return false;
    auto* other = find(d.applications, b["name"].get<std::string>(), "name");
    return other != nullptr && other != self && (*other)["name"] == b["name"];
  };
  if (rest.size() == 1) {
    if (req.method == "GET") {
      return list_answer(d.applications, switches_.empty_list_404, "applications");
    }
    if (req.method != "POST") return fail(405, "Method not allowed");
    if (auto p = check(body, false); !p.empty()) return fail(400, p);
    for (const char* k : {"name", "type", "url"}) {
      if (!body.contains(k)) return fail(400, std::string(k) + " is required");
    }
    if (name_taken(body, nullptr)) return fail(409, "An application with this name exists");
    Json app = {{"id", next_id_++},
                {"uuid", crypto::uuid_v4()},
                {"name", body["name"]},
                {"domainId", d.id},
                {"type", body["type"]},
                {"url", body["url"]},
                {"method", body.value("method", "GET")},
                {"active", body.value("active", true)},
                {"profile", body.value("profile", Json::object())},
                {"createdAt", now_iso()},
                {"modifiedAt", now_iso()}};
    d.applications.push_back(app);
    return ok(app);
  }
  auto* app = find(d.applications, url::percent_decode(rest[1], false).value_or(""), "name");
  if (app == nullptr) return fail(404, "Application not found");
  if (req.method == "GET") return ok(*app);
  if (req.method == "DELETE") {
    auto id = (*app)["id"];
    d.applications.erase(std::remove_if(d.applications.begin(), d.applications.end(),
                                        [&](const Json& a) { return a["id"] == id; }),
                         d.applications.end());
    if (d.default_application && Json(*d.default_application) == id) {
      d.default_application.reset();
    }
    return no_content();
  }
  if (req.method != "PUT" && req.method != "PATCH") return fail(405, "Method not allowed");
  if (auto p = check(body, req.method == "PUT"); !p.empty()) return fail(400, p);
  if (name_taken(body, app)) return fail(409, "An application with this name exists");
  for (const char* k : {"name", "type", "url", "method", "active", "profile"}) {
    if (body.contains(k)) (*app)[k] = body[k];
  }
  touch(*app);
  return ok(*app);
}

DoubleAnswer CloudonixDouble::subscribers(Domain& d, const DoubleRequest& req,
                                          const std::vector<std::string>& rest, const Json& body,
                                          std::string& password_key) {
  auto check = [&](const Json& b, const Json* self, std::optional<std::string>& password) {
    if (!b.is_object()) return std::string("Body must be a JSON object");
    if (b.contains("msisdn")) {
      if (!b["msisdn"].is_string() || b["msisdn"].get<std::string>().empty()) {
        return std::string("msisdn must be a non-empty string");
      }
      auto* other = find(d.subscribers, b["msisdn"].get<std::string>(), "msisdn");
      if (other != nullptr && other != self && (*other)["msisdn"] == b["msisdn"]) {
        return std::string("409");
      }
    } else if (self == nullptr) {
      return std::string("msisdn is required");
    }
    if (auto p = check_bool(b, "active"); !p.empty()) return p;
    if (b.contains("profile") && !b["profile"].is_object()) {
      return std::string("profile must be an object");
    }
    std::string problem;
    password = password_of(b, password_key, problem);
    return problem;
  };
  auto problem_answer = [](const std::string& p) {
    return p == "409" ? fail(409, "A subscriber with this msisdn exists") : fail(400, p);
  };
  auto create = [&](const Json& b) -> std::variant<Json, DoubleAnswer> {
    std::optional<std::string> password;
    if (auto p = check(b, nullptr, password); !p.empty()) return problem_answer(p);
    Json s = {{"id", next_id_++},
              {"domainId", d.id},
              {"domain", d.name},
              {"msisdn", b["msisdn"]},
              {"uuid", crypto::uuid_v4()},
              {"active", b.value("active", true)},
              {"sipPassword", password.value_or(random_password())},
              {"profile", b.value("profile", Json::object())},
              {"createdAt", now_iso()},
              {"modifiedAt", now_iso()}};
    d.subscribers.push_back(s);
    return s;
  };
  if (rest.size() == 1) {
    if (req.method == "GET") {
      return list_answer(d.subscribers, switches_.empty_list_404, "subscribers");
    }
    if (req.method != "POST") return fail(405, "Method not allowed");
    if (!body.is_array()) {
      auto made = create(body);
      if (auto* a = std::get_if<DoubleAnswer>(&made)) return *a;
      return ok(std::get<Json>(made));
    }
    // Bulk: all or nothing.
    auto before = d.subscribers;
    Json out = Json::array();
    for (const auto& item : body) {
      auto made = create(item);
      if (auto* a = std::get_if<DoubleAnswer>(&made)) {
        d.subscribers = before;
        return *a;
      }
      out.push_back(std::get<Json>(made));
    }
    return ok(out);
  }
  auto* s = find(d.subscribers, url::percent_decode(rest[1], false).value_or(""), "msisdn");
  if (s == nullptr) return fail(404, "Subscriber not found");
  if (req.method == "GET") return ok(*s);
  if (req.method == "DELETE") {
    auto id = (*s)["id"];
    d.subscribers.erase(std::remove_if(d.subscribers.begin(), d.subscribers.end(),
                                       [&](const Json& x) { return x["id"] == id; }),
                        d.subscribers.end());
    return no_content();
  }
  if (req.method != "PUT" && req.method != "PATCH") return fail(405, "Method not allowed");
  std::optional<std::string> password;
  if (auto p = check(body, s, password); !p.empty()) return problem_answer(p);
  for (const char* k : {"msisdn", "active", "profile"}) {
    if (body.contains(k)) (*s)[k] = body[k];
  }
  if (password) (*s)["sipPassword"] = *password;
  touch(*s);
  return ok(*s);
}

DoubleAnswer CloudonixDouble::dnids(Domain& d, const DoubleRequest& req,
                                    const std::vector<std::string>& rest, const Json& body) {
  auto check = [&](const Json& b, const Json* self) -> std::string {
    if (!b.is_object()) return "Body must be a JSON object";
    if (b.contains("applicationId") || self == nullptr) {
      if (!b.contains("applicationId") || !b["applicationId"].is_number_integer()) {
        return "applicationId must be an integer";
      }
      if (find(d.applications, std::to_string(b["applicationId"].get<std::int64_t>()), nullptr) ==
          nullptr) {
        return "applicationId: no such application in this domain";
      }
    }
    if (b.contains("source") && b.contains("dnid")) return "Send source or dnid, not both";
    if (self == nullptr && !b.contains("source") && !b.contains("dnid")) {
      return "source or dnid is required";
    }
    for (const char* k : {"source", "dnid"}) {
      if (b.contains(k) && (!b[k].is_string() || b[k].get<std::string>().empty())) {
        return std::string(k) + " must be a non-empty string";
      }
    }
    int flags = 0;
    for (const char* k : {"prefix", "expression", "asteriskCompatible", "global", "active"}) {
      if (auto p = check_bool(b, k); !p.empty()) return p;
    }
    for (const char* k : {"prefix", "expression", "asteriskCompatible"}) {
      bool on = b.contains(k) ? b[k].get<bool>() : self != nullptr && (*self)[k].get<bool>();
      flags += on ? 1 : 0;
    }
    if (flags > 1) return "At most one of prefix, expression, asteriskCompatible may be true";
    if (b.contains("source")) {
      for (const auto& other : d.dnids) {
        if (&other != self && other["source"] == b["source"]) return "409";
      }
    }
    return "";
  };
  auto apply = [&](Json& x, const Json& b) {
    for (const char* k : {"applicationId", "prefix", "expression", "asteriskCompatible", "global",
                          "messagingApplicationId", "active"}) {
      if (b.contains(k)) x[k] = b[k];
    }
    if (b.contains("source")) {
      x["source"] = b["source"];
      x["dnid"] = compile_source(b["source"].get<std::string>());
    } else if (b.contains("dnid")) {
      x["source"] = nullptr;
      x["dnid"] = b["dnid"];
    }
    auto* app =
        find(d.applications, std::to_string(x["applicationId"].get<std::int64_t>()), nullptr);
    x["application"] =
        app != nullptr ? Json{{"id", (*app)["id"]}, {"name", (*app)["name"]}} : Json();
    touch(x);
  };
  auto problem_answer = [](const std::string& p) {
    return p == "409" ? fail(409, "A DNID with this source exists") : fail(400, p);
  };
  if (rest.size() == 1) {
    if (req.method == "GET") {
      return list_answer(d.dnids, switches_.empty_list_404, "DNIDs");
    }
    if (req.method != "POST") return fail(405, "Method not allowed");
    if (auto p = check(body, nullptr); !p.empty()) return problem_answer(p);
    Json x = {{"id", next_id_++}, {"domainId", d.id},      {"active", true},
              {"prefix", false},  {"expression", false},   {"asteriskCompatible", false},
              {"global", false},  {"createdAt", now_iso()}};
    apply(x, body);
    d.dnids.push_back(x);
    return no_content();
  }
  auto* x = find(d.dnids, rest[1], nullptr);
  if (x == nullptr) return fail(404, "DNID not found");
  if (req.method == "GET") return ok(*x);
  if (req.method == "DELETE") {
    auto id = (*x)["id"];
    d.dnids.erase(std::remove_if(d.dnids.begin(), d.dnids.end(),
                                 [&](const Json& y) { return y["id"] == id; }),
                  d.dnids.end());
    return no_content();
  }
  if (req.method != "PUT" && req.method != "PATCH") return fail(405, "Method not allowed");
  if (auto p = check(body, x); !p.empty()) return problem_answer(p);
  apply(*x, body);
  return no_content();
}

Json CloudonixDouble::state() const {
  std::lock_guard lock(mu_);
  Json out = Json::object();
  for (const auto& d : domains_) {
    out[d.name] = domain_json(d);
    out[d.name]["applications"] = d.applications;
    out[d.name]["subscribers"] = d.subscribers;
    out[d.name]["dnids"] = d.dnids;
  }
  return {{"domains", out}};
}

Json CloudonixDouble::log() const {
  std::lock_guard lock(mu_);
  return Json(std::vector<Json>(log_.begin(), log_.end()));
}

void CloudonixDouble::clear_log() {
  std::lock_guard lock(mu_);
  log_.clear();
}

Json CloudonixDouble::switches() const {
  std::lock_guard lock(mu_);
  return switches_json(switches_);
}

void CloudonixDouble::set_switches(const Json& changes) {
  std::lock_guard lock(mu_);
  apply_switches(switches_, changes);
  // A changed limit counts from now on.
  for (const char* k : {"rate_limit", "rate_limit_requests", "rate_limit_window_ms"}) {
    if (changes.contains(k)) {
      for (auto& d : domains_) d.recent.clear();
    }
  }
}

}  // namespace pbx::simulator
