#pragma once

#include "routing/business_hours.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pbx::routing {

enum class DestinationType {
  extension,
  ring_group,
  ivr_menu,
  voicemail,
  business_hours,
  conference,
  forward,
  hangup,
};

// docs/api.md's destination object. `ref` is the object id, the forward number or the room name.
struct Destination {
  DestinationType type = DestinationType::hangup;
  std::string ref;
};

std::string_view type_name(DestinationType type);
std::optional<DestinationType> parse_type(std::string_view name);
// Reads {"type": ..., "id" | "number" | "name": ...}; nullopt when the shape is wrong.
std::optional<Destination> parse_destination(const nlohmann::json& j);
nlohmann::json to_json(const Destination& d);

struct Prompt {
  std::string say;
  std::string voice;
  std::string language;
  std::string play_url;
};
Prompt parse_prompt(const nlohmann::json& j);

struct Extension {
  std::string id;
  std::string number;
  std::string name;
  bool active = true;
  std::string forward_to;  // E.164 or SIP URI; empty when not forwarding
  int ring_timeout = 30;
  bool voicemail_enabled = false;
  std::string voicemail_greeting;
  bool outbound_allowed = false;
  std::string caller_id;
};

struct PhoneNumber {
  std::string id;
  std::string number;  // E.164
  bool active = true;
  Destination destination;
};

enum class Strategy { simultaneous, sequential, round_robin };
std::optional<Strategy> parse_strategy(std::string_view name);

struct RingGroup {
  std::string id;
  std::string name;
  std::string number;
  Strategy strategy = Strategy::simultaneous;
  int ring_timeout = 20;
  int ring_turns = 1;
  std::vector<std::string> members;  // extension ids by priority
  std::optional<Destination> fallback;
};

struct IvrOption {
  std::string digits;
  Destination destination;
};

struct IvrMenu {
  std::string id;
  std::string name;
  std::string number;
  Prompt prompt;
  int digit_timeout = 5;
  int max_attempts = 3;
  std::string invalid_prompt;
  std::vector<IvrOption> options;
  std::optional<Destination> timeout_destination;
  std::optional<Destination> failover;
};

struct BusinessHoursRule {
  std::string id;
  std::string name;
  std::optional<Schedule> schedule;  // nullopt when the stored schedule is unusable
  Destination open_destination;
  Destination closed_destination;
};

struct ConferenceRoom {
  std::string id;
  std::string name;
  std::string number;
  int max_participants = 250;
  bool beep = true;
  bool record = false;
};

// Everything routing needs to know about one tenant: built once from Postgres, then only read
// (from every thread) until a newer snapshot replaces it.
struct TenantSnapshot {
  std::string tenant_id;
  std::string public_base_url;
  std::string default_caller_id;

  std::unordered_map<std::string, Extension> extensions;           // by id
  std::unordered_map<std::string, std::string> extension_numbers;  // number -> id
  std::unordered_map<std::string, PhoneNumber> phone_numbers;      // digits of the number -> row
  std::unordered_map<std::string, RingGroup> ring_groups;
  std::unordered_map<std::string, IvrMenu> ivr_menus;
  std::unordered_map<std::string, BusinessHoursRule> business_hours;
  std::unordered_map<std::string, ConferenceRoom> conferences;  // by name
  // Internal numbers of groups, menus and rooms: number -> destination.
  std::unordered_map<std::string, Destination> internal_numbers;

  const Extension* extension(const std::string& id) const;
  const Extension* extension_by_number(const std::string& number) const;
  const PhoneNumber* phone_number(std::string_view dialled) const;
  void index();  // fills extension_numbers and internal_numbers from the tables
};

// Digits of a dialled number, accepting "+1 (212) 555-0100", "tel:+1...", "sip:+1...@host".
std::string number_digits(std::string_view dialled);
// The user part of a SIP URI ("sip:1001@acme" -> "1001"); the input itself otherwise.
std::string_view sip_user(std::string_view uri);

}  // namespace pbx::routing
