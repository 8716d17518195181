#include "cloudonix/direction.hpp"

#include "core/text.hpp"

#include <cctype>
#include <string>

namespace pbx::cloudonix {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::inbound:
      return "inbound";
    case Direction::outbound:
      return "outbound";
    case Direction::internal:
      return "internal";
    case Direction::unknown:
      break;
  }
  return "unknown";
}

std::optional<Direction> parse_direction(std::string_view public_name) {
  for (auto d :
       {Direction::inbound, Direction::outbound, Direction::internal, Direction::unknown}) {
    if (to_string(d) == public_name) return d;
  }
  return std::nullopt;
}

Direction direction_from_session(std::string_view session_direction) {
  auto lower = text::to_lower(session_direction);
  if (lower == "incoming") return Direction::inbound;
  if (lower == "outgoing" || lower == "application") return Direction::outbound;
  if (lower == "internal") return Direction::internal;
  return Direction::unknown;
}

}  // namespace pbx::cloudonix
