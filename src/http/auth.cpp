#include "http/auth.hpp"

#include <strings.h>

namespace pbx::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view bearer_token(const Request& req) {
  auto header = req.header("authorization");
  if (!header) return {};
  auto value = trim(*header);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      strncasecmp(value.data(), kScheme.data(), kScheme.size()) != 0) {
    return {};
  }
  return trim(value.substr(kScheme.size()));
}

std::string_view requests_api_key(const Request& req) {
  if (auto token = bearer_token(req); !token.empty()) return token;
  if (auto key = req.header("x-cx-apikey")) return trim(*key);
  return {};
}

}  // namespace pbx::http
