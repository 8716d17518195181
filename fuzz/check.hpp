#pragma once

// Shared by the fuzz targets. A broken invariant aborts like a crash, so libFuzzer keeps the
// input that broke it and the run fails.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define PBX_CHECK(cond) ::pbx::fuzz::check((cond), #cond, __FILE__, __LINE__)

namespace pbx::fuzz {

inline void check(bool ok, const char* what, const char* file, int line) {
  if (ok) return;
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
  std::abort();
}

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Takes the text up to the first '\n' off the front of `rest` (all of it when there is none).
inline std::string_view take_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  return line;
}

// Text PostgreSQL stores in a text or jsonb column: valid UTF-8 without NUL.
inline bool storable(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  try {
    (void)nlohmann::json(s).dump();  // the strict dump rejects invalid UTF-8
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace pbx::fuzz
