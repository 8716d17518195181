#include "admin/checks.hpp"

#include "core/text.hpp"
#include "routing/model.hpp"

#include <date/tz.h>

#include <regex>

namespace pbx::admin::checks {

namespace {

bool matches(const std::string& s, const std::regex& re) { return std::regex_match(s, re); }

}  // namespace

bool is_e164(const std::string& s) {
  static const std::regex re(R"(\+[1-9][0-9]{6,14})");
  return matches(s, re);
}

Check text(size_t max_length, bool allow_empty) {
  return [=](const Json& v) -> std::optional<std::string> {
    const auto& s = v.get_ref<const std::string&>();
    if (!allow_empty && s.empty()) return "must not be empty";
    if (s.size() > max_length) return "at most " + std::to_string(max_length) + " characters";
    return std::nullopt;
  };
}

Check extension_number() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex re("[0-9]{2,8}");
    if (!matches(v.get<std::string>(), re)) return "must be 2 to 8 digits";
    return std::nullopt;
  };
}

Check e164() {
  return [](const Json& v) -> std::optional<std::string> {
    if (!is_e164(v.get<std::string>())) return "must be an E.164 number such as +12125550100";
    return std::nullopt;
  };
}

Check forward_target() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex sip(R"(sips?:[^@\s<>"]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?(;[^\s<>"]*)?)");
    const auto& s = v.get_ref<const std::string&>();
    if (is_e164(s) || matches(s, sip)) return std::nullopt;
    return "must be an E.164 number or a SIP URI (sip:user@host)";
  };
}

Check integer(long long min, long long max) {
  return [=](const Json& v) -> std::optional<std::string> {
    auto n = v.get<long long>();
    if (n < min || n > max) {
      return "must be from " + std::to_string(min) + " to " + std::to_string(max);
    }
    return std::nullopt;
  };
}

Check one_of(std::initializer_list<const char*> values) {
  std::vector<std::string> allowed(values.begin(), values.end());
  return [allowed](const Json& v) -> std::optional<std::string> {
    for (const auto& a : allowed) {
      if (v.get<std::string>() == a) return std::nullopt;
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return "must be one of: " + list;
  };
}

Check url() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex re(R"(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s<>"]*)?)");
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > 2048 || !matches(s, re)) return "must be an http(s) URL";
    return std::nullopt;
  };
}

Check email() {
  return [](const Json& v) -> std::optional<std::string> {
    static const std::regex re(R"([^@\s]+@[^@\s]+\.[^@\s]+)");
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > 254 || !matches(s, re)) return "must be an e-mail address";
    return std::nullopt;
  };
}

Check timezone() {
  return [](const Json& v) -> std::optional<std::string> {
    try {
      date::locate_zone(v.get<std::string>());
      return std::nullopt;
    } catch (const std::exception&) {
      return "must be an IANA time zone such as Europe/London";
    }
  };
}

Check destination() {
  return [](const Json& v) -> std::optional<std::string> {
    auto d = routing::parse_destination(v);
    if (!d) {
      return "must be {\"type\": ...} with \"id\" (or \"number\" for forward, \"name\" for "
             "conference)";
    }
    for (const auto& [key, value] : v.items()) {
      if (key != "type" && key != "id" && key != "number" && key != "name") {
        return "unknown member " + key;
      }
    }
    if (d->type == routing::DestinationType::forward) return forward_target()(v["number"]);
    if (d->type == routing::DestinationType::conference) {
      static const std::regex room("[A-Za-z0-9_.-]{1,64}");
      if (!matches(d->ref, room)) return "conference name: letters, digits, _ . - (1-64)";
    }
    return std::nullopt;
  };
}

Check prompt() {
  return [](const Json& v) -> std::optional<std::string> {
    if (!v.is_object()) return "must be {\"say\", \"voice\", \"language\"} or {\"play_url\"}";
    bool say = v.contains("say"), play = v.contains("play_url");
    if (say == play) return "needs exactly one of say or play_url";
    for (const auto& [key, value] : v.items()) {
      if (key != "say" && key != "voice" && key != "language" && key != "play_url") {
        return "unknown member " + key;
      }
      if (!value.is_string() || value.get_ref<const std::string&>().size() > 2000) {
        return key + " must be a string of at most 2000 characters";
      }
    }
    if (play) return url()(v["play_url"]);
    return std::nullopt;
  };
}

std::vector<store::Statement> check_statements() {
  return {
      {"check_destination",
       "SELECT CASE $2"
       " WHEN 'extension' THEN EXISTS (SELECT 1 FROM extensions WHERE tenant_id = $1 AND id = $3)"
       " WHEN 'voicemail' THEN EXISTS (SELECT 1 FROM extensions WHERE tenant_id = $1 AND id = $3)"
       " WHEN 'ring_group' THEN EXISTS (SELECT 1 FROM ring_groups WHERE tenant_id = $1 AND id = $3)"
       " WHEN 'ivr_menu' THEN EXISTS (SELECT 1 FROM ivr_menus WHERE tenant_id = $1 AND id = $3)"
       " WHEN 'business_hours' THEN"
       "  EXISTS (SELECT 1 FROM business_hours WHERE tenant_id = $1 AND id = $3)"
       " ELSE false END"},
      {"check_number_taken",
       "SELECT kind FROM ("
       " SELECT 'extension' AS kind, id FROM extensions WHERE tenant_id = $1 AND number = $2"
       " UNION ALL SELECT 'ring_group', id FROM ring_groups WHERE tenant_id = $1 AND number = $2"
       " UNION ALL SELECT 'ivr_menu', id FROM ivr_menus WHERE tenant_id = $1 AND number = $2"
       " UNION ALL SELECT 'conference_room', id FROM conference_rooms"
       "  WHERE tenant_id = $1 AND number = $2) n"
       " WHERE $3::uuid IS NULL OR id <> $3::uuid LIMIT 1"},
  };
}

void destination_exists(WriteContext& ctx, const Json& destination, const std::string& field,
                        Errors& errors) {
  auto d = routing::parse_destination(destination);
  if (!d || d->ref.empty()) return;
  using routing::DestinationType;
  if (d->type == DestinationType::forward || d->type == DestinationType::conference ||
      d->type == DestinationType::hangup) {
    return;
  }
  bool found = text::is_uuid(d->ref) &&
               ctx.tx
                   .exec_prepared1("check_destination", ctx.who.tenant_id,
                                   std::string(routing::type_name(d->type)), d->ref)[0]
                   .as<bool>();
  if (!found) errors.emplace_back(field, "no such " + std::string(routing::type_name(d->type)));
}

void number_free(WriteContext& ctx, const Json& number, const std::string& field, Errors& errors) {
  if (!number.is_string()) return;
  std::optional<std::string> self;
  if (ctx.id) self = *ctx.id;
  auto rows = ctx.tx.exec_prepared("check_number_taken", ctx.who.tenant_id,
                                   number.get<std::string>(), self);
  if (!rows.empty()) {
    errors.emplace_back(field, "already exists (used by a " + rows[0][0].as<std::string>() + ")");
  }
}

}  // namespace pbx::admin::checks
