#pragma once

#include "core/url.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbx::http {

struct Request {
  std::string method;  // upper case: "GET", "POST", ...
  std::string path;
  url::Params query;        // decoded, in arrival order
  url::Params path_params;  // from "{name}" segments of the matched route
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case
  std::string body;
  std::string request_id;
  std::string remote_ip;  // the client: the peer, or whom a trusted proxy forwarded for
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();

  std::optional<std::string_view> header(std::string_view lower_name) const;
  const std::string* query_param(std::string_view name) const {
    return url::find_param(query, name);
  }
  const std::string& path_param(std::string_view name) const;
  // The media type without parameters, lower case: "application/json".
  std::string media_type() const;
};

// Sends one piece of a streamed body; false once the client has gone away.
using BodyWriter = std::function<bool(std::string_view)>;
// Produces a streamed body through write; returns false when it had to stop before the end.
// It runs on a thread of its own, never on a reactor thread, so it may block.
using BodyProducer = std::function<bool(const BodyWriter& write)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is produced piece by piece (chunked transfer encoding) instead of `body`.
  BodyProducer producer;

  static Response json(int status, const nlohmann::json& body);
  static Response xml(int status, std::string body);
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response stream(int status, std::string content_type, BodyProducer producer);
};

}  // namespace pbx::http
