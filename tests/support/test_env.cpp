#include "support/test_env.hpp"

#include <stdexcept>

namespace pbx::testing {

TestEnv::TestEnv() : pg_(std::make_unique<PgServer>()), redis_(std::make_unique<RedisServer>()) {}

TestEnv& TestEnv::get() {
  static TestEnv env;
  return env;
}

Env TestEnv::service_env() const {
  // The tests' Cloudonix payloads carry fixed dates (March 2026): with the default retention a
  // service would start removing their CDRs as the calendar moves on. Retention tests set their
  // own period.
  return {{"PBX_DATABASE_URL", pg_->url()},
          {"PBX_REDIS_URL", redis_->url()},
          {"PBX_SECRET_KEY", kSecretKey},
          {"PBX_CDR_RETENTION_DAYS", "36500"}};
}

Env TestEnv::migrated_env() const {
  auto env = service_env();
  auto m = ServiceProcess::run({"migrate"}, env);
  if (m.exit_code != 0) throw std::runtime_error("pbxd migrate failed:\n" + m.output);
  return env;
}

}  // namespace pbx::testing
