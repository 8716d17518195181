#pragma once

#include "core/metrics.hpp"

#include <chrono>
#include <string_view>

namespace pbx::store {

// After a failed connect to Postgres or Redis, requests fail fast for this long instead of each
// waiting for the connect timeout.
inline constexpr auto kRetryAfterFailure = std::chrono::milliseconds(500);

// pbx_dependency_errors_total{dependency="postgres"|"redis"}: failed calls to a dependency.
metrics::Counter& dependency_errors(std::string_view dependency);

}  // namespace pbx::store
