#include "admin/resources.hpp"

#include "admin/checks.hpp"
#include "admin/cloudonix_sync.hpp"
#include "core/crypto.hpp"
#include "provisioning/outbox.hpp"
#include "routing/business_hours.hpp"

#include <set>

namespace pbx::admin {

namespace {

using namespace checks;

const std::vector<std::string> kManagers{"owner", "admin"};
const std::vector<std::string> kStaff{"owner", "admin", "user"};

Field read_only(Field f) {
  f.writable = false;
  return f;
}

void check_destinations(WriteContext& ctx, const Json& merged,
                        std::initializer_list<const char*> fields, Errors& errors) {
  for (const char* f : fields) {
    if (merged.contains(f) && !merged[f].is_null()) {
      destination_exists(ctx, merged[f], f, errors);
    }
  }
}

Resource extensions() {
  Resource r;
  r.path = "/api/v1/extensions";
  r.name = "extensions";
  r.table = "extensions";
  r.read_roles = kStaff;
  r.write_roles = kManagers;
  r.referencable = true;
  r.fields = {text_field("number", extension_number(), true),
              text_field("name", text(100), true, ""),
              text_field("status", one_of({"active", "inactive"}), true, "active"),
              text_field("forward_to", forward_target()),
              int_field("ring_timeout", 5, 600, 30),
              bool_field("voicemail_enabled", false),
              text_field("voicemail_greeting", text(1000)),
              bool_field("outbound_allowed", false),
              text_field("caller_id", e164()),
              text_field("user_id", text(36))};
  for (auto& f : extension_sync_fields()) r.fields.push_back(std::move(f));
  r.extra_select = provisioning::extension_sync_select();
  r.on_change = extension_changed;
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    number_free(ctx, m.value("number", Json()), "number", errors);
    if (m.contains("user_id") && m["user_id"].is_string()) {
      auto rows = ctx.tx.exec_prepared("res_user_in_tenant", ctx.who.tenant_id,
                                       m["user_id"].get<std::string>());
      if (rows.empty() || !rows[0][0].as<bool>()) errors.emplace_back("user_id", "no such user");
    }
  };
  return r;
}

Resource phone_numbers() {
  Resource r;
  r.path = "/api/v1/phone-numbers";
  r.name = "phone_numbers";
  r.table = "phone_numbers";
  r.read_roles = kStaff;
  r.write_roles = kManagers;
  r.fields = {text_field("number", e164(), true), text_field("name", text(100), true, ""),
              text_field("status", one_of({"active", "inactive"}), true, "active"),
              json_field("destination", destination(), true)};
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    check_destinations(ctx, m, {"destination"}, errors);
  };
  r.on_change = phone_number_changed;
  return r;
}

Resource ring_groups() {
  Resource r;
  r.path = "/api/v1/ring-groups";
  r.name = "ring_groups";
  r.table = "ring_groups";
  r.read_roles = kStaff;
  r.write_roles = kManagers;
  r.referencable = true;
  Field members = json_field("members", ring_group_members(), true, Json::array());
  members.stored = false;
  r.fields = {text_field("name", text(100, false), true),
              text_field("number", extension_number()),
              text_field("strategy", one_of({"simultaneous", "sequential", "round_robin"}), true,
                         "simultaneous"),
              int_field("ring_timeout", 5, 600, 20),
              int_field("ring_turns", 1, 10, 1),
              std::move(members),
              json_field("fallback", destination())};
  r.extra_select =
      "'members', (SELECT coalesce(jsonb_agg(jsonb_build_object('extension_id', m.extension_id,"
      " 'priority', m.priority) ORDER BY m.priority, m.extension_id), '[]')"
      " FROM ring_group_members m WHERE m.ring_group_id = r.id)";
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    number_free(ctx, m.value("number", Json()), "number", errors);
    check_destinations(ctx, m, {"fallback"}, errors);
    std::set<std::string> seen;
    for (const auto& member : m.value("members", Json::array())) {
      auto id = member.value("extension_id", "");
      if (!seen.insert(id).second) {
        errors.emplace_back("members", "extension " + id + " listed twice");
        continue;
      }
      Errors missing;
      destination_exists(ctx, {{"type", "extension"}, {"id", id}}, "members", missing);
      if (!missing.empty()) errors.emplace_back("members", "no such extension " + id);
    }
  };
  r.after_write = [](WriteContext& ctx, const std::string& id, const Json& m) {
    ctx.tx.exec_prepared("res_ring_group_members_clear", ctx.who.tenant_id, id);
    int position = 0;
    for (const auto& member : m.value("members", Json::array())) {
      ctx.tx.exec_prepared("res_ring_group_member_add", ctx.who.tenant_id, id,
                           member.value("extension_id", ""), member.value("priority", position));
      ++position;
    }
  };
  return r;
}

