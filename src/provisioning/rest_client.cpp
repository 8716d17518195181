#include "provisioning/rest_client.hpp"

#include "core/url.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace pbx::provisioning {

namespace {

// Cloudonix's messages are short; a proxy's HTML error page is not worth keeping whole.
constexpr size_t kMaxMessage = 200;

std::string string_of(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  throw Json::type_error::create(302, std::string(key) + " is not an integer", &j);
}

bool bool_of(const Json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

Json object_of(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : Json::object();
}

std::optional<std::chrono::seconds> retry_after_of(const std::string& value) {
  long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

// The list in a bare array, or (defensively) in an object's member of that name.
const Json& list_of(const Json& body, const char* member) {
  if (body.is_object() && body.contains(member) && body[member].is_array()) return body[member];
  if (!body.is_array()) throw Json::type_error::create(302, "expected a JSON array", &body);
  return body;
}

}  // namespace

std::string Failure::describe() const {
  if (status == 0) return "Cloudonix did not answer: " + message;
  return "Cloudonix answered " + std::to_string(status) + (message.empty() ? "" : ": " + message);
}

bool retryable_status(int status) {
  return status == 0 || status == 408 || status == 429 || status >= 500;
}

Domain parse_domain(const Json& j) {
  Domain d;
  d.id = int_of(j, "id");
  d.uuid = string_of(j, "uuid");
  d.name = string_of(j, "domain");
  d.active = bool_of(j, "active", true);
  if (auto it = j.find("defaultApplication"); it != j.end() && it->is_number_integer()) {
    d.default_application = it->get<std::int64_t>();
  }
  d.profile = object_of(j, "profile");
  return d;
}

Application parse_application(const Json& j) {
  Application a;
  a.id = int_of(j, "id");
  a.uuid = string_of(j, "uuid");
  a.name = string_of(j, "name");
  a.type = string_of(j, "type");
  a.url = string_of(j, "url");
  a.method = string_of(j, "method");
  a.active = bool_of(j, "active", true);
  a.profile = object_of(j, "profile");
  return a;
}

Subscriber parse_subscriber(const Json& j) {
  Subscriber s;
  s.id = int_of(j, "id");
  s.uuid = string_of(j, "uuid");
  s.msisdn = string_of(j, "msisdn");
  s.active = bool_of(j, "active", true);
  for (const char* key : {kSipPasswordKey, kSipPasswordAltKey}) {
    if (auto it = j.find(key); it != j.end() && it->is_string()) {
      s.sip_password = it->get<std::string>();
      break;
    }
  }
  s.profile = object_of(j, "profile");
  return s;
}

Dnid parse_dnid(const Json& j) {
  Dnid d;
  d.id = int_of(j, "id");
  d.application_id = int_of(j, "applicationId");
  d.source = string_of(j, "source");
  d.dnid = string_of(j, "dnid");
  d.active = bool_of(j, "active", true);
  d.prefix = bool_of(j, "prefix", false);
  d.expression = bool_of(j, "expression", false);
  d.asterisk_compatible = bool_of(j, "asteriskCompatible", false);
  return d;
}

Json application_body(const ApplicationSpec& spec) {
  return {{"name", spec.name},
          {"type", spec.type},
          {"url", spec.url},
          {"method", spec.method},
          {"profile", spec.profile}};
}

Json subscriber_body(const SubscriberSpec& spec, bool create, const char* password_key) {
  Json body = {{"msisdn", spec.msisdn}};
  if (spec.sip_password) body[password_key] = *spec.sip_password;
  if (spec.active) body["active"] = *spec.active;
  if (spec.profile) {
    body["profile"] = *spec.profile;
  } else if (create) {
    body["profile"] = Json::object();
  }
  return body;
}

Json dnid_body(const DnidSpec& spec, bool update) {
  Json body = {{"applicationId", spec.application_id},
               {"source", spec.source},
               {"prefix", spec.prefix},
               {"expression", spec.expression},
               {"asteriskCompatible", spec.asterisk_compatible}};
  if (update && spec.active) body["active"] = *spec.active;
  return body;
}

struct Client::Answer {
  int status = 0;
  Json body;  // null when the answer had none
  std::optional<Failure> failure;
};

Client::Client(ClientOptions options, client::Transport transport)
    : options_(std::move(options)), transport_(std::move(transport)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
}

std::string Client::domain_path() const {
  return "/customers/self/domains/" + url::percent_encode(options_.domain);
}

Client::Answer Client::call(const std::string& method, const std::string& path, const Json* body) {
  client::ClientRequest req{method, options_.base_url + path, "", {}};
  req.headers = {{"Authorization", "Bearer " + options_.api_key}, {"Accept", "application/json"}};
  if (body != nullptr) {
    req.body = body->dump();
    req.headers.emplace_back("Content-Type", "application/json");
  }
  auto raw = transport_(req);
  // Only the method, path and status: bodies hold SIP passwords and profile keys.
  spdlog::debug("cloudonix {} {} -> {}", method, path, raw.status);
  Answer answer;
  answer.status = raw.status;
  if (raw.status == 0) {
    answer.failure = Failure{0, true, std::nullopt, raw.timed_out ? "timeout" : raw.error};
    return answer;
  }
  Json parsed = Json::parse(raw.body, nullptr, false);
  if (raw.status >= 200 && raw.status < 300) {
    if (raw.body.empty()) return answer;
    if (parsed.is_discarded()) {
      answer.failure = Failure{raw.status, true, std::nullopt, "malformed answer (not JSON)"};
    } else {
      answer.body = std::move(parsed);
    }
    return answer;
  }
  Failure f{raw.status, retryable_status(raw.status), retry_after_of(raw.header("retry-after")),
            ""};
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    f.message = parsed["message"].get<std::string>().substr(0, kMaxMessage);
  }
  answer.failure = std::move(f);
  return answer;
}

namespace {

// The object of a successful answer, parsed; a body of the wrong shape is a failure that may
// pass (Cloudonix or a proxy in front of it answering garbage).
template <typename T, typename Parse>
Result<T> object_answer(int status, const Json& body, Parse parse) {
  try {
    if (!body.is_object()) throw Json::type_error::create(302, "expected a JSON object", &body);
    return parse(body);
  } catch (const Json::exception& e) {
    return Failure{status, true, std::nullopt, std::string("malformed answer: ") + e.what()};
  }
}

template <typename T, typename Parse>
Result<std::vector<T>> list_answer(int status, const Json& body, const char* member, Parse parse) {
  try {
    std::vector<T> out;
    if (body.is_null()) return out;
    for (const auto& item : list_of(body, member)) {
      if (!item.is_object()) throw Json::type_error::create(302, "expected objects", &item);
      out.push_back(parse(item));
    }
    return out;
  } catch (const Json::exception& e) {
    return Failure{status, true, std::nullopt, std::string("malformed answer: ") + e.what()};
  }
}

}  // namespace

Result<Domain> Client::get_domain() {
  auto a = call("GET", domain_path(), nullptr);
  if (a.failure) return *a.failure;
  return object_answer<Domain>(a.status, a.body, parse_domain);
}

Result<Domain> Client::update_profile(const Json& keys) {
  auto current = get_domain();
  if (!current) return current;
  return update_profile(current.value(), keys);
}

Result<Domain> Client::update_profile(const Domain& current, const Json& keys) {
  Json merged = current.profile;
  for (const auto& [k, v] : keys.items()) {
    if (v.is_null()) {
      merged.erase(k);
    } else {
      merged[k] = v;
    }
  }
  if (merged == current.profile) return current;
  Json body = {{"profile", merged}};
  auto a = call("PUT", domain_path(), &body);
  if (a.failure) return *a.failure;
  if (a.body.is_null()) {
    Domain d = current;
    d.profile = merged;
    return d;
  }
  return object_answer<Domain>(a.status, a.body, parse_domain);
}

Result<Domain> Client::set_default_application(std::int64_t application_id) {
  Json body = {{"defaultApplication", application_id}};
  auto a = call("PUT", domain_path(), &body);
  if (a.failure) return *a.failure;
  if (a.body.is_null()) return get_domain();
  return object_answer<Domain>(a.status, a.body, parse_domain);
}

Result<std::vector<Application>> Client::list_applications() {
  auto a = call("GET", domain_path() + "/applications", nullptr);
  if (a.failure && a.failure->not_found()) return std::vector<Application>{};
  if (a.failure) return *a.failure;
  return list_answer<Application>(a.status, a.body, "applications", parse_application);
}

Result<Application> Client::create_application(const ApplicationSpec& spec) {
  auto body = application_body(spec);
  auto a = call("POST", domain_path() + "/applications", &body);
  if (a.failure) return *a.failure;
  return object_answer<Application>(a.status, a.body, parse_application);
}

Result<Application> Client::update_application(const std::string& name,
                                               const ApplicationSpec& spec) {
  auto body = application_body(spec);
  body.erase("name");
  auto a = call("PUT", domain_path() + "/applications/" + url::percent_encode(name), &body);
  if (a.failure) return *a.failure;
  return object_answer<Application>(a.status, a.body, parse_application);
}

Result<std::vector<Subscriber>> Client::list_subscribers() {
  auto a = call("GET", domain_path() + "/subscribers", nullptr);
  if (a.failure && a.failure->not_found()) return std::vector<Subscriber>{};
  if (a.failure) return *a.failure;
  return list_answer<Subscriber>(a.status, a.body, "subscribers", parse_subscriber);
}

Result<Subscriber> Client::get_subscriber(const std::string& id_or_msisdn) {
  auto a =
      call("GET", domain_path() + "/subscribers/" + url::percent_encode(id_or_msisdn), nullptr);
  if (a.failure) return *a.failure;
  return object_answer<Subscriber>(a.status, a.body, parse_subscriber);
}

namespace {

// Whether Cloudonix kept the password we sent (an answer without one tells nothing).
bool password_taken(const SubscriberSpec& spec, const Subscriber& s) {
  return !spec.sip_password || !s.sip_password || *s.sip_password == *spec.sip_password;
}

}  // namespace

Result<Subscriber> Client::create_subscriber(const SubscriberSpec& spec) {
  auto body = subscriber_body(spec, true, kSipPasswordKey);
  auto a = call("POST", domain_path() + "/subscribers", &body);
  if (a.failure) return *a.failure;
  auto created = object_answer<Subscriber>(a.status, a.body, parse_subscriber);
  if (!created || password_taken(spec, *created)) return created;
  SubscriberSpec again = spec;
  again.profile.reset();
  return update_subscriber(std::to_string(created->id), again);
}

Result<Subscriber> Client::update_subscriber(const std::string& id_or_msisdn,
                                             const SubscriberSpec& spec) {
  auto path = domain_path() + "/subscribers/" + url::percent_encode(id_or_msisdn);
  Result<Subscriber> updated = Failure{};
  for (const char* key : {kSipPasswordKey, kSipPasswordAltKey}) {
    auto body = subscriber_body(spec, false, key);
    auto a = call("PUT", path, &body);
    if (a.failure) return *a.failure;
    updated = object_answer<Subscriber>(a.status, a.body, parse_subscriber);
    if (!updated || password_taken(spec, *updated)) return updated;
  }
  return Failure{200, false, std::nullopt,
                 "Cloudonix kept another SIP password under both spellings of its key"};
}

Result<Done> Client::delete_subscriber(const std::string& id_or_msisdn) {
  auto a =
      call("DELETE", domain_path() + "/subscribers/" + url::percent_encode(id_or_msisdn), nullptr);
  if (a.failure) return *a.failure;
  return Done{};
}

Result<std::vector<Dnid>> Client::list_dnids() {
  auto a = call("GET", domain_path() + "/dnids", nullptr);
  if (a.failure && a.failure->not_found()) return std::vector<Dnid>{};
  if (a.failure) return *a.failure;
  return list_answer<Dnid>(a.status, a.body, "dnids", parse_dnid);
}

Result<Done> Client::create_dnid(const DnidSpec& spec) {
  auto body = dnid_body(spec, false);
  auto a = call("POST", domain_path() + "/dnids", &body);
  if (a.failure) return *a.failure;
  return Done{};
}

Result<Done> Client::update_dnid(std::int64_t id, const DnidSpec& spec) {
  auto body = dnid_body(spec, true);
  auto a = call("PUT", domain_path() + "/dnids/" + std::to_string(id), &body);
  if (a.failure) return *a.failure;
  return Done{};
}

Result<Done> Client::delete_dnid(std::int64_t id) {
  auto a = call("DELETE", domain_path() + "/dnids/" + std::to_string(id), nullptr);
  if (a.failure) return *a.failure;
  return Done{};
}

}  // namespace pbx::provisioning
