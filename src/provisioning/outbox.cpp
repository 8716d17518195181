#include "provisioning/outbox.hpp"

#include "provisioning/connection.hpp"

namespace pbx::provisioning {

const char* to_string(ObjectType type) {
  switch (type) {
    case ObjectType::extension:
      return "extension";
    case ObjectType::phone_number:
      return "phone_number";
    case ObjectType::profile:
      break;
  }
  return "profile";
}

std::vector<store::Statement> outbox_statements() {
  static const std::string enqueue =
      "INSERT INTO cloudonix_outbox (tenant_id, object_type, object_id, previous)"
      " SELECT $1::uuid, $2, $3::uuid, $4 WHERE " +
      paired_sql("$1::uuid");
  return {
      {"cx_outbox_enqueue", enqueue.c_str()},
      {"cx_outbox_enqueue_extensions",
       "INSERT INTO cloudonix_outbox (tenant_id, object_type, object_id)"
       " SELECT tenant_id, 'extension', id FROM extensions WHERE tenant_id = $1"},
      {"cx_outbox_enqueue_phone_numbers",
       "INSERT INTO cloudonix_outbox (tenant_id, object_type, object_id)"
       " SELECT tenant_id, 'phone_number', id FROM phone_numbers WHERE tenant_id = $1"},
      {"cx_outbox_enqueue_removal",
       "INSERT INTO cloudonix_outbox (tenant_id, object_type, object_id, previous)"
       " VALUES ($1, 'extension', gen_random_uuid(), $2)"},
  };
}

void enqueue(pqxx::transaction_base& tx, const std::string& tenant_id, ObjectType type,
             const std::string& object_id, const std::optional<std::string>& previous) {
  tx.exec_prepared("cx_outbox_enqueue", tenant_id, to_string(type), object_id, previous);
}

Queued enqueue_tenant(pqxx::transaction_base& tx, const std::string& tenant_id) {
  Queued q;
  q.extensions =
      static_cast<int>(tx.exec_prepared("cx_outbox_enqueue_extensions", tenant_id).affected_rows());
  q.phone_numbers = static_cast<int>(
      tx.exec_prepared("cx_outbox_enqueue_phone_numbers", tenant_id).affected_rows());
  return q;
}

void enqueue_removal(pqxx::transaction_base& tx, const std::string& tenant_id,
                     const std::string& msisdn) {
  tx.exec_prepared("cx_outbox_enqueue_removal", tenant_id, msisdn);
}

std::string extension_sync_select() {
  // A row in the outbox means a change not yet applied; its last_error says why it waits.
  return "'cloudonix_sync', CASE WHEN NOT " + paired_sql("r.tenant_id") +
         " THEN 'not_paired'"
         " WHEN EXISTS (SELECT 1 FROM cloudonix_outbox o WHERE o.object_type = 'extension'"
         "  AND o.object_id = r.id) THEN 'pending'"
         " ELSE coalesce((SELECT s.state FROM cloudonix_sync_state s"
         "  WHERE s.object_type = 'extension' AND s.object_id = r.id), 'pending') END,"
         " 'sync_error', CASE WHEN NOT " +
         paired_sql("r.tenant_id") +
         " THEN NULL ELSE coalesce((SELECT o.last_error FROM cloudonix_outbox o"
         "  WHERE o.object_type = 'extension' AND o.object_id = r.id ORDER BY o.id LIMIT 1),"
         "  (SELECT s.error FROM cloudonix_sync_state s WHERE s.object_type = 'extension'"
         "  AND s.object_id = r.id)) END,"
         " 'sip', (SELECT jsonb_build_object('domain', d.name, 'username', r.number,"
         "  'registrar', d.name) FROM (SELECT " +
         domain_sql("r.tenant_id") + " AS name) d)";
}

}  // namespace pbx::provisioning
