#include "routing/model.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace pbx::routing {

namespace {

constexpr std::array<std::pair<DestinationType, std::string_view>, 8> kTypeNames{{
    {DestinationType::extension, "extension"},
    {DestinationType::ring_group, "ring_group"},
    {DestinationType::ivr_menu, "ivr_menu"},
    {DestinationType::voicemail, "voicemail"},
    {DestinationType::business_hours, "business_hours"},
    {DestinationType::conference, "conference"},
    {DestinationType::forward, "forward"},
    {DestinationType::hangup, "hangup"},
}};

// The member of a destination object that carries its reference.
std::string_view ref_key(DestinationType type) {
  switch (type) {
    case DestinationType::forward:
      return "number";
    case DestinationType::conference:
      return "name";
    case DestinationType::hangup:
      return "";
    default:
      return "id";
  }
}

std::string string_or_empty(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string_view type_name(DestinationType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "hangup";
}

std::optional<DestinationType> parse_type(std::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::optional<Destination> parse_destination(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  auto type_it = j.find("type");
  if (type_it == j.end() || !type_it->is_string()) return std::nullopt;
  auto type = parse_type(type_it->get_ref<const std::string&>());
  if (!type) return std::nullopt;
  Destination d{*type, {}};
  auto key = ref_key(*type);
  if (key.empty()) return d;
  d.ref = string_or_empty(j, std::string(key).c_str());
  if (d.ref.empty()) return std::nullopt;
  return d;
}

nlohmann::json to_json(const Destination& d) {
  nlohmann::json j{{"type", type_name(d.type)}};
  auto key = ref_key(d.type);
  if (!key.empty()) j[std::string(key)] = d.ref;
  return j;
}

Prompt parse_prompt(const nlohmann::json& j) {
  Prompt p;
  if (!j.is_object()) return p;
  p.say = string_or_empty(j, "say");
  p.voice = string_or_empty(j, "voice");
  p.language = string_or_empty(j, "language");
  p.play_url = string_or_empty(j, "play_url");
  return p;
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  if (name == "simultaneous") return Strategy::simultaneous;
  if (name == "sequential") return Strategy::sequential;
  if (name == "round_robin") return Strategy::round_robin;
  return std::nullopt;
}

std::string_view sip_user(std::string_view uri) {
  for (std::string_view scheme : {"sip:", "sips:", "tel:"}) {
    if (uri.size() > scheme.size() && uri.substr(0, scheme.size()) == scheme) {
      uri.remove_prefix(scheme.size());
      break;
    }
  }
  if (auto at = uri.find('@'); at != std::string_view::npos) uri = uri.substr(0, at);
  if (auto semi = uri.find(';'); semi != std::string_view::npos) uri = uri.substr(0, semi);
  return uri;
}

std::string number_digits(std::string_view dialled) {
  std::string digits;
  for (char c : sip_user(dialled)) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return {};  // letters or '*'/'#': not a phone number
    }
  }
  return digits;
}

const Extension* TenantSnapshot::extension(const std::string& id) const {
  auto it = extensions.find(id);
  return it == extensions.end() ? nullptr : &it->second;
}

const Extension* TenantSnapshot::extension_by_number(const std::string& number) const {
  auto it = extension_numbers.find(number);
  return it == extension_numbers.end() ? nullptr : extension(it->second);
}

const PhoneNumber* TenantSnapshot::phone_number(std::string_view dialled) const {
  auto digits = number_digits(dialled);
  if (digits.empty()) return nullptr;
  auto it = phone_numbers.find(digits);
  return it == phone_numbers.end() ? nullptr : &it->second;
}

void TenantSnapshot::index() {
  extension_numbers.clear();
  internal_numbers.clear();
  for (const auto& [id, e] : extensions) extension_numbers.emplace(e.number, id);
  for (const auto& [id, g] : ring_groups) {
    if (!g.number.empty()) internal_numbers.emplace(g.number, Destination{DestinationType::ring_group, id});
  }
  for (const auto& [id, m] : ivr_menus) {
    if (!m.number.empty()) internal_numbers.emplace(m.number, Destination{DestinationType::ivr_menu, id});
  }
  for (const auto& [name, room] : conferences) {
    if (!room.number.empty()) {
      internal_numbers.emplace(room.number, Destination{DestinationType::conference, name});
    }
  }
}

}  // namespace pbx::routing
