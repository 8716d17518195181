#pragma once

// What Cloudonix is told when a voice request fails: CXML, as it reads nothing else, in the
// routing engine's words.

#include "core/error.hpp"
#include "http/message.hpp"

#include <string>

namespace pbx::voice {

// The routing engine's apology with status 200: the call is told it cannot be completed.
http::Response apology_response();

// The error renderer of the voice routes (docs/api.md, execution plane): a refused key is a
// CXML Reject with 401, every other problem after authentication the apology with 200, and a
// method refusal (for whoever probes the path, not a call) docs/api.md's JSON body.
http::Response cxml_error_response(const Error& error, const std::string& request_id);

}  // namespace pbx::voice
