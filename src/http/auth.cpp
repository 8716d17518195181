#include "http/auth.hpp"

#include "core/text.hpp"

#include <strings.h>

namespace pbx::http {

std::string_view bearer_token(const Request& req) {
  auto header = req.header("authorization");
  if (!header) return {};
  auto value = text::trim_ows(*header);
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      strncasecmp(value.data(), kScheme.data(), kScheme.size()) != 0) {
    return {};
  }
  return text::trim_ows(value.substr(kScheme.size()));
}

std::string_view requests_api_key(const Request& req) {
  if (auto token = bearer_token(req); !token.empty()) return token;
  if (auto key = req.header("x-cx-apikey")) return text::trim_ows(*key);
  return {};
}

}  // namespace pbx::http
