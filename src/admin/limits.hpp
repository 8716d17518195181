#pragma once

#include <string>

namespace pbx::admin {

// The size limits of every field the admin API writes (resources and settings), as the
// Markdown table of docs/limits.md; a unit test keeps that page equal to it.
std::string limits_table();

}  // namespace pbx::admin
