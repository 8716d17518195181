#include "webhooks/intake.hpp"

#include "core/error.hpp"
#include "core/uuid_v7.hpp"
#include "http/auth.hpp"
#include "webhooks/body.hpp"
#include "webhooks/fields.hpp"
#include "webhooks/signature.hpp"

namespace pbx::webhooks {

namespace {

using fields::member;
using fields::text;

std::string domain_of(const nlohmann::json& obj) {
  const auto* d = member(obj, "domain");
  if (d != nullptr && d->is_string()) return d->get<std::string>();
  if (d != nullptr && d->is_object()) {
    for (const char* key : {"name", "domain", "uuid"}) {
      if (auto v = text(*d, key)) return *v;
    }
  }
  if (const auto* owner = member(obj, "owner")) {
    if (const auto* od = member(*owner, "domain")) {
      if (auto uuid = text(*od, "uuid")) return *uuid;
    }
  }
  // OPBX-style payloads name their domain only by this.
  if (auto uuid = text(obj, "domain_uuid")) return *uuid;
  return {};
}

}  // namespace

std::string claimed_domain(const nlohmann::json& body) {
  if (body.is_array()) return body.empty() ? std::string{} : domain_of(body.front());
  return domain_of(body);
}

std::shared_ptr<const store::TenantEntry> authenticate(const http::Request& req,
                                                       const std::optional<nlohmann::json>& body,
                                                       const store::TenantDirectory& directory,
                                                       std::chrono::system_clock::time_point now) {
  auto key = http::requests_api_key(req);
  auto tenant = key.empty() ? nullptr : directory.by_requests_key(key);
  if (tenant && tenant->tenant.webhook_auth != "hmac") return tenant;
  if (!tenant) {
    std::string domain(req.header("x-cx-domain").value_or(""));
    if (domain.empty() && body) domain = claimed_domain(*body);
    if (!domain.empty()) tenant = directory.by_domain(domain);
  }
  if (!tenant) throw Error::unauthorized("unknown sender");
  if (tenant->tenant.webhook_auth == "bearer") {
    throw Error::unauthorized("this tenant requires the requests API key");
  }
  auto unix_now = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto result = verify_signature(
      req.header("x-cloudonix-signature"), req.header("x-cloudonix-timestamp"), req.body,
      tenant->secrets_at(now), unix_now, SignaturePolicy{tenant->tenant.allow_untimestamped, 300});
  if (result == SignatureResult::ok) return tenant;
  if (result == SignatureResult::stale_timestamp) {
    throw Error::bad_request("stale_timestamp", "the signature timestamp is more than 300 s away");
  }
  throw Error::unauthorized("missing or invalid signature");
}

void fill_job(Job& job, std::string_view raw_body, const std::optional<nlohmann::json>& body) {
  if (!body) {
    job.dead_letters.push_back({uuid::v7(), storable_text(raw_body), "the body is not valid JSON"});
    return;
  }
  if (job.kind == Kind::session_update) {
    auto items = parse_session_updates(*body);
    // A body that is not an array is its one item, already dumped for storage.
    job.stored_body = body->is_array() ? dump_for_storage(*body) : items.front().raw;
    if (items.empty()) {
      job.dead_letters.push_back({uuid::v7(), job.stored_body, "an empty array holds no session"});
    }
    for (auto& item : items) {
      if (item.ok()) {
        job.updates.push_back(std::move(*item.update));
      } else {
        job.dead_letters.push_back({uuid::v7(), item.raw, item.error});
      }
    }
    return;
  }
  try {
    job.cdr = cdr::parse_cdr(*body);
    job.stored_body = job.cdr->raw;  // the same dump of the whole body
  } catch (const cdr::CdrError& e) {
    job.stored_body = dump_for_storage(*body);
    job.dead_letters.push_back({uuid::v7(), job.stored_body, e.what()});
  }
}

}  // namespace pbx::webhooks
