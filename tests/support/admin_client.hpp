#pragma once

#include "support/http_client.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace pbx::testing {

struct ApiResult {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::map<std::string, std::string> headers;

  // details.fields of a 422, as {"field": ["message", ...]}.
  const nlohmann::json& fields() const;
  std::string id() const { return body.value("id", ""); }
};

// The admin API as an operator's script uses it: bearer token, JSON in and out.
class AdminClient {
 public:
  AdminClient(std::string base_url, std::string token)
      : base_url_(std::move(base_url)), token_(std::move(token)) {}

  ApiResult get(const std::string& path);
  ApiResult post(const std::string& path, const nlohmann::json& body,
                 std::map<std::string, std::string> headers = {});
  ApiResult patch(const std::string& path, const nlohmann::json& body);
  ApiResult del(const std::string& path);
  ApiResult send(const std::string& method, const std::string& path, const std::string& body,
                 std::map<std::string, std::string> headers = {});
  const std::string& token() const { return token_; }

 private:
  HttpClient http_;
  std::string base_url_;
  std::string token_;
};

// Logs in with e-mail and password; returns the access token ("" on failure).
std::string login(const std::string& base_url, const std::string& email,
                  const std::string& password);

}  // namespace pbx::testing
