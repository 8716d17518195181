#include "admin/checks.hpp"

#include "core/text.hpp"
#include "routing/model.hpp"

#include <date/tz.h>

#include <algorithm>
#include <string_view>

namespace pbx::admin::checks {

// Every check below scans its input once, left to right, with no backtracking and no
// recursion: std::regex recurses once per input character, so a long enough value sent by any
// tenant's admin would overflow the stack of the one process that routes every tenant's calls.
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_host_char(char c) { return is_alnum(c) || c == '.' || c == '-'; }

// A character that may appear in a URI here: printable ASCII or UTF-8, no space, no control
// character, and none of the characters that delimit a URI in text (< > ").
bool is_uri_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != '<' && c != '>' && c != '"';
}

template <typename Pred>
bool all_of(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

bool digits(std::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && all_of(s, is_digit);
}

// host[:port], host of letters, digits, dots and hyphens, port of 1-5 digits.
bool host_port(std::string_view s) {
  auto colon = s.find(':');
  auto host = s.substr(0, colon);
  if (host.empty() || !all_of(host, is_host_char)) return false;
  return colon == std::string_view::npos || digits(s.substr(colon + 1), 1, 5);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool is_e164(std::string_view s) {
  return s.size() >= 8 && s.size() <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9' &&
         all_of(s.substr(2), is_digit);
}

// sip:user@host[:port][;params] (or sips:), the user part without @.
bool is_sip_uri(std::string_view s) {
  if (s.size() > kMaxSipUri) return false;
  if (starts_with(s, "sips:")) {
    s.remove_prefix(5);
  } else if (starts_with(s, "sip:")) {
    s.remove_prefix(4);
  } else {
    return false;
  }
  auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  if (!all_of(s.substr(0, at), is_uri_char)) return false;
  auto rest = s.substr(at + 1);
  auto semi = rest.find(';');
  if (!host_port(rest.substr(0, semi))) return false;
  return semi == std::string_view::npos || all_of(rest.substr(semi + 1), is_uri_char);
}

// http(s)://host[:port][/path], at most kMaxUrl characters.
bool is_http_url(std::string_view s) {
  if (s.size() > kMaxUrl) return false;
  if (starts_with(s, "https://")) {
    s.remove_prefix(8);
  } else if (starts_with(s, "http://")) {
    s.remove_prefix(7);
  } else {
    return false;
  }
  auto slash = s.find('/');
  if (!host_port(s.substr(0, slash))) return false;
  return slash == std::string_view::npos || all_of(s.substr(slash), is_uri_char);
}

// local@domain.tld: one @, no whitespace, and a dot inside the domain (not first or last).
bool is_email(std::string_view s) {
  if (s.size() > kMaxEmail) return false;
  auto ok = [](char c) { return c != '@' && static_cast<unsigned char>(c) > 0x20; };
  auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  auto local = s.substr(0, at), domain = s.substr(at + 1);
  if (!all_of(local, ok) || !all_of(domain, ok)) return false;
  auto dot = domain.find('.', 1);
  return dot != std::string_view::npos && dot + 1 < domain.size();
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
    if (!digits(v.get_ref<const std::string&>(), 2, 8)) return "must be 2 to 8 digits";
    return std::nullopt;
  };
}

Check e164() {
  return [](const Json& v) -> std::optional<std::string> {
    if (!is_e164(v.get_ref<const std::string&>()))
      return "must be an E.164 number such as +12125550100";
    return std::nullopt;
  };
}

Check forward_target() {
  return [](const Json& v) -> std::optional<std::string> {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > kMaxSipUri) return "at most " + std::to_string(kMaxSipUri) + " characters";
    if (is_e164(s) || is_sip_uri(s)) return std::nullopt;
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
    if (!is_http_url(v.get_ref<const std::string&>())) return "must be an http(s) URL";
    return std::nullopt;
  };
}

Check email() {
  return [](const Json& v) -> std::optional<std::string> {
    if (!is_email(v.get_ref<const std::string&>())) return "must be an e-mail address";
    return std::nullopt;
  };
}

Check password() {
  return [](const Json& v) -> std::optional<std::string> {
    auto n = v.get_ref<const std::string&>().size();
    if (n < kMinPassword || n > kMaxPassword) {
      return "must be " + std::to_string(kMinPassword) + " to " + std::to_string(kMaxPassword) +
             " characters";
    }
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

Check conference_name() {
  return [](const Json& v) -> std::optional<std::string> {
    const auto& s = v.get_ref<const std::string&>();
    auto room_char = [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; };
    if (s.empty() || s.size() > 64 || !all_of(s, room_char)) return "letters, digits, _ . - (1-64)";
    return std::nullopt;
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
    if (d->type == routing::DestinationType::conference && conference_name()(Json(d->ref))) {
      return "conference name: letters, digits, _ . - (1-64)";
    }
    return std::nullopt;
  };
}

Check domain_aliases() {
  return [](const Json& v) -> std::optional<std::string> {
    if (!v.is_array() || v.size() > kMaxDomainAliases) {
      return "must be a list of at most " + std::to_string(kMaxDomainAliases) + " domain names";
    }
    for (const auto& alias : v) {
      if (!alias.is_string()) return "each alias must be a string";
      const auto& s = alias.get_ref<const std::string&>();
      if (s.empty() || s.size() > 253 || !all_of(s, is_host_char)) {
        return "each alias must be a domain name (letters, digits, dots and hyphens, at most 253)";
      }
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
