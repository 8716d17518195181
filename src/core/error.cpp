#include "core/error.hpp"

namespace pbx {

Error Error::validation(const FieldErrors& fields) {
  nlohmann::json by_field = nlohmann::json::object();
  for (const auto& [field, message] : fields) {
    by_field[field].push_back(message);
  }
  return {422, "validation_failed", "validation failed", {{"fields", by_field}}};
}

}  // namespace pbx
