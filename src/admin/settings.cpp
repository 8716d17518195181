#include "admin/settings.hpp"

#include "admin/bootstrap.hpp"
#include "admin/checks.hpp"
#include "admin/cloudonix_settings.hpp"
#include "core/crypto.hpp"
#include "http/json_body.hpp"
#include "provisioning/outbox.hpp"
#include "store/tenants.hpp"

namespace pbx::admin {

namespace {

// The previous webhook secret, webhook token or requests key stays valid this long after a new
// one is made, so that senders (and a paired domain, until the sync worker has pushed the new
// value) can be switched over without losing requests; only the current one is older than that.
constexpr const char* kSecretGrace = "24 hours";

// Marks where the webhook token goes in the URLs shown without it.
constexpr const char* kTokenPlaceholder = "{webhook_token}";

const std::vector<std::string> kReaders{"owner", "admin"};
const std::vector<std::string> kWriters{"owner"};

// The sync worker pushes the new value to the domain profile once this commits (for a paired
// tenant only: nothing is queued otherwise), so that the rotation never waits on Cloudonix.
void queue_profile_push(pqxx::transaction_base& tx, const std::string& tenant_id) {
  provisioning::enqueue(tx, tenant_id, provisioning::ObjectType::profile, tenant_id, std::nullopt);
}

// What the owner pastes into the Cloudonix domain, and where. Real Cloudonix signs nothing: it
// sends the domain's authorization-api-key (our requests key) as a bearer token on voice
// requests and session updates, and nothing on CDRs, hence the token in the webhook URLs.
Json cloudonix_setup(const Json& s) {
  auto urls = urls_of(s["public_base_url"].get<std::string>(), kTokenPlaceholder);
  Json out = {
      {"voice_application_url", urls.voice_route},
      {"voice_application_method", "POST"},
      {"session_update_endpoint", urls.session_update},
      {"cdr_endpoint", urls.cdr},
      {"authorization_api_key", "<your requests API key>"},
      {"where",
       {{"voice_application_url",
         "the url (method POST) of the domain's CXML voice application, the one its numbers "
         "are routed to"},
        {"session_update_endpoint", "domain profile key session-update-endpoint"},
        {"cdr_endpoint", "domain profile key cdr-endpoint"},
        {"authorization_api_key",
         "domain profile key authorization-api-key: the requests API key, shown once by POST "
         "/api/v1/settings/requests-key"}}},
      {"placeholders",
       {{kTokenPlaceholder,
         "the webhook token, shown once by POST /api/v1/settings/webhook-token, which also "
         "answers these two URLs with it filled in"}}}};
  auto mode = s["webhook_auth"].get<std::string>();
  if (mode == "hmac") {
    out["warning"] =
        "webhook_auth hmac refuses every delivery of real Cloudonix, which signs nothing: "
        "use any";
  } else if (mode == "bearer" || mode == "hmac_or_bearer") {
    out["warning"] = "webhook_auth " + mode +
                     " refuses the CDRs of real Cloudonix, which carry no credential: use any "
                     "or url_token";
  }
  return out;
}

Json settings_of(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto r = tx.exec_prepared1("settings_get", tenant_id);
  auto s = Json::parse(r[0].c_str());
  auto base = s["public_base_url"].get<std::string>();
  s["webhook_urls"] = {{"voice_route", base + "/api/voice/route"},
                       {"session_update", base + "/api/webhooks/cloudonix/session-update"},
                       {"cdr", base + "/api/webhooks/cloudonix/cdr"},
                       {"cloudonix", cloudonix_setup(s)}};
  return s;
}

Json read_settings(store::PgPool& pg, const std::string& tenant_id) {
  return pg.with([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return settings_of(tx, tenant_id);
  });
}

// Domain names, uuids and aliases are one namespace across tenants (tenant_domain_keys), so a
// tenant can never claim a name that another tenant's traffic is matched by.
void domains_free(pqxx::transaction_base& tx, const std::string& tenant_id, const Json& body) {
  Errors errors;
  auto check = [&](const std::string& field, const Json& v) {
    if (v.is_string() &&
        tx.exec_prepared1("settings_domain_taken", tenant_id, v.get_ref<const std::string&>())[0]
            .as<bool>()) {
      errors.emplace_back(field, "already used by another tenant");
    }
  };
  for (const char* field : {"domain_name", "domain_uuid"}) {
    if (body.contains(field)) check(field, body[field]);
  }
  if (body.contains("domain_aliases")) {
    for (const auto& alias : body["domain_aliases"]) check("domain_aliases", alias);
  }
  if (!errors.empty()) throw Error::validation(errors);
}

}  // namespace

const std::vector<Field>& settings_fields() {
  using namespace checks;
  static const std::vector<Field> fields{
      text_field("name", text(100, false), true),
      text_field("domain_name", text(253, false), true),
      text_field("domain_uuid", text(64, false)),
      json_field("domain_aliases", domain_aliases(), true),
      text_field("timezone", timezone(), true),
      text_field("public_base_url", url(), true),
      text_field("webhook_auth", one_of({"any", "hmac", "bearer", "url_token", "hmac_or_bearer"}),
                 true),
      int_field("default_ring_timeout", 5, 600, nullptr),
      text_field("default_caller_id", e164()),
      bool_field("allow_untimestamped", false)};
  return fields;
}

void check_settings_patch(const Json& body, Errors& errors) {
  Json merged = Json::object();
  check_fields(settings_fields(), body, merged, false, errors);
}

WebhookUrls urls_of(const std::string& base, const std::string& token) {
  auto query = "?token=" + token;
  return {base + "/api/voice/route", base + "/api/webhooks/cloudonix/session-update" + query,
          base + "/api/webhooks/cloudonix/cdr" + query};
}

std::vector<store::Statement> settings_statements() {
  return {
      {"settings_get",
       "SELECT jsonb_build_object('name', name, 'domain_name', domain_name, 'domain_uuid',"
       " domain_uuid, 'domain_aliases', to_jsonb(domain_aliases), 'timezone', timezone, "
       "'public_base_url', public_base_url, 'webhook_auth',"
       " webhook_auth, 'allow_untimestamped', allow_untimestamped, 'default_ring_timeout',"
       " default_ring_timeout, 'default_caller_id', default_caller_id, 'requests_key_set',"
       " requests_key_hash IS NOT NULL, 'webhook_secrets_valid', (SELECT count(*) FROM"
       " webhook_secrets w WHERE w.tenant_id = t.id AND (w.expires_at IS NULL OR w.expires_at >"
       " now())), 'webhook_tokens_valid', (SELECT count(*) FROM webhook_tokens w WHERE"
       " w.tenant_id = t.id AND (w.expires_at IS NULL OR w.expires_at > now())))"
       " FROM tenants t WHERE id = $1"},
      // Only the members present in $2 change (jsonb ? tests presence, so null clears).
      {"settings_update",
       "UPDATE tenants SET"
       " name = CASE WHEN $2::jsonb ? 'name' THEN $2->>'name' ELSE name END,"
       " domain_name = CASE WHEN $2::jsonb ? 'domain_name' THEN $2->>'domain_name'"
       "  ELSE domain_name END,"
       " domain_uuid = CASE WHEN $2::jsonb ? 'domain_uuid' THEN $2->>'domain_uuid'"
       "  ELSE domain_uuid END,"
       " domain_aliases = CASE WHEN $2::jsonb ? 'domain_aliases'"
       "  THEN ARRAY(SELECT jsonb_array_elements_text($2->'domain_aliases'))"
       "  ELSE domain_aliases END,"
       " timezone = CASE WHEN $2::jsonb ? 'timezone' THEN $2->>'timezone' ELSE timezone END,"
       " public_base_url = CASE WHEN $2::jsonb ? 'public_base_url'"
       "  THEN rtrim($2->>'public_base_url', '/') ELSE public_base_url END,"
       " webhook_auth = CASE WHEN $2::jsonb ? 'webhook_auth' THEN $2->>'webhook_auth'"
       "  ELSE webhook_auth END,"
       " allow_untimestamped = CASE WHEN $2::jsonb ? 'allow_untimestamped'"
       "  THEN ($2->>'allow_untimestamped')::boolean ELSE allow_untimestamped END,"
       " default_ring_timeout = CASE WHEN $2::jsonb ? 'default_ring_timeout'"
       "  THEN ($2->>'default_ring_timeout')::integer ELSE default_ring_timeout END,"
       " default_caller_id = CASE WHEN $2::jsonb ? 'default_caller_id'"
       "  THEN $2->>'default_caller_id' ELSE default_caller_id END,"
       " updated_at = now() WHERE id = $1"},
      {"settings_domain_taken",
       "SELECT EXISTS (SELECT 1 FROM tenant_domain_keys WHERE key = pbx_domain_key($2)"
       " AND tenant_id <> $1)"},
      {"settings_base_url", "SELECT public_base_url FROM tenants WHERE id = $1"},
  };
}

void add_settings_routes(http::Router& router, ResourceDeps deps, const crypto::SecretBox& secrets,
                         CloudonixLink* cloudonix) {
  router.add("GET", "/api/v1/settings",
             http::Doc{"settings", "Tenant settings and webhook URLs", http::Access::admin},
             [deps](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kReaders);
               return http::Response::json(200, read_settings(deps.pg, p.tenant_id));
             });
  router.add("PATCH", "/api/v1/settings",
             http::Doc{"settings", "Change tenant settings (owner)", http::Access::admin},
             [deps](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kWriters);
               auto body = http::json_body(req);
               Errors errors;
               check_settings_patch(body, errors);
               if (!errors.empty()) throw Error::validation(errors);
               auto updated = deps.pg.with([&](pqxx::connection& conn) {
                 pqxx::work tx(conn);
                 domains_free(tx, p.tenant_id, body);
                 try {
                   tx.exec_prepared("settings_update", p.tenant_id, body.dump());
                 } catch (const pqxx::unique_violation&) {
                   // Another tenant took one of the names between the check above and this update.
                   throw Error::validation({{"domain_name", "already used by another tenant"}});
                 }
                 auto s = settings_of(tx, p.tenant_id);
                 tx.commit();
                 return s;
               });
               deps.applied();
               return http::Response::json(200, updated);
             });
  router.add("POST", "/api/v1/settings/requests-key",
             http::Doc{"settings",
                       "New requests API key, shown once; the previous one stays valid for a "
                       "grace period and any earlier one ends (owner)",
                       http::Access::admin},
             [deps, cloudonix](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kWriters);
               auto key = crypto::random_token(kRequestsKeyPrefix);
               deps.pg.with([&](pqxx::connection& conn) {
                 pqxx::work tx(conn);
                 store::rotate_requests_key(tx, p.tenant_id, crypto::sha256(key), kSecretGrace);
                 if (cloudonix != nullptr) {
                   cloudonix->remember_requests_key(tx, p.tenant_id, key);
                   queue_profile_push(tx, p.tenant_id);
                 }
                 tx.commit();
                 return 0;
               });
               deps.applied();
               return http::Response::json(
                   200, {{"requests_api_key", key}, {"previous_key_valid_for", kSecretGrace}});
             });
  router.add("POST", "/api/v1/settings/webhook-secret",
             http::Doc{"settings",
                       "New webhook secret, shown once; the previous one stays valid for a grace "
                       "period and any earlier one ends (owner)",
                       http::Access::admin},
             [deps, &secrets](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kWriters);
               auto secret = crypto::random_token(kWebhookSecretPrefix);
               deps.pg.with([&](pqxx::connection& conn) {
                 pqxx::work tx(conn);
                 store::rotate_webhook_secret(tx, secrets, p.tenant_id, secret, kSecretGrace);
                 tx.commit();
                 return 0;
               });
               deps.applied();
               return http::Response::json(
                   200, {{"webhook_secret", secret}, {"previous_secrets_valid_for", kSecretGrace}});
             });
  router.add(
      "POST", "/api/v1/settings/webhook-token",
      http::Doc{"settings",
                "New webhook token and the webhook URLs holding it, shown once; the previous one "
                "stays valid for a grace period and any earlier one ends (owner)",
                http::Access::admin},
      [deps, cloudonix](http::Request& req) {
        auto p = deps.guard(req);
        require_role(p, kWriters);
        auto token = crypto::random_token(kWebhookTokenPrefix);
        auto base = deps.pg.with([&](pqxx::connection& conn) {
          pqxx::work tx(conn);
          store::rotate_webhook_token(tx, p.tenant_id, crypto::sha256(token), kSecretGrace);
          if (cloudonix != nullptr) {
            cloudonix->remember_webhook_token(tx, p.tenant_id, token);
            queue_profile_push(tx, p.tenant_id);
          }
          auto url = tx.exec_prepared1("settings_base_url", p.tenant_id)[0].as<std::string>();
          tx.commit();
          return url;
        });
        deps.applied();
        auto urls = urls_of(base, token);
        return http::Response::json(200, {{"webhook_token", token},
                                          {"webhook_urls",
                                           {{"voice_route", urls.voice_route},
                                            {"session_update", urls.session_update},
                                            {"cdr", urls.cdr}}},
                                          {"previous_tokens_valid_for", kSecretGrace}});
      });
  // Ends the previous secret (token, key) now, e.g. once every sender has the new one or when
  // the old one leaked; the current one stays.
  using Revoke = void (*)(pqxx::transaction_base&, const std::string&);
  struct Previous {
    const char* path;
    const char* summary;
    Revoke revoke;
  };
  const Previous previous[] = {
      {"/api/v1/settings/webhook-secret/previous",
       "End the previous webhook secret now; the current one stays (owner)",
       &store::revoke_previous_webhook_secret},
      {"/api/v1/settings/webhook-token/previous",
       "End the previous webhook token now; the current one stays (owner)",
       &store::revoke_previous_webhook_token},
      {"/api/v1/settings/requests-key/previous",
       "End the previous requests API key now; the current one stays (owner)",
       &store::revoke_previous_requests_key}};
  for (const auto& each : previous) {
    Revoke revoke = each.revoke;
    router.add("DELETE", each.path, http::Doc{"settings", each.summary, http::Access::admin},
               [deps, revoke](http::Request& req) {
                 auto p = deps.guard(req);
                 require_role(p, kWriters);
                 deps.pg.with([&](pqxx::connection& conn) {
                   pqxx::work tx(conn);
                   revoke(tx, p.tenant_id);
                   tx.commit();
                   return 0;
                 });
                 deps.applied();
                 return http::Response::text(204, "");
               });
  }
}

}  // namespace pbx::admin
