#pragma once

// Raw webhook bodies made storable in PostgreSQL (core/json.hpp parses them).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pbx::cloudonix {

// JSON text that PostgreSQL accepts as jsonb: jsonb rejects the \u0000 escape, so NUL
// characters in strings and keys become U+FFFD; invalid UTF-8 is replaced likewise.
std::string dump_for_storage(const nlohmann::json& value);

// Raw bytes as text that PostgreSQL accepts in a text column (dead letters keep bodies that
// may be invalid JSON): invalid UTF-8 sequences and NUL bytes become U+FFFD.
std::string storable_text(std::string_view raw);

}  // namespace pbx::cloudonix
