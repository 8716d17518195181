#include "admin/cloudonix_sync.hpp"

#include "core/text.hpp"
#include "http/json_body.hpp"
#include "provisioning/connection.hpp"
#include "provisioning/outbox.hpp"
#include "provisioning/sync_diff.hpp"

namespace pbx::admin {

namespace {

const std::vector<std::string> kManagers{"owner", "admin"};

// An admin request waits at most this long for a slot of the domain's request window.
constexpr std::chrono::seconds kPacingWait{5};

// Queues the object when it is new, gone, or changed in what Cloudonix holds of it.
void queue_if_seen(WriteContext& ctx, provisioning::ObjectType type, const std::string& id,
                   const Json* merged) {
  std::optional<std::string> previous;
  if (ctx.id) {
    previous = ctx.current.value("number", "");
    if (merged && merged->value("number", "") == *previous &&
        merged->value("status", "") == ctx.current.value("status", "")) {
      return;
    }
  }
  provisioning::enqueue(ctx.tx, ctx.who.tenant_id, type, id, previous);
}

// Seals and stores a new SIP password for the extension (replacing one it had).
std::string new_sip_password(pqxx::transaction_base& tx, const crypto::SecretBox& secrets,
                             const std::string& tenant_id, const std::string& extension_id) {
  auto password = provisioning::generate_sip_password();
  tx.exec_prepared("cx_password_store", extension_id, tenant_id,
                   secrets.seal(password, provisioning::sip_password_context(extension_id)));
  return password;
}

struct Compared {
  std::vector<provisioning::LocalExtension> extensions;
  std::vector<provisioning::Subscriber> subscribers;
  provisioning::SubscriberDiff diff;
};

// Both sides of the tenant's extensions; throws 409 when the tenant is not paired and 503 when
// Cloudonix does not answer.
Compared compare_sides(const CloudonixSyncDeps& deps, const std::string& tenant_id) {
  Compared out;
  auto connection = deps.pg.with([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    auto c = provisioning::load_connection(tx, tenant_id, deps.secrets);
    if (!c) return c;
    out.extensions.clear();
    for (const auto& row : tx.exec_prepared("cx_sync_extensions", tenant_id)) {
      provisioning::LocalExtension e{row[0].as<std::string>(), row[1].as<std::string>(),
                                     row[2].as<std::string>() == "active", std::nullopt};
      if (!row[3].is_null()) {
        e.sip_password =
            deps.secrets.open(row[3].as<std::string>(), provisioning::sip_password_context(e.id));
      }
      out.extensions.push_back(std::move(e));
    }
    return c;
  });
  if (!connection) throw Error::conflict("the tenant is not paired with Cloudonix");
  if (!deps.pacer.acquire(connection->domain, kPacingWait)) {
    throw Error::unavailable("Cloudonix's request limit for the domain is in use: try again");
  }
  provisioning::Client client({deps.api_url, connection->domain, connection->api_key},
                              client::curl_transport());
  auto listed = client.list_subscribers();
  if (!listed) throw Error::unavailable(listed.failure().describe());
  out.subscribers = std::move(listed.value());
  out.diff = provisioning::compare(out.extensions, out.subscribers);
  return out;
}

}  // namespace

Json extension_changed(WriteContext& ctx, const std::string& id, const Json* merged) {
  Json added;
  // A password is a subscriber's: an unpaired tenant's extensions get theirs from the sync
  // once it pairs (shown by a rotation).
  if (!ctx.id && ctx.secrets &&
      ctx.tx.exec_prepared1("cx_tenant_paired", ctx.who.tenant_id)[0].as<bool>()) {
    added = {{"sip_password", new_sip_password(ctx.tx, *ctx.secrets, ctx.who.tenant_id, id)}};
  }
  queue_if_seen(ctx, provisioning::ObjectType::extension, id, merged);
  return added;
}

Json phone_number_changed(WriteContext& ctx, const std::string& id, const Json* merged) {
  queue_if_seen(ctx, provisioning::ObjectType::phone_number, id, merged);
  return nullptr;
}

std::vector<Field> extension_sync_fields() {
  std::vector<Field> out;
  for (auto [name, kind] : {std::pair{"cloudonix_sync", Kind::text},
                            std::pair{"sync_error", Kind::text}, std::pair{"sip", Kind::json}}) {
    Field f;
    f.name = name;
    f.kind = kind;
    f.writable = false;
    f.stored = false;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<store::Statement> cloudonix_sync_statements() {
  auto out = provisioning::outbox_statements();
  auto more = provisioning::connection_statements();
  out.insert(out.end(), more.begin(), more.end());
  static const std::string paired = "SELECT " + provisioning::paired_sql("$1::uuid");
  out.push_back({"cx_tenant_paired", paired.c_str()});
  out.push_back({"cx_password_store",
                 "INSERT INTO extension_sip_passwords (extension_id, tenant_id, sealed)"
                 " VALUES ($1::uuid, $2::uuid, $3) ON CONFLICT (extension_id) DO UPDATE"
                 " SET sealed = EXCLUDED.sealed, updated_at = clock_timestamp()"});
  out.push_back(
      {"cx_extension_lock",
       "SELECT number FROM extensions WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE"});
  out.push_back({"cx_sync_extensions",
                 "SELECT e.id::text, e.number, e.status, p.sealed FROM extensions e"
                 " LEFT JOIN extension_sip_passwords p ON p.extension_id = e.id"
                 " WHERE e.tenant_id = $1 ORDER BY e.number"});
  return out;
}

NumbersStep pairing_numbers_step(store::PgPool& pg) {
  return [&pg](provisioning::Client&, const std::string& tenant_id, std::int64_t) {
    auto queued = pg.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto q = provisioning::enqueue_tenant(tx, tenant_id);
      tx.commit();
      return q;
    });
    // Nothing to queue is nothing to change, so a second pairing of an empty tenant is all
    // "unchanged"; the worker applies what is queued and changes only what differs.
    const bool none = queued.phone_numbers == 0 && queued.extensions == 0;
    return PairingStep{5,
                       "numbers",
                       none ? "unchanged" : "queued",
                       std::to_string(queued.phone_numbers) + " phone numbers (DNIDs) and " +
                           std::to_string(queued.extensions) +
                           " extensions (subscribers) queued for the sync",
                       {}};
  };
}

void add_cloudonix_sync_routes(http::Router& router, CloudonixSyncDeps deps) {
  router.add(
      "POST", "/api/v1/extensions/{id}/sip-password",
      http::Doc{"extensions",
                "New SIP password of the extension's Cloudonix subscriber, shown once",
                http::Access::admin,
                {{"responses", {{"404", {{"description", "no such extension in this tenant"}}}}}}},
      [deps](http::Request& req) {
        auto p = deps.guard(req);
        require_role(p, kManagers);
        const auto& id = req.path_param("id");
        if (!text::is_uuid(id)) throw Error::not_found();
        auto password = deps.pg.with([&](pqxx::connection& conn) {
          pqxx::work tx(conn);
          if (tx.exec_prepared("cx_extension_lock", p.tenant_id, id).empty())
            throw Error::not_found();
          auto plain = new_sip_password(tx, deps.secrets, p.tenant_id, id);
          provisioning::enqueue(tx, p.tenant_id, provisioning::ObjectType::extension, id,
                                std::nullopt);
          tx.commit();
          return plain;
        });
        return http::Response::json(200, {{"id", id}, {"sip_password", password}});
      });

  router.add("GET", "/api/v1/extensions/sync",
             http::Doc{"extensions",
                       "Compare the extensions with the domain's Cloudonix subscribers (missing, "
                       "drifted, extra)",
                       http::Access::admin},
             [deps](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kManagers);
               auto sides = compare_sides(deps, p.tenant_id);
               return http::Response::json(200, provisioning::to_json(sides.diff));
             });

