#pragma once

#include "support/http_client.hpp"

#include <pugixml.hpp>

#include <map>
#include <string>

namespace pbx::testing {

// A CXML answer, for assertions.
struct Cxml {
  int status = 0;
  std::string raw;
  std::string request_id;  // the service's X-Request-Id
  pugi::xml_document doc;

  // The verbs in order, with the nouns or text that matter:
  // "Say(Hello) Dial[Number:1001,Number:1002] Hangup".
  std::string summary() const;
  // An attribute of the first element matching the XPath ("" when absent).
  std::string attr(const std::string& xpath, const std::string& name) const;
  // The first action URL in the document ("" when none).
  std::string action() const;
};

// The summary (as Cxml::summary) of a CXML text; "" when it is not XML.
std::string summarize_cxml(const std::string& xml);

// Plays Cloudonix against a service: posts voice requests with the tenant's key and follows
// action URLs by sending them to `base_url` (their host is the tenant's public address).
class VoiceClient {
 public:
  VoiceClient(std::string base_url, std::string key, std::string public_base_url);

  Cxml route(const std::map<std::string, std::string>& params);
  // Posts to an action URL taken from a previous answer.
  Cxml callback(const std::string& action_url, const std::map<std::string, std::string>& params);
  // Fetches an action URL by GET, the parameters appended to its query string.
  Cxml callback_get(const std::string& action_url,
                    const std::map<std::string, std::string>& params);
  Cxml post(const std::string& path, const std::string& body,
            const std::map<std::string, std::string>& headers);
  Cxml send(const std::string& method, const std::string& path, const std::string& body,
            const std::map<std::string, std::string>& headers);

 private:
  HttpClient http_;
  std::string base_url_;
  std::string key_;
  std::string public_base_url_;
};

}  // namespace pbx::testing