Resource ivr_menus() {
  Resource r;
  r.path = "/api/v1/ivr-menus";
  r.name = "ivr_menus";
  r.table = "ivr_menus";
  r.read_roles = kStaff;
  r.write_roles = kManagers;
  r.referencable = true;
  r.fields = {text_field("name", text(100, false), true),
              text_field("number", extension_number()),
              json_field("prompt", prompt(), true),
              int_field("digit_timeout", 1, 60, 5),
              int_field("max_attempts", 1, 10, 3),
              text_field("invalid_prompt", text(1000)),
              json_field("options", ivr_options(), true, Json::array()),
              json_field("timeout_destination", destination()),
              json_field("failover", destination())};
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    number_free(ctx, m.value("number", Json()), "number", errors);
    check_destinations(ctx, m, {"timeout_destination", "failover"}, errors);
    for (const auto& o : m.value("options", Json::array())) {
      destination_exists(ctx, o.value("destination", Json()), "options", errors);
    }
  };
  return r;
}

Resource business_hours() {
  Resource r;
  r.path = "/api/v1/business-hours";
  r.name = "business_hours";
  r.table = "business_hours";
  r.read_roles = kStaff;
  r.write_roles = kManagers;
  r.referencable = true;
  r.fields = {text_field("name", text(100, false), true),
              text_field("timezone", timezone()),
              json_field("weekly", weekly_ranges(), true, Json::object()),
              json_field("exceptions", schedule_exceptions(), true, Json::array()),
              json_field("open_destination", destination(), true),
              json_field("closed_destination", destination(), true)};
  r.extra_select =
      "'effective_timezone', coalesce(r.timezone,"
      " (SELECT t.timezone FROM tenants t WHERE t.id = r.tenant_id))";
  r.decorate = [](Json& obj) {
    auto schedule = routing::parse_schedule(obj.value("effective_timezone", "UTC"), obj["weekly"],
                                            obj["exceptions"], nullptr);
    obj["open_now"] = schedule && routing::is_open(*schedule, std::chrono::system_clock::now());
  };
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    check_destinations(ctx, m, {"open_destination", "closed_destination"}, errors);
  };
  r.object_checks = [](const Json& m, Errors& errors) {
    std::vector<std::string> problems;
    // The zone has its own check; the ranges are checked whatever it says.
    auto tz = m.value("timezone", Json());
    auto zone = tz.is_string() && !timezone()(tz) ? tz.get<std::string>() : std::string("UTC");
    routing::parse_schedule(zone, m.value("weekly", Json::object()),
                            m.value("exceptions", Json::array()), &problems);
    for (const auto& p : problems) {
      if (p.rfind("timezone", 0) == 0) continue;  // reported by the field check
      auto colon = p.find(": ");
      errors.emplace_back(p.substr(0, colon), colon == std::string::npos ? p : p.substr(colon + 2));
    }
  };
  return r;
}

// Destinations join a room by its name, not its id, so the generic reference check misses
// them; a room that destinations name is neither deleted nor renamed under them.
pqxx::result room_references(pqxx::transaction_base& tx, const std::string& tenant,
                             const std::string& name) {
  return tx.exec_prepared("res_conference_room_references", tenant, name);
}

Resource conference_rooms() {
  Resource r;
  r.path = "/api/v1/conference-rooms";
  r.name = "conference_rooms";
  r.table = "conference_rooms";
  r.read_roles = kStaff;
  r.write_roles = kManagers;
  r.fields = {text_field("name", conference_name(), true), text_field("number", extension_number()),
              int_field("max_participants", 2, 250, 250), bool_field("beep", true),
              bool_field("record", false)};
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    number_free(ctx, m.value("number", Json()), "number", errors);
    if (ctx.id) {
      auto was = ctx.current.value("name", "");
      if (m.value("name", "") != was && !room_references(ctx.tx, ctx.who.tenant_id, was).empty())
        errors.emplace_back("name", "destinations still join this room by name");
    }
  };
  r.before_delete = [](WriteContext& ctx) {
    refuse_if_referenced(room_references(ctx.tx, ctx.who.tenant_id, ctx.current.value("name", "")));
  };
  return r;
}

Resource voicemails() {
  Resource r;
  r.path = "/api/v1/voicemails";
  r.name = "voicemails";
  r.table = "voicemails";
  r.read_roles = kStaff;
  r.write_roles = kStaff;
  r.creatable = false;
  r.newest_first = true;
  r.has_updated_at = false;
  Field from = read_only(text_field("from", nullptr));
  from.column = "from_number";
  r.fields = {
      read_only(text_field("extension_id", nullptr)),  std::move(from),
      read_only(text_field("recording_url", nullptr)), read_only(text_field("duration", nullptr)),
      read_only(text_field("call_id", nullptr)),       bool_field("read", false)};
  r.user_scope = "r.extension_id IN (SELECT id FROM extensions WHERE user_id = {user})";
  r.scoped_roles = {"user"};
  return r;
}

