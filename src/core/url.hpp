#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbx::url {

using Params = std::vector<std::pair<std::string, std::string>>;

// Percent-decoding; '+' becomes a space when plus_is_space (form and query encoding).
// Returns nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);
std::string percent_encode(std::string_view in);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}. Malformed pairs are skipped, never fatal.
Params parse_form(std::string_view encoded);
std::string encode_form(const Params& params);

const std::string* find_param(const Params& params, std::string_view name);

}  // namespace pbx::url
