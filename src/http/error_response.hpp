#pragma once

// The one place where an Error becomes an answer (its status chosen by Error::status()).

#include "core/error.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

#include <string>

namespace pbx::http {

// docs/api.md's JSON error body, with the error's headers (Allow, Retry-After, ...).
Response error_response(const Error& error, const std::string& request_id);

// The answer to an error met on a route: its own renderer's when it has one, else the JSON body.
Response error_response(const Error& error, const Route& route, const std::string& request_id);

}  // namespace pbx::http
