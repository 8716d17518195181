#pragma once

#include "client/http_client.hpp"

#include <chrono>
#include <map>
#include <string>

namespace pbx::testing {

struct HttpResponse {
  int status = 0;  // 0: no answer (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower case
  std::string error;
  double seconds = 0;
};

// The service's HTTP client (client::curl_transport) with the tests' conveniences: headers as a
// map, a time limit per call. One per thread; keeps connections alive between calls.
class HttpClient {
 public:
  HttpClient();
  HttpClient(const HttpClient&) = delete;  // the connection is not to be shared
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse request(const std::string& method, const std::string& url,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(30));
  HttpResponse get(const std::string& url, const std::map<std::string, std::string>& headers = {}) {
    return request("GET", url, "", headers);
  }
  HttpResponse post_json(const std::string& url, const std::string& body,
                         std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    return request("POST", url, body, headers);
  }

 private:
  client::Transport transport_;
};

}  // namespace pbx::testing
