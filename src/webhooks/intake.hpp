#pragma once

#include "http/message.hpp"
#include "store/tenant_directory.hpp"
#include "webhooks/job.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace pbx::webhooks {

// Finds and authenticates the sender's tenant as its webhook_auth setting requires: the
// requests API key (bearer), or an HMAC signature over the raw body with one of the tenant's
// current secrets, the tenant being named by X-CX-Domain or the payload's domain.
// Error::unauthorized, or Error::bad_request("stale_timestamp") for an authentic but stale one.
std::shared_ptr<const store::TenantEntry> authenticate(const http::Request& req,
                                                       const std::optional<nlohmann::json>& body,
                                                       const store::TenantDirectory& directory,
                                                       std::chrono::system_clock::time_point now);

// The domain name or uuid a payload says it comes from ("" when it names none).
std::string claimed_domain(const nlohmann::json& body);

// Turns an authenticated body into the rows to store: session updates or a CDR, and dead
// letters for what cannot be processed (not JSON, wrong shape, unidentifiable elements).
void fill_job(Job& job, std::string_view raw_body, const std::optional<nlohmann::json>& body);

}  // namespace pbx::webhooks
