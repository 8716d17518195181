#include "http/json_body.hpp"

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace pbx::http {

namespace {

// Stored text ends up in CXML and in PostgreSQL, which cannot hold such characters.
bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), text::is_bare_control);
}

// Names the top-level member holding each such string (or key); nesting is bounded by parsing.
void find_control(const nlohmann::json& value, const std::string& field,
                  Error::FieldErrors& errors) {
  if (value.is_string()) {
    if (has_control(value.get_ref<const std::string&>())) {
      errors.emplace_back(field, "must not contain control characters");
    }
  } else if (value.is_array()) {
    for (const auto& item : value) find_control(item, field, errors);
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      const auto& name = field.empty() ? key : field;
      if (has_control(key)) errors.emplace_back(name, "must not contain control characters");
      find_control(item, name, errors);
    }
  }
}

}  // namespace

bool is_json_media_type(const std::string& media_type) {
  return media_type == "application/json" ||
         (media_type.rfind("application/", 0) == 0 && media_type.size() > 5 &&
          media_type.compare(media_type.size() - 5, 5, "+json") == 0);
}

nlohmann::json json_body(const Request& req) {
  if (!is_json_media_type(req.media_type()))
    throw Error::unsupported_media_type("application/json");
  auto parsed = json::parse_untrusted(req.body);
  if (!parsed) {
    throw Error::bad_request("invalid_json", "the body is not valid JSON (or nests deeper than " +
                                                 std::to_string(json::kMaxDepth) + " levels)");
  }
  Error::FieldErrors errors;
  find_control(*parsed, "", errors);
  if (!errors.empty()) {
    std::sort(errors.begin(), errors.end());
    errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
    throw Error::validation(errors);
  }
  return std::move(*parsed);
}

}  // namespace pbx::http
