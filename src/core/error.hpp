#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pbx {

// The one error type of the service. Its factories fix the HTTP status for each code, so the
// mapping to HTTP lives here and nowhere else; http/ renders it as JSON (or CXML for Cloudonix).
class Error : public std::runtime_error {
 public:
  using FieldErrors = std::vector<std::pair<std::string, std::string>>;

  Error(int status, std::string code, const std::string& message,
        nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        details_(std::move(details)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  bool timed_out() const { return timed_out_; }
  Error& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  static Error bad_request(std::string code, const std::string& message) {
    return {400, std::move(code), message};
  }
  static Error unauthorized(const std::string& message = "authentication required") {
    return {401, "unauthorized", message};
  }
  static Error forbidden(const std::string& message = "not allowed") {
    return {403, "forbidden", message};
  }
  static Error not_found(const std::string& message = "not found") {
    return {404, "not_found", message};
  }
  static Error method_not_allowed(const std::string& allow) {
    return Error{405, "method_not_allowed", "method not allowed"}.with_header("Allow", allow);
  }
  static Error conflict(const std::string& message,
                        nlohmann::json details = nlohmann::json::object()) {
    return {409, "conflict", message, std::move(details)};
  }
  static Error payload_too_large(size_t limit) {
    return {413, "payload_too_large", "request body exceeds " + std::to_string(limit) + " bytes"};
  }
  static Error length_required() {
    return {411, "length_required", "request bodies need a Content-Length"};
  }
  static Error unsupported_media_type(const std::string& expected) {
    return {415, "unsupported_media_type", "expected Content-Type " + expected};
  }
  // 422 with every bad field at once: details.fields = {"field": ["message", ...]}.
  static Error validation(const FieldErrors& fields);
  static Error rate_limited(int retry_after_seconds) {
    return Error{429, "rate_limited", "too many requests"}.with_header(
        "Retry-After", std::to_string(retry_after_seconds));
  }
  static Error unavailable(const std::string& message,
                           nlohmann::json details = nlohmann::json::object()) {
    return {503, "unavailable", message, std::move(details)};
  }
  // A 503 because the work ran past its time limit while the dependency answered: the same
  // work may succeed in smaller parts, or later.
  static Error timeout(const std::string& message) {
    Error e{503, "unavailable", message};
    e.timed_out_ = true;
    return e;
  }
  // A service we call on the tenant's behalf (Cloudonix) refused or failed the work.
  static Error upstream(const std::string& message,
                        nlohmann::json details = nlohmann::json::object()) {
    return {502, "upstream_failed", message, std::move(details)};
  }
  static Error internal() { return {500, "internal", "internal error"}; }

 private:
  int status_;
  std::string code_;
  nlohmann::json details_;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool timed_out_ = false;
};

}  // namespace pbx
