#pragma once

#include "core/config.hpp"
#include "http/router.hpp"
#include "store/pg.hpp"
#include "store/redis.hpp"

namespace pbx::http {

// GET /health, /ready, /metrics (no auth), and with PBX_DEBUG_ROUTES the test-only
// GET /debug/sleep?ms=N, used to prove that shutdown waits for in-flight requests.
void add_health_routes(Router& router, const Config& config, store::PgPool& pg,
                       store::RedisPool& redis);

}  // namespace pbx::http
