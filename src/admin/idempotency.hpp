#pragma once

#include "admin/auth.hpp"
#include "core/secret_box.hpp"
#include "http/message.hpp"
#include "store/pg.hpp"

#include <functional>

namespace pbx::admin {

std::vector<store::Statement> idempotency_statements();

// Runs a POST at most once per Idempotency-Key and tenant: the same key with the same request
// answers the first answer again; with another request, 422. Without the header, runs `fn`.
// A failed attempt (any error) releases the key, so the client can retry it. The kept answer is
// sealed with `secrets` when given, as it may hold a secret shown once (a SIP password).
http::Response run_idempotent(store::PgPool& pg, const Principal& who, const http::Request& req,
                              const std::function<http::Response()>& fn,
                              const crypto::SecretBox* secrets = nullptr);

}  // namespace pbx::admin
