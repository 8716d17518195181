#pragma once

#include "support/http_client.hpp"
#include "support/servers.hpp"
#include "support/service.hpp"
#include "support/tenant.hpp"

#include <memory>

namespace pbx::testing {

// The key sealing the secrets the services of the tests keep (PBX_SECRET_KEY, 64 hex characters).
inline constexpr const char* kSecretKey =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// The Postgres and Redis servers of one test binary, started on first use and stopped when
// the binary exits.
class TestEnv {
 public:
  static TestEnv& get();
  PgServer& pg() { return *pg_; }
  RedisServer& redis() { return *redis_; }
  // PBX_DATABASE_URL, PBX_REDIS_URL and PBX_SECRET_KEY for a service using these servers.
  Env service_env() const;
  // The same, once `pbxd migrate` has run against them; throws with its output if it failed.
  Env migrated_env() const;

 private:
  TestEnv();
  std::unique_ptr<PgServer> pg_;
  std::unique_ptr<RedisServer> redis_;
};

}  // namespace pbx::testing
