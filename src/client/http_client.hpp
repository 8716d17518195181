#pragma once

// A blocking HTTP client on libcurl, for the service's outbound calls (Cloudonix's REST API)
// and for the simulator. The transport is a function so that callers are testable without a
// server.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pbx::client {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientRequest {
  ClientRequest() = default;
  ClientRequest(std::string method_, std::string url_, std::string body_ = "",
                HeaderList headers_ = {},
                std::optional<std::chrono::milliseconds> timeout_ = std::nullopt)
      : method(std::move(method_)),
        url(std::move(url_)),
        body(std::move(body_)),
        headers(std::move(headers_)),
        timeout(timeout_) {}

  std::string method;
  std::string url;
  std::string body;  // sent when not empty, and always on POST, PUT and PATCH
  HeaderList headers;
  // This request's total time limit, in place of the transport's.
  std::optional<std::chrono::milliseconds> timeout;
};

struct ClientAnswer {
  ClientAnswer() = default;
  ClientAnswer(int status_, std::string body_, std::string error_, HeaderList headers_ = {},
               bool timed_out_ = false)
      : status(status_),
        body(std::move(body_)),
        error(std::move(error_)),
        headers(std::move(headers_)),
        timed_out(timed_out_) {}

  int status = 0;  // 0: no answer, see error
  std::string body;
  std::string error;   // why no answer came: timeout, connection refused, ...
  HeaderList headers;  // of the answer, names lower case
  bool timed_out = false;
  double seconds = 0;  // how long the exchange took

  // The first header of that (lower case) name, or "".
  std::string header(const std::string& lower_name) const;
};

using Transport = std::function<ClientAnswer(const ClientRequest&)>;

struct ClientTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds total{15000};
};

// One connection kept alive between requests; not thread-safe.
Transport curl_transport(ClientTimeouts timeouts = {});

}  // namespace pbx::client
