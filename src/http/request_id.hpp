#pragma once

// Request ids: the one a client sent when it is fit for logs and headers, else a fresh one.

#include <string>
#include <string_view>

namespace pbx::http {

// A fresh request id in the UUID v4 format.
std::string new_request_id();

// Whether a client's X-Request-Id may be used as is: 1 to 128 characters of [A-Za-z0-9-_.:].
bool valid_request_id(std::string_view id);

}  // namespace pbx::http
