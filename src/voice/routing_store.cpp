#include "voice/routing_store.hpp"

#include "core/text.hpp"

#include <spdlog/spdlog.h>

#include <sstream>

namespace pbx::voice {

using store::PgPool;
using store::Statement;
using store::TenantRow;

namespace {

using routing::Destination;

nlohmann::json parse_or_null(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  return nlohmann::json::parse(f.c_str(), nullptr, false);
}

std::optional<Destination> destination_of(const pqxx::field& f) {
  return routing::parse_destination(parse_or_null(f));
}

// A required destination that is unusable becomes a hang-up the engine reports as dangling.
Destination required_destination(const pqxx::field& f, const std::string& where,
                                 const std::string& tenant_id) {
  if (auto d = destination_of(f)) return *d;
  spdlog::warn("tenant {}: unusable destination in {}", tenant_id, where);
  return Destination{routing::DestinationType::extension, "invalid"};
}

std::optional<std::string> opt(const std::optional<Destination>& d) {
  return d ? std::optional<std::string>(routing::to_json(*d).dump()) : std::nullopt;
}

std::vector<std::string> split(const std::string& csv) {
  std::vector<std::string> out;
  std::stringstream in(csv);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

std::vector<Statement> routing_statements() {
  return {
      {"routing_extensions",
       "SELECT id::text, number, name, status = 'active', coalesce(forward_to, ''), ring_timeout,"
       " voicemail_enabled, coalesce(voicemail_greeting, ''), outbound_allowed,"
       " coalesce(caller_id, '') FROM extensions WHERE tenant_id = $1"},
      {"routing_phone_numbers",
       "SELECT id::text, number, status = 'active', destination::text FROM phone_numbers"
       " WHERE tenant_id = $1"},
      {"routing_ring_groups",
       "SELECT g.id::text, g.name, coalesce(g.number, ''), g.strategy, g.ring_timeout,"
       " g.ring_turns, g.fallback::text,"
       " coalesce((SELECT string_agg(m.extension_id::text, ',' ORDER BY m.priority, e.number)"
       "   FROM ring_group_members m JOIN extensions e ON e.id = m.extension_id"
       "   WHERE m.ring_group_id = g.id), '')"
       " FROM ring_groups g WHERE g.tenant_id = $1"},
      {"routing_ivr_menus",
       "SELECT id::text, name, coalesce(number, ''), prompt::text, digit_timeout, max_attempts,"
       " coalesce(invalid_prompt, ''), options::text, timeout_destination::text, failover::text"
       " FROM ivr_menus WHERE tenant_id = $1"},
      {"routing_business_hours",
       "SELECT id::text, name, coalesce(timezone, ''), weekly::text, exceptions::text,"
       " open_destination::text, closed_destination::text FROM business_hours"
       " WHERE tenant_id = $1"},
      {"routing_conference_rooms",
       "SELECT id::text, name, coalesce(number, ''), max_participants, beep, record"
       " FROM conference_rooms WHERE tenant_id = $1"},
      {"routing_insert_voicemail",
       "INSERT INTO voicemails (tenant_id, extension_id, from_number, recording_url, duration,"
       " call_id) VALUES ($1, $2, $3, $4, $5, $6)"
       " ON CONFLICT (tenant_id, recording_url) DO NOTHING"},
      {"routing_insert_extension",
       "INSERT INTO extensions (tenant_id, number, name, status, forward_to, ring_timeout,"
       " voicemail_enabled, voicemail_greeting, outbound_allowed, caller_id)"
       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::text"},
      {"routing_insert_phone_number",
       "INSERT INTO phone_numbers (tenant_id, number, status, destination)"
       " VALUES ($1, $2, $3, $4::jsonb) RETURNING id::text"},
      {"routing_insert_ring_group",
       "INSERT INTO ring_groups (tenant_id, name, number, strategy, ring_timeout, ring_turns,"
       " fallback) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id::text"},
      {"routing_insert_ring_group_member",
       "INSERT INTO ring_group_members (tenant_id, ring_group_id, extension_id, priority)"
       " VALUES ($1, $2, $3, $4)"},
      {"routing_insert_ivr_menu",
       "INSERT INTO ivr_menus (tenant_id, name, number, prompt, digit_timeout, max_attempts,"
       " invalid_prompt, options, timeout_destination, failover)"
       " VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb)"
       " RETURNING id::text"},
      {"routing_insert_business_hours",
       "INSERT INTO business_hours (tenant_id, name, timezone, weekly, exceptions,"
       " open_destination, closed_destination)"
       " VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb) RETURNING id::text"},
      {"routing_insert_conference_room",
       "INSERT INTO conference_rooms (tenant_id, name, number, max_participants, beep, record)"
       " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text"},
  };
}

std::shared_ptr<const routing::TenantSnapshot> load_snapshot(pqxx::transaction_base& tx,
                                                             const TenantRow& tenant,
                                                             const std::string& default_base_url) {
  auto s = std::make_shared<routing::TenantSnapshot>();
  const auto& tid = tenant.id;
  s->tenant_id = tid;
  s->public_base_url = tenant.public_base_url.empty() ? default_base_url : tenant.public_base_url;
  s->default_caller_id = tenant.default_caller_id.value_or("");

  for (const auto& r : tx.exec_prepared("routing_extensions", tid)) {
    routing::Extension e{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                         r[3].as<bool>(),        r[4].as<std::string>(), r[5].as<int>(),
                         r[6].as<bool>(),        r[7].as<std::string>(), r[8].as<bool>(),
                         r[9].as<std::string>()};
    s->extensions.emplace(e.id, std::move(e));
  }
  for (const auto& r : tx.exec_prepared("routing_phone_numbers", tid)) {
    routing::PhoneNumber p{
        r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<bool>(),
        required_destination(r[3], "phone number " + r[1].as<std::string>(), tid)};
    s->phone_numbers.emplace(routing::number_digits(p.number), std::move(p));
  }
  for (const auto& r : tx.exec_prepared("routing_ring_groups", tid)) {
    routing::RingGroup g;
    g.id = r[0].as<std::string>();
    g.name = r[1].as<std::string>();
    g.number = r[2].as<std::string>();
    g.strategy = routing::parse_strategy(r[3].as<std::string>()).value_or(g.strategy);
    g.ring_timeout = r[4].as<int>();
    g.ring_turns = r[5].as<int>();
    g.fallback = destination_of(r[6]);
    g.members = split(r[7].as<std::string>());
    s->ring_groups.emplace(g.id, std::move(g));
  }
  for (const auto& r : tx.exec_prepared("routing_ivr_menus", tid)) {
    routing::IvrMenu m;
    m.id = r[0].as<std::string>();
    m.name = r[1].as<std::string>();
    m.number = r[2].as<std::string>();
    m.prompt = routing::parse_prompt(parse_or_null(r[3]));
    m.digit_timeout = r[4].as<int>();
    m.max_attempts = r[5].as<int>();
    m.invalid_prompt = r[6].as<std::string>();
    auto options = parse_or_null(r[7]);
    if (options.is_array()) {
      for (const auto& o : options) {
        auto digits = o.is_object() ? o.value("digits", "") : std::string();
        auto d = routing::parse_destination(o.is_object() ? o.value("destination", nlohmann::json())
                                                          : nlohmann::json());
        if (!digits.empty() && d) m.options.push_back({digits, *d});
      }
    }
    m.timeout_destination = destination_of(r[8]);
    m.failover = destination_of(r[9]);
    s->ivr_menus.emplace(m.id, std::move(m));
  }
  for (const auto& r : tx.exec_prepared("routing_business_hours", tid)) {
    routing::BusinessHoursRule b;
    b.id = r[0].as<std::string>();
    b.name = r[1].as<std::string>();
    auto zone = r[2].as<std::string>();
    std::vector<std::string> errors;
    b.schedule = routing::parse_schedule(zone.empty() ? tenant.timezone : zone, parse_or_null(r[3]),
                                         parse_or_null(r[4]), &errors);
    if (!errors.empty()) spdlog::warn("tenant {}: business hours {}: {}", tid, b.id, errors[0]);
    b.open_destination = required_destination(r[5], "business hours " + b.id, tid);
    b.closed_destination = required_destination(r[6], "business hours " + b.id, tid);
    s->business_hours.emplace(b.id, std::move(b));
  }
  for (const auto& r : tx.exec_prepared("routing_conference_rooms", tid)) {
    routing::ConferenceRoom c{r[0].as<std::string>(), r[1].as<std::string>(),
                              r[2].as<std::string>(), r[3].as<int>(),
                              r[4].as<bool>(),        r[5].as<bool>()};
    s->conferences.emplace(c.name, std::move(c));
  }
  s->index();
  return s;
}

void insert_voicemail(PgPool& pg, const routing::VoicemailMessage& m) {
  pg.with([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared("routing_insert_voicemail", m.tenant_id, m.extension_id, m.from,
                     m.recording_url, m.duration, text::null_if_empty(m.call_id));
    tx.commit();
  });
}

std::string insert_extension(pqxx::transaction_base& tx, const std::string& tenant_id,
                             const NewExtension& e) {
  return tx
      .exec_prepared1("routing_insert_extension", tenant_id, e.number, e.name,
                      e.active ? "active" : "inactive", text::null_if_empty(e.forward_to),
                      e.ring_timeout, e.voicemail_enabled,
                      text::null_if_empty(e.voicemail_greeting), e.outbound_allowed,
                      text::null_if_empty(e.caller_id))[0]
      .as<std::string>();
}

std::string insert_phone_number(pqxx::transaction_base& tx, const std::string& tenant_id,
                                const std::string& number, const Destination& d, bool active) {
  return tx
      .exec_prepared1("routing_insert_phone_number", tenant_id, number,
                      active ? "active" : "inactive", routing::to_json(d).dump())[0]
      .as<std::string>();
}

std::string insert_ring_group(pqxx::transaction_base& tx, const std::string& tenant_id,
                              const NewRingGroup& g) {
  auto id = tx.exec_prepared1("routing_insert_ring_group", tenant_id, g.name,
                              text::null_if_empty(g.number), g.strategy, g.ring_timeout,
                              g.ring_turns, opt(g.fallback))[0]
                .as<std::string>();
  int priority = 0;
  for (const auto& member : g.members) {
    tx.exec_prepared("routing_insert_ring_group_member", tenant_id, id, member, ++priority);
  }
  return id;
}

std::string insert_ivr_menu(pqxx::transaction_base& tx, const std::string& tenant_id,
                            const NewIvrMenu& m) {
  auto options = nlohmann::json::array();
  for (const auto& [digits, d] : m.options) {
    options.push_back({{"digits", digits}, {"destination", routing::to_json(d)}});
  }
  return tx
      .exec_prepared1("routing_insert_ivr_menu", tenant_id, m.name, text::null_if_empty(m.number),
                      m.prompt.dump(), m.digit_timeout, m.max_attempts,
                      text::null_if_empty(m.invalid_prompt), options.dump(),
                      opt(m.timeout_destination), opt(m.failover))[0]
      .as<std::string>();
}

std::string insert_business_hours(pqxx::transaction_base& tx, const std::string& tenant_id,
                                  const NewBusinessHours& b) {
  return tx
      .exec_prepared1("routing_insert_business_hours", tenant_id, b.name,
                      text::null_if_empty(b.timezone), b.weekly.dump(), b.exceptions.dump(),
                      routing::to_json(b.open_destination).dump(),
                      routing::to_json(b.closed_destination).dump())[0]
      .as<std::string>();
}

std::string insert_conference_room(pqxx::transaction_base& tx, const std::string& tenant_id,
                                   const routing::ConferenceRoom& room) {
  return tx
      .exec_prepared1("routing_insert_conference_room", tenant_id, room.name,
                      text::null_if_empty(room.number), room.max_participants, room.beep,
                      room.record)[0]
      .as<std::string>();
}

}  // namespace pbx::voice
