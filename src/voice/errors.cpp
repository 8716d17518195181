#include "voice/errors.hpp"

#include "http/error_response.hpp"
#include "routing/engine.hpp"

namespace pbx::voice {

http::Response apology_response() {
  return http::Response::xml(200, routing::cxml::render(routing::apology()));
}

http::Response cxml_error_response(const Error& error, const std::string& request_id) {
  if (error.kind() == Error::Kind::method_not_allowed) {
    return http::error_response(error, request_id);
  }
  http::Response r;
  if (error.kind() == Error::Kind::unauthorized) {
    routing::cxml::Document reject;
    reject.add(routing::cxml::Reject{"rejected"});
    r = http::Response::xml(401, routing::cxml::render(reject));
  } else {
    r = apology_response();
  }
  for (const auto& h : error.headers()) r.headers.push_back(h);
  return r;
}

}  // namespace pbx::voice
