#pragma once

// Read-only views of live calls and of the webhook plane for the admin API: active calls, one
// call with its history and CDR, received webhooks, dead letters. Tenant-scoped like every
// admin read.

#include "core/url.hpp"
#include "store/pg.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace pbx::admin {

std::vector<store::Statement> activity_statements();

// GET /api/v1/calls/active: calls not in a terminal state, newest first; ?limit, ?cursor.
nlohmann::json active_calls(store::PgPool& pg, const std::string& tenant_id,
                            const url::Params& query);

// GET /api/v1/calls/{session}: Error::not_found when the tenant has no such call.
nlohmann::json call_detail(store::PgPool& pg, const std::string& tenant_id,
                           const std::string& session_token);

// GET /api/v1/webhook-events: newest first; ?outcome (comma-separated), ?kind, ?limit, ?cursor.
nlohmann::json webhook_events(store::PgPool& pg, const std::string& tenant_id,
                              const url::Params& query);

// GET /api/v1/dead-letters: newest first; ?include=body, ?limit, ?cursor.
nlohmann::json dead_letters(store::PgPool& pg, const std::string& tenant_id,
                            const url::Params& query);

}  // namespace pbx::admin
