#pragma once

// The outbox of changes to apply to Cloudonix. An admin write that changes an extension, a
// phone number or the domain profile values (a new requests key or webhook token) of a paired
// tenant adds a row in its own transaction; the sync worker applies the rows later
// (sync_worker.hpp), so that no admin request waits on Cloudonix.

#include "store/pg.hpp"

#include <pqxx/pqxx>

#include <optional>
#include <string>
#include <vector>

namespace pbx::provisioning {

// A profile row's object is the tenant itself.
enum class ObjectType { extension, phone_number, profile };
const char* to_string(ObjectType type);

std::vector<store::Statement> outbox_statements();

// Records, in the caller's transaction, that an object of the tenant changed, when the tenant
// is paired with Cloudonix (nothing otherwise). `previous`: the number Cloudonix may know the
// object by from before the change (none on create).
void enqueue(pqxx::transaction_base& tx, const std::string& tenant_id, ObjectType type,
             const std::string& object_id, const std::optional<std::string>& previous);

// Every extension and phone number of the tenant, whether paired yet or not (pairing calls it
// in its transaction, so that the worker creates the subscribers and DNIDs).
struct Queued {
  int extensions = 0;
  int phone_numbers = 0;
};
Queued enqueue_tenant(pqxx::transaction_base& tx, const std::string& tenant_id);

// Asks the worker to remove the subscriber `msisdn`, which no extension owns (a reconciliation
// that removes extras).
void enqueue_removal(pqxx::transaction_base& tx, const std::string& tenant_id,
                     const std::string& msisdn);

// Members the extension objects of the admin API add (the row is aliased "r"): cloudonix_sync
// (not_paired, pending, synced, failed), sync_error, and sip {domain, username, registrar}.
std::string extension_sync_select();

}  // namespace pbx::provisioning