Resource users() {
  Resource r;
  r.path = "/api/v1/users";
  r.name = "users";
  r.table = "users";
  r.read_roles = kManagers;
  r.write_roles = kManagers;
  Field password = text_field("password", checks::password(), true);
  password.column = "password_hash";
  password.readable = false;
  password.keep_when_null = true;
  r.fields = {text_field("email", email(), true), text_field("name", text(100), true, ""),
              text_field("role", one_of({"owner", "admin", "user", "reporter"}), true),
              std::move(password)};
  // No one grants more than they hold, changes their own role, touches an owner without being
  // one, or changes another admin's credentials without being an owner.
  r.db_checks = [](WriteContext& ctx, const Json& m, Errors& errors) {
    bool owner = ctx.who.role == "owner";
    if (m.value("role", "") == "owner" && !owner)
      errors.emplace_back("role", "only an owner may grant owner");
    if (ctx.id && ctx.current.value("role", "") == "owner" && !owner) {
      throw Error::forbidden("only an owner may change an owner");
    }
    if (ctx.id && *ctx.id == ctx.who.user_id &&
        m.value("role", "") != ctx.current.value("role", "")) {
      errors.emplace_back("role", "you cannot change your own role");
    }
    if (ctx.id) {
      check_credential_change(ctx.who, *ctx.id, ctx.current.value("role", ""),
                              credential_change(ctx.current, m), errors);
    }
  };
  // A new e-mail or password ends every session of the user (their own changes go through
  // PATCH /api/v1/auth/me).
  r.after_write = [](WriteContext& ctx, const std::string& id, const Json& m) {
    if (ctx.id && credential_change(ctx.current, m).ends_sessions()) {
      revoke_user_tokens(ctx.tx, id);
    }
  };
  r.to_row = [](WriteContext&, const Json& m) {
    Json row{{"email", m.value("email", Json())},
             {"name", m.value("name", Json())},
             {"role", m.value("role", Json())}};
    row["password_hash"] = m.contains("password") && m["password"].is_string()
                               ? Json(crypto::hash_password(m["password"].get<std::string>()))
                               : Json(nullptr);
    return row;
  };
  r.before_delete = [](WriteContext& ctx) {
    if (*ctx.id == ctx.who.user_id) throw Error::conflict("you cannot delete yourself");
    if (ctx.current.value("role", "") == "owner" && ctx.who.role != "owner") {
      throw Error::forbidden("only an owner may delete an owner");
    }
  };
  return r;
}

}  // namespace

const std::vector<Resource>& routing_resources() {
  static const std::vector<Resource> all{extensions(), phone_numbers(),  ring_groups(),
                                         ivr_menus(),  business_hours(), conference_rooms(),
                                         voicemails(), users()};
  return all;
}

std::vector<store::Statement> routing_resource_statements() {
  auto out = resource_statements(routing_resources());
  auto more = check_statements();
  out.insert(out.end(), more.begin(), more.end());
  out.push_back({"res_user_in_tenant",
                 "SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id::text = $2)"});
  out.push_back(
      {"res_conference_room_references",
       "WITH d AS (SELECT jsonb_build_object('type', 'conference', 'name', $2::text) AS j)"
       " SELECT 'phone_number', p.id::text, p.number FROM phone_numbers p, d"
       "  WHERE p.tenant_id = $1 AND p.destination @> d.j"
       " UNION ALL SELECT 'ring_group', g.id::text, g.name FROM ring_groups g, d"
       "  WHERE g.tenant_id = $1 AND g.fallback @> d.j"
       " UNION ALL SELECT 'ivr_menu', m.id::text, m.name FROM ivr_menus m, d"
       "  WHERE m.tenant_id = $1 AND (m.timeout_destination @> d.j OR m.failover @> d.j"
       "   OR m.options @> jsonb_build_array(jsonb_build_object('destination', d.j)))"
       " UNION ALL SELECT 'business_hours', b.id::text, b.name FROM business_hours b, d"
       "  WHERE b.tenant_id = $1 AND (b.open_destination @> d.j OR b.closed_destination @> d.j)"
       " ORDER BY 1, 3"});
  out.push_back({"res_ring_group_members_clear",
                 "DELETE FROM ring_group_members WHERE tenant_id = $1 AND ring_group_id = $2"});
  out.push_back({"res_ring_group_member_add",
                 "INSERT INTO ring_group_members (tenant_id, ring_group_id, extension_id, priority)"
                 " VALUES ($1, $2, $3, $4)"});
  return out;
}

}  // namespace pbx::admin
