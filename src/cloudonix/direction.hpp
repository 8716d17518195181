#pragma once

#include <optional>
#include <string_view>

namespace pbx::cloudonix {

// The public direction of a call or CDR, shared by the calls and cdrs tables and the admin API.
// Cloudonix speaks of sessions as incoming/outgoing/internal/application; callers of this API
// see the trunk-centric words instead.
enum class Direction { inbound, outbound, internal, unknown };

std::string_view to_string(Direction d);  // "inbound", "outbound", "internal", "unknown"
std::optional<Direction> parse_direction(std::string_view public_name);  // the inverse

// A Cloudonix session direction, case-insensitive: incoming -> inbound, outgoing -> outbound,
// internal -> internal, application -> outbound (the call was started by an application
// through the API, so it leaves the domain). Anything else is unknown.
Direction direction_from_session(std::string_view session_direction);

}  // namespace pbx::cloudonix
