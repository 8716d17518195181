#pragma once

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

// A blocking HTTP/1.1 client on libcurl; one per thread. Keeps connections alive between
// calls. Never sends "Expect: 100-continue" (the server does not support it).
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
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
  void* curl_;
};

}  // namespace pbx::testing
