#include "http/health.hpp"

#include "core/metrics.hpp"

#include <charconv>
#include <thread>

namespace pbx::http {

void add_health_routes(Router& router, const Config& config, store::PgPool& pg,
                       store::RedisPool& redis) {
  router.add("GET", "/health", Doc{"operations", "Liveness", Access::none}, [](Request&) {
    return Response::json(200, {{"status", "ok"}});
  });

  router.add(
      "GET", "/ready",
      Doc{"operations",
          "Readiness: Postgres and Redis answer",
          Access::none,
          {{"responses", {{"503", {{"description", "Postgres or Redis does not answer"}}}}}}},
      [&pg, &redis](Request&) {
        bool pg_ok = pg.ping();
        bool redis_ok = redis.ping();
        nlohmann::json checks = {{"postgres", pg_ok ? "ok" : "unavailable"},
                                 {"redis", redis_ok ? "ok" : "unavailable"}};
        if (!pg_ok || !redis_ok) {
          std::string failed =
              !pg_ok && !redis_ok ? "postgres and redis" : (!pg_ok ? "postgres" : "redis");
          throw Error::unavailable(failed + " unavailable", {{"checks", checks}});
        }
        return Response::json(200, {{"status", "ready"}, {"checks", checks}});
      });

  router.add(
      "GET", "/metrics", Doc{"operations", "Prometheus metrics", Access::none}, [](Request&) {
        return Response::text(200, metrics::registry().render(), "text/plain; version=0.0.4");
      });

  if (config.debug_routes) {
    router.add("GET", "/debug/sleep",
               Doc{"operations", "Test-only slow request (PBX_DEBUG_ROUTES)", Access::none},
               [](Request& req) {
                 int ms = 0;
                 if (const auto* v = req.query_param("ms"))
                   std::from_chars(v->data(), v->data() + v->size(), ms);
                 std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp(ms, 0, 60000)));
                 return Response::json(200, {{"slept_ms", ms}});
               });
  }
}

}  // namespace pbx::http