  router.add(
      "POST", "/api/v1/extensions/sync",
      http::Doc{
          "extensions",
          "Queue the missing and drifted subscribers (and, with remove_extra, the extras' removal)",
          http::Access::admin,
          {{"responses", {{"200", nullptr}, {"202", {{"description", "queued"}}}}}}},
      [deps](http::Request& req) {
        auto p = deps.guard(req);
        require_role(p, kManagers);
        bool remove_extra = false;
        if (!req.body.empty()) {
          auto body = http::json_body(req);
          Errors errors;
          if (!body.is_object()) {
            errors.emplace_back("body", "must be a JSON object");
          } else {
            for (const auto& [key, value] : body.items()) {
              if (key != "remove_extra") {
                errors.emplace_back(key, "unknown field");
              } else if (!value.is_boolean()) {
                errors.emplace_back(key, "must be true or false");
              } else {
                remove_extra = value.get<bool>();
              }
            }
          }
          if (!errors.empty()) throw Error::validation(errors);
        }
        auto sides = compare_sides(deps, p.tenant_id);
        Json queued = {{"extensions", 0}, {"removals", 0}};
        deps.pg.with([&](pqxx::connection& conn) {
          pqxx::work tx(conn);
          int extensions = 0;
          int removals = 0;
          auto queue = [&](const std::string& id) {
            provisioning::enqueue(tx, p.tenant_id, provisioning::ObjectType::extension, id,
                                  std::nullopt);
            ++extensions;
          };
          for (const auto* e : sides.diff.missing) queue(e->id);
          for (const auto& d : sides.diff.drifted) queue(d.extension->id);
          if (remove_extra) {
            for (const auto* s : sides.diff.extra) {
              provisioning::enqueue_removal(tx, p.tenant_id, s->msisdn);
              ++removals;
            }
          }
          tx.commit();
          queued = {{"extensions", extensions}, {"removals", removals}};
          return 0;
        });
        auto out = provisioning::to_json(sides.diff);
        out["queued"] = queued;
        return http::Response::json(202, out);
      });
}

}  // namespace pbx::admin
