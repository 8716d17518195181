#pragma once

// Raw webhook bodies: parsing them safely and making them storable in PostgreSQL.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pbx::webhooks {

// Parses a raw webhook body without throwing: nullopt for invalid JSON (bad UTF-8, numbers
// beyond double range, trailing bytes) and for nesting deeper than kMaxJsonDepth, which
// would otherwise make the recursive dump()/destruction of the tree a stack-overflow risk.
inline constexpr int kMaxJsonDepth = 64;
std::optional<nlohmann::json> parse_json(std::string_view raw);

// JSON text that PostgreSQL accepts as jsonb: jsonb rejects the \u0000 escape, so NUL
// characters in strings and keys become U+FFFD; invalid UTF-8 is replaced likewise.
std::string dump_for_storage(const nlohmann::json& value);

// Raw bytes as text that PostgreSQL accepts in a text column (dead letters keep bodies that
// may be invalid JSON): invalid UTF-8 sequences and NUL bytes become U+FFFD.
std::string storable_text(std::string_view raw);

}  // namespace pbx::webhooks
