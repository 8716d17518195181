#pragma once

#include "http/message.hpp"

#include <nlohmann/json.hpp>

namespace pbx::http {

// The request body as JSON: 415 unless Content-Type is JSON, 400 invalid_json when it does not
// parse (nesting depth is bounded so that hostile input cannot exhaust the stack), 422 naming
// each top-level member whose text holds a control character other than tab, CR or LF.
nlohmann::json json_body(const Request& req);

bool is_json_media_type(const std::string& media_type);

}  // namespace pbx::http
