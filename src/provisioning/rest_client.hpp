#pragma once

// A small client of Cloudonix's REST API (the control plane), scoped to one domain and one
// domain API key: the domain and its profile, voice applications, subscribers and DNIDs, all
// under /customers/self/domains/{domain}. Every call is blocking and answers a Result: the
// object, or a Failure that says whether trying again later can help (429, 5xx, timeouts,
// connection failures) or not (400, 401, 403, 404, ...).
//
// It never logs or returns the API key, and never logs a SIP password: only the method, the
// path and the status of each call are logged.

#include "client/http_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pbx::provisioning {

using Json = nlohmann::json;

inline constexpr const char* kDefaultApiUrl = "https://api.cloudonix.io";

// The subscriber password's JSON key is disputed between Cloudonix's sources: the OpenAPI
// document and working clients send "sipPassword", the data-model pages "sip-password". We
// send kSipPasswordKey; when the answer shows that Cloudonix kept another password, the same
// call is repeated once with kSipPasswordAltKey. Both are read.
inline constexpr const char* kSipPasswordKey = "sipPassword";
inline constexpr const char* kSipPasswordAltKey = "sip-password";

// The built-in applications of every domain, which we never touch.
inline const std::vector<std::string> kBuiltinApplications{"call-routing", "blackhole"};

struct Failure {
  int status = 0;          // Cloudonix's HTTP status; 0 when none came (timeout, refused, ...)
  bool retryable = false;  // 429, 5xx, 408, no answer, a malformed answer
  std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header
  std::string message;  // Cloudonix's "message", or what went wrong; never a key or password

  bool not_found() const { return status == 404; }
  // "Cloudonix answered 403: ..." / "Cloudonix did not answer: timeout ..."
  std::string describe() const;
};

// What a call that answers no object gives back.
struct Done {};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Failure failure) : v_(std::move(failure)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<T>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  const Failure& failure() const { return std::get<Failure>(v_); }

 private:
  std::variant<T, Failure> v_;
};

struct Domain {
  std::int64_t id = 0;
  std::string uuid;
  std::string name;  // "domain" in Cloudonix's object
  bool active = true;
  std::optional<std::int64_t> default_application;
  Json profile = Json::object();
};

struct Application {
  std::int64_t id = 0;
  std::string uuid;
  std::string name;
  std::string type;  // "cxml" or "twiml"
  std::string url;
  std::string method;  // "GET" or "POST"
  bool active = true;
  Json profile = Json::object();
};

struct ApplicationSpec {
  std::string name;
  std::string url;
  std::string type = "cxml";
  std::string method = "POST";
  Json profile = Json::object();
};

struct Subscriber {
  std::int64_t id = 0;
  std::string uuid;
  std::string msisdn;
  bool active = true;
  std::optional<std::string> sip_password;  // as Cloudonix answers it: never log it
  Json profile = Json::object();
};

struct SubscriberSpec {
  std::string msisdn;
  std::optional<bool> active;               // not sent when unset
  std::optional<std::string> sip_password;  // not sent when unset (update keeps the old one)
  std::optional<Json> profile;              // create sends {} when unset
};

struct Dnid {
  std::int64_t id = 0;
  std::int64_t application_id = 0;
  std::string source;  // the number as given ("+15551234567")
  std::string dnid;    // Cloudonix's compiled expression
  bool active = true;
  bool prefix = false;
  bool expression = false;
  bool asterisk_compatible = false;
};

struct DnidSpec {
  std::int64_t application_id = 0;
  std::string source;
  bool prefix = false;
  bool expression = false;
  bool asterisk_compatible = false;
  std::optional<bool> active;  // update only
};

struct ClientOptions {
  std::string base_url = kDefaultApiUrl;  // PBX_CLOUDONIX_API_URL
  std::string domain;                     // the domain's name, e.g. acme.cloudonix.net
  std::string api_key;                    // a domain API key
};

class Client {
 public:
  // The transport sets the timeouts (client::curl_transport(timeouts)); one client per thread.
  Client(ClientOptions options, client::Transport transport);

  // GET P: verifies the key and the domain.
  Result<Domain> get_domain();
  // The safe profile update: GET P, merge `keys` into the profile Cloudonix holds (a null
  // value removes that key), PUT P {"profile": <the whole merged profile>}. When the profile
  // already holds every key as given, nothing is sent and the domain as read is answered.
  Result<Domain> update_profile(const Json& keys);
  // The same from a domain just read (no GET of its own).
  Result<Domain> update_profile(const Domain& current, const Json& keys);
  // PUT P {"defaultApplication": id}.
  Result<Domain> set_default_application(std::int64_t application_id);

  // An empty list is [] whether Cloudonix answers [] or 404.
  Result<std::vector<Application>> list_applications();
  Result<Application> create_application(const ApplicationSpec& spec);
  // PUT P/applications/{name} with type, url, method and profile.
  Result<Application> update_application(const std::string& name, const ApplicationSpec& spec);

  Result<std::vector<Subscriber>> list_subscribers();
  // By id or msisdn; a missing one is a Failure with not_found().
  Result<Subscriber> get_subscriber(const std::string& id_or_msisdn);
  Result<Subscriber> create_subscriber(const SubscriberSpec& spec);
  Result<Subscriber> update_subscriber(const std::string& id_or_msisdn, const SubscriberSpec& spec);
  Result<Done> delete_subscriber(const std::string& id_or_msisdn);

  Result<std::vector<Dnid>> list_dnids();
  // Cloudonix answers 204 without a body: list again to learn the id.
  Result<Done> create_dnid(const DnidSpec& spec);
  Result<Done> update_dnid(std::int64_t id, const DnidSpec& spec);
  Result<Done> delete_dnid(std::int64_t id);

  const ClientOptions& options() const { return options_; }

 private:
  struct Answer;
  Answer call(const std::string& method, const std::string& path, const Json* body);
  std::string domain_path() const;

  ClientOptions options_;
  client::Transport transport_;
};

// Parsing of Cloudonix's objects; exposed for tests. They throw nlohmann::json::exception on
// a body of the wrong shape.
Domain parse_domain(const Json& j);
Application parse_application(const Json& j);
Subscriber parse_subscriber(const Json& j);
Dnid parse_dnid(const Json& j);

// The request bodies the client sends; exposed for tests.
Json application_body(const ApplicationSpec& spec);
Json subscriber_body(const SubscriberSpec& spec, bool create, const char* password_key);
Json dnid_body(const DnidSpec& spec, bool update);

// Classifies an HTTP status (0: no answer) as retryable or not.
bool retryable_status(int status);

}  // namespace pbx::provisioning
