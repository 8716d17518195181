#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace pbx::json {

// How deep untrusted JSON may nest. Dumping or destroying a parsed tree recurses once per level,
// so a deeper one could exhaust the stack.
inline constexpr int kMaxDepth = 64;

// The one parser of untrusted JSON text (request bodies, webhooks, dead letters): never throws,
// and answers nullopt for invalid JSON (bad UTF-8, numbers beyond double range, trailing bytes),
// for a NUL byte anywhere (the parser would take it for the end of the text and ignore the
// rest), and for nesting deeper than kMaxDepth, which is refused before the parser runs.
std::optional<nlohmann::json> parse_untrusted(std::string_view raw);

}  // namespace pbx::json
