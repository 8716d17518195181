#pragma once

#include "store/pg.hpp"
#include "webhooks/writer.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace pbx::webhooks {

std::vector<store::Statement> replay_statements();

// Runs a dead letter through processing again (as the same tenant, without re-checking a
// signature: it was authenticated when it arrived) and records the outcome on it:
// processed, duplicate, or failed with the reason. Error::not_found for another tenant's id.
nlohmann::json replay_dead_letter(store::PgPool& pg, Writer& writer, const std::string& tenant_id,
                                  const std::string& dead_letter_id, const std::string& request_id);

}  // namespace pbx::webhooks
