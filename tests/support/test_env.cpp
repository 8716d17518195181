#include "support/test_env.hpp"

namespace pbx::testing {

TestEnv::TestEnv() : pg_(std::make_unique<PgServer>()), redis_(std::make_unique<RedisServer>()) {}

TestEnv& TestEnv::get() {
  static TestEnv env;
  return env;
}

Env TestEnv::service_env() const {
  return {{"PBX_DATABASE_URL", pg_->url()}, {"PBX_REDIS_URL", redis_->url()}};
}

}  // namespace pbx::testing
