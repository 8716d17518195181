#include "admin/demo.hpp"

#include "core/error.hpp"
#include "store/tenants.hpp"
#include "voice/routing_store.hpp"

namespace pbx::admin {

bool seed_demo(pqxx::connection& conn, const std::string& domain) {
  using routing::Destination;
  using routing::DestinationType;
  pqxx::work tx(conn);
  auto tenant = store::tenant_by_domain(tx, domain);
  if (!tenant) throw Error::not_found("tenant " + domain);
  const auto& t = tenant->id;
  if (!tx.exec_params("SELECT 1 FROM phone_numbers WHERE tenant_id = $1 AND number = $2", t,
                      kDemoNumber)
           .empty()) {
    return false;
  }
  voice::NewExtension alice{"101", "Alice"};
  alice.voicemail_enabled = true;
  alice.ring_timeout = 20;
  auto alice_id = voice::insert_extension(tx, t, alice);
  auto bob = voice::insert_extension(tx, t, {"102", "Bob"});
  auto carol = voice::insert_extension(tx, t, {"103", "Carol"});
  Destination mailbox{DestinationType::voicemail, alice_id};

  voice::NewRingGroup sales{"Sales", "600", "sequential", 15, 1};
  sales.members = {bob, carol};
  sales.fallback = mailbox;
  auto sales_id = voice::insert_ring_group(tx, t, sales);

  voice::NewIvrMenu menu{"Main", "700"};
  menu.prompt = {{"say",
                  "Thank you for calling Demo Company. Press 1 for sales, 2 for Alice, or 0 to "
                  "leave a message."}};
  menu.options = {{"1", {DestinationType::ring_group, sales_id}},
                  {"2", {DestinationType::extension, alice_id}},
                  {"0", mailbox}};
  menu.failover = mailbox;
  auto menu_id = voice::insert_ivr_menu(tx, t, menu);
  voice::insert_phone_number(tx, t, kDemoNumber, {DestinationType::ivr_menu, menu_id});
  tx.commit();
  return true;
}

}  // namespace pbx::admin
