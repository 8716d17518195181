#include "http/error_response.hpp"

namespace pbx::http {

Response error_response(const Error& error, const std::string& request_id) {
  nlohmann::json body = {{"error",
                          {{"code", error.code()},
                           {"message", error.what()},
                           {"details", error.details()},
                           {"request_id", request_id}}}};
  auto r = Response::json(error.status(), body);
  for (const auto& h : error.headers()) r.headers.push_back(h);
  return r;
}

Response error_response(const Error& error, const Route& route, const std::string& request_id) {
  return route.render_error ? route.render_error(error, request_id)
                            : error_response(error, request_id);
}

}  // namespace pbx::http
