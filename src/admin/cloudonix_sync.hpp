#pragma once

// Extensions and phone numbers as Cloudonix subscribers and DNIDs: the hooks that queue their
// changes for the sync worker (in the admin write's transaction), the SIP password, and the
// routes that compare and reconcile the extensions with the domain's subscribers.

#include "admin/cloudonix_settings.hpp"
#include "admin/resource.hpp"
#include "provisioning/outbox.hpp"
#include "provisioning/sync_pacer.hpp"

namespace pbx::admin {

// Resource::on_change of extensions: a new extension of a paired tenant gets a SIP password
// (sealed, and shown in the answer this once); a change Cloudonix sees (number, status, the
// object itself) queues the extension for the sync worker.
Json extension_changed(WriteContext& ctx, const std::string& id, const Json* merged);
// Resource::on_change of phone numbers (their DNIDs).
Json phone_number_changed(WriteContext& ctx, const std::string& id, const Json* merged);

// The read-only members of an extension that the sync adds (cloudonix_sync, sync_error, sip),
// shown by provisioning::extension_sync_select().
std::vector<Field> extension_sync_fields();

struct CloudonixSyncDeps {
  store::PgPool& pg;
  std::function<Principal(const http::Request&)> guard;
  const crypto::SecretBox& secrets;
  provisioning::Pacer& pacer;
  std::string api_url;  // PBX_CLOUDONIX_API_URL
};

std::vector<store::Statement> cloudonix_sync_statements();

// Step 5 of pairing: queues every phone number (its DNID) and extension (its subscriber) of the
// tenant for the sync worker, which applies them once the pairing has committed.
NumbersStep pairing_numbers_step(store::PgPool& pg);

// POST /api/v1/extensions/{id}/sip-password, GET and POST /api/v1/extensions/sync.
void add_cloudonix_sync_routes(http::Router& router, CloudonixSyncDeps deps);

}  // namespace pbx::admin
