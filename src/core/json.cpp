#include "core/json.hpp"

#include <cstddef>

namespace pbx::json {

std::optional<nlohmann::json> parse_untrusted(std::string_view raw) {
  // Brackets inside strings do not nest; a backslash escapes the next byte there.
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\0') return std::nullopt;
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return std::nullopt;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  auto parsed = nlohmann::json::parse(raw, nullptr, false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

}  // namespace pbx::json
