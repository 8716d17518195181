#pragma once

#include "routing/engine.hpp"
#include "routing/model.hpp"
#include "store/pg.hpp"
#include "store/tenants.hpp"

#include <pqxx/pqxx>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pbx::voice {

std::vector<store::Statement> routing_statements();

// Reads one tenant's routing data into an immutable snapshot. Rows that cannot be used (a
// destination of the wrong shape, an unusable schedule) are kept out or marked, never fatal:
// one bad row must not take a tenant's routing down.
std::shared_ptr<const routing::TenantSnapshot> load_snapshot(pqxx::transaction_base& tx,
                                                             const store::TenantRow& tenant,
                                                             const std::string& default_base_url);

// Stores a voicemail message; a retried Record callback does not store it twice.
void insert_voicemail(store::PgPool& pg, const routing::VoicemailMessage& message);

// Test and seed helpers: the routing rows the admin API writes, as the engine reads them.
struct NewExtension {
  std::string number{};
  std::string name{};
  bool active = true;
  std::string forward_to{};
  int ring_timeout = 30;
  bool voicemail_enabled = false;
  std::string voicemail_greeting{};
  bool outbound_allowed = false;
  std::string caller_id{};
};
std::string insert_extension(pqxx::transaction_base& tx, const std::string& tenant_id,
                             const NewExtension& e);
std::string insert_phone_number(pqxx::transaction_base& tx, const std::string& tenant_id,
                                const std::string& number, const routing::Destination& d,
                                bool active = true);
struct NewRingGroup {
  std::string name{};
  std::string number{};
  std::string strategy = "simultaneous";
  int ring_timeout = 20;
  int ring_turns = 1;
  std::vector<std::string> members{};  // extension ids, in priority order
  std::optional<routing::Destination> fallback{};
};
std::string insert_ring_group(pqxx::transaction_base& tx, const std::string& tenant_id,
                              const NewRingGroup& g);
struct NewIvrMenu {
  std::string name{};
  std::string number{};
  nlohmann::json prompt{};
  int digit_timeout = 5;
  int max_attempts = 3;
  std::string invalid_prompt{};
  std::vector<std::pair<std::string, routing::Destination>> options{};
  std::optional<routing::Destination> timeout_destination{};
  std::optional<routing::Destination> failover{};
};
std::string insert_ivr_menu(pqxx::transaction_base& tx, const std::string& tenant_id,
                            const NewIvrMenu& m);
struct NewBusinessHours {
  std::string name{};
  std::string timezone{};  // empty: the tenant's
  nlohmann::json weekly = nlohmann::json::object();
  nlohmann::json exceptions = nlohmann::json::array();
  routing::Destination open_destination{};
  routing::Destination closed_destination{};
};
std::string insert_business_hours(pqxx::transaction_base& tx, const std::string& tenant_id,
                                  const NewBusinessHours& b);
std::string insert_conference_room(pqxx::transaction_base& tx, const std::string& tenant_id,
                                   const routing::ConferenceRoom& room);

}  // namespace pbx::voice
