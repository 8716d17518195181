#pragma once

#include "admin/auth.hpp"
#include "http/message.hpp"
#include "store/pg.hpp"

#include <functional>

namespace pbx::admin {

std::vector<store::Statement> idempotency_statements();

// Runs a POST at most once per Idempotency-Key and tenant: the same key with the same request
// answers the first answer again; with another request, 422. Without the header, runs `fn`.
// A failed attempt (any error) releases the key, so the client can retry it.
http::Response run_idempotent(store::PgPool& pg, const Principal& who, const http::Request& req,
                              const std::function<http::Response()>& fn);

}  // namespace pbx::admin
