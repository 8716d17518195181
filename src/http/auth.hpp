#pragma once

#include "http/message.hpp"

#include <string_view>

namespace pbx::http {

// The token of "Authorization: Bearer <token>" (scheme case-insensitive), or empty.
std::string_view bearer_token(const Request& req);

// The requests API key as Cloudonix sends it: a bearer token, or the X-CX-APIKey header.
std::string_view requests_api_key(const Request& req);

}  // namespace pbx::http
