#include "support/http_client.hpp"

namespace pbx::testing {

HttpClient::HttpClient() : transport_(client::curl_transport()) {}

HttpResponse HttpClient::request(const std::string& method, const std::string& url,
                                 const std::string& body,
                                 const std::map<std::string, std::string>& headers,
                                 std::chrono::milliseconds timeout) {
  client::ClientRequest req{method, url, body, {headers.begin(), headers.end()}, timeout};
  auto answer = transport_(req);
  HttpResponse r{
      answer.status, std::move(answer.body), {}, std::move(answer.error), answer.seconds};
  // A repeated header keeps its last value.
  for (auto& [name, value] : answer.headers) r.headers[name] = std::move(value);
  return r;
}

}  // namespace pbx::testing
