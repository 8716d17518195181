#include "core/error.hpp"

namespace pbx {

Error Error::validation(const FieldErrors& fields) {
  nlohmann::json by_field = nlohmann::json::object();
  for (const auto& [field, message] : fields) {
    by_field[field].push_back(message);
  }
  return {Kind::invalid, "validation_failed", "validation failed", {{"fields", by_field}}};
}

int Error::status() const {
  switch (kind_) {
    case Kind::bad_request:
      return 400;
    case Kind::unauthorized:
      return 401;
    case Kind::forbidden:
      return 403;
    case Kind::not_found:
      return 404;
    case Kind::method_not_allowed:
      return 405;
    case Kind::length_required:
      return 411;
    case Kind::conflict:
      return 409;
    case Kind::too_large:
      return 413;
    case Kind::unsupported_media_type:
      return 415;
    case Kind::invalid:
      return 422;
    case Kind::rate_limited:
      return 429;
    case Kind::unavailable:
    case Kind::timed_out:
      return 503;
    case Kind::upstream:
      return 502;
    case Kind::internal:
      return 500;
  }
  return 500;
}

}  // namespace pbx
