#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace pbx {

// The one error type of the service. Each error has a kind, which is what callers test; the
// HTTP status of each kind is chosen in one place (`status()`, error.cpp), used only where an
// answer is written. http/ renders it as JSON (or CXML for Cloudonix).
class Error : public std::runtime_error {
 public:
  using FieldErrors = std::vector<std::pair<std::string, std::string>>;

  enum class Kind {
    bad_request,
    unauthorized,
    forbidden,
    not_found,
    method_not_allowed,
    length_required,
    conflict,
    too_large,
    unsupported_media_type,
    invalid,  // well-formed but refused: every bad field listed
    rate_limited,
    unavailable,  // a dependency failed; the same request may succeed later
    timed_out,    // ran past its time limit while the dependency answered: may succeed in
                  // smaller parts, or later
    upstream,     // a service called on the tenant's behalf refused or failed the work
    internal,
  };

  Error(Kind kind, std::string code, const std::string& message,
        nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(message),
        kind_(kind),
        code_(std::move(code)),
        details_(std::move(details)) {}

  Kind kind() const { return kind_; }
  // Worth retrying unchanged: the fault was the dependency's, not the request's.
  bool retryable() const { return kind_ == Kind::unavailable || kind_ == Kind::timed_out; }
  int status() const;
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  Error& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  static Error bad_request(std::string code, const std::string& message) {
    return {Kind::bad_request, std::move(code), message};
  }
  static Error unauthorized(const std::string& message = "authentication required") {
    return {Kind::unauthorized, "unauthorized", message};
  }
  static Error forbidden(const std::string& message = "not allowed") {
    return {Kind::forbidden, "forbidden", message};
  }
  static Error not_found(const std::string& message = "not found") {
    return {Kind::not_found, "not_found", message};
  }
  static Error method_not_allowed(const std::string& allow) {
    return Error{Kind::method_not_allowed, "method_not_allowed", "method not allowed"}.with_header(
        "Allow", allow);
  }
  static Error conflict(const std::string& message,
                        nlohmann::json details = nlohmann::json::object()) {
    return {Kind::conflict, "conflict", message, std::move(details)};
  }
  static Error payload_too_large(size_t limit) {
    return {Kind::too_large, "payload_too_large",
            "request body exceeds " + std::to_string(limit) + " bytes"};
  }
  static Error length_required() {
    return {Kind::length_required, "length_required", "request bodies need a Content-Length"};
  }
  static Error unsupported_media_type(const std::string& expected) {
    return {Kind::unsupported_media_type, "unsupported_media_type",
            "expected Content-Type " + expected};
  }
  // Every bad field at once: details.fields = {"field": ["message", ...]}.
  static Error validation(const FieldErrors& fields);
  static Error rate_limited(int retry_after_seconds) {
    return Error{Kind::rate_limited, "rate_limited", "too many requests"}.with_header(
        "Retry-After", std::to_string(retry_after_seconds));
  }
  static Error unavailable(const std::string& message,
                           nlohmann::json details = nlohmann::json::object()) {
    return {Kind::unavailable, "unavailable", message, std::move(details)};
  }
  static Error timeout(const std::string& message) {
    return {Kind::timed_out, "unavailable", message};
  }
  // A service called on the tenant's behalf (Cloudonix) refused or failed the work.
  static Error upstream(const std::string& message,
                        nlohmann::json details = nlohmann::json::object()) {
    return {Kind::upstream, "upstream_failed", message, std::move(details)};
  }
  static Error internal() { return {Kind::internal, "internal", "internal error"}; }

 private:
  Kind kind_;
  std::string code_;
  nlohmann::json details_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace pbx
