#pragma once

#include "http/router.hpp"
#include "routing/state.hpp"
#include "store/pg.hpp"
#include "store/redis.hpp"
#include "store/tenant_directory.hpp"

namespace pbx::voice {

struct VoiceDeps {
  const store::TenantDirectory& directory;
  store::PgPool& pg;        // voicemail messages only: routing itself reads memory
  store::RedisPool& redis;  // the shared round-robin cursor
  const routing::StateCodec& codec;
};

// The execution plane: /api/voice/route and the gather, dial-status and voicemail callbacks,
// each by GET or POST. Handlers parse, authenticate, call the pure routing engine and answer
// CXML.
void add_voice_routes(http::Router& router, VoiceDeps deps);

}  // namespace pbx::voice
