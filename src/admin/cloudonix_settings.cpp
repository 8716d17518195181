#include "admin/cloudonix_settings.hpp"

#include "admin/bootstrap.hpp"
#include "admin/settings.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "http/json_body.hpp"
#include "store/tenants.hpp"

#include <algorithm>
#include <tuple>

namespace pbx::admin {

namespace {

const std::vector<std::string> kOwner{"owner"};

// The profile keys whose values are secrets: never shown, never stored outside a SecretBox.
const std::vector<std::string> kSecretProfileKeys{"authorization-api-key",
                                                  "registration-free-control-endpoint-api-key"};

constexpr size_t kMaxApiKey = 200;

// The webhook token in use before the first pairing stays valid this long (as after a rotation).
constexpr const char* kTokenGrace = "24 hours";

std::string api_key_context(const std::string& tenant_id) {
  return "cloudonix_api_key:" + tenant_id;
}
std::string requests_key_context(const std::string& tenant_id) {
  return "cloudonix_requests_key:" + tenant_id;
}
std::string webhook_token_context(const std::string& tenant_id) {
  return "cloudonix_webhook_token:" + tenant_id;
}

std::optional<std::string> text_or_null(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

Json application_json(const provisioning::Application& a) {
  return {{"id", a.id},     {"uuid", a.uuid}, {"name", a.name},
          {"type", a.type}, {"url", a.url},   {"method", a.method}};
}

Json domain_json(const provisioning::Domain& d) {
  return {{"id", d.id},
          {"uuid", d.uuid},
          {"name", d.name},
          {"active", d.active},
          {"default_application", d.default_application ? Json(*d.default_application) : Json()}};
}

// Ours among the domain's applications: by the id we stored, else by our name.
std::optional<provisioning::Application> find_ours(
    const std::vector<provisioning::Application>& apps, std::optional<std::int64_t> id) {
  if (id) {
    for (const auto& a : apps) {
      if (a.id == *id) return a;
    }
  }
  for (const auto& a : apps) {
    if (a.name == kVoiceApplicationName) return a;
  }
  return std::nullopt;
}

Json failure_json(const provisioning::Failure& f) {
  Json out = {{"status", f.status}, {"retryable", f.retryable}, {"message", f.message}};
  if (f.retry_after) out["retry_after"] = f.retry_after->count();
  return out;
}

// The status with what the last look at Cloudonix saw (when there was one).
Json with_remote(Json out, const Json& remote) {
  if (!remote.is_null()) {
    out["domain"] = remote["domain"];
    out["voice_application"] = remote["application"];
    if (remote["drift"].is_array()) out["drift"] = remote["drift"];
  }
  return out;
}

PairingStep failed_step(int number, const std::string& name, const provisioning::Failure& f) {
  return {number, name, "failed", f.describe(), f};
}

}  // namespace

Json PairingStep::to_json() const {
  Json out = {{"step", number}, {"name", name}, {"outcome", outcome}, {"detail", detail}};
  if (failure) out["cloudonix"] = failure_json(*failure);
  return out;
}

Json managed_profile(const std::string& public_base_url, const std::string& requests_key,
                     const std::string& webhook_token, int call_timeout) {
  auto urls = urls_of(public_base_url, webhook_token);
  return {{"authorization-api-key", requests_key},
          {"session-update-endpoint", urls.session_update},
          {"cdr-endpoint", urls.cdr},
          {"call-timeout", call_timeout},
          {"redirect-unknown-to-border", false}};
}

Json shown_profile_value(const std::string& key, const Json& value) {
  if (value.is_null()) return value;
  if (std::find(kSecretProfileKeys.begin(), kSecretProfileKeys.end(), key) !=
      kSecretProfileKeys.end()) {
    return "[secret]";
  }
  if (value.is_string()) return log::redact(value.get<std::string>());
  return value;
}

Json profile_drift(const Json& ours, const provisioning::Domain& domain,
                   const std::optional<provisioning::Application>& application,
                   const std::string& voice_url) {
  Json drift = Json::array();
  auto add = [&](const std::string& key, const Json& our_value, const Json& their_value,
                 const std::string& shown_key) {
    Json entry = {{"key", key},
                  {"ours", shown_profile_value(shown_key, our_value)},
                  {"cloudonix", shown_profile_value(shown_key, their_value)}};
    if (entry["ours"] == entry["cloudonix"]) entry["note"] = "differs in its secret part";
    drift.push_back(std::move(entry));
  };
  for (const auto& [k, v] : ours.items()) {
    auto theirs = domain.profile.contains(k) ? domain.profile[k] : Json();
    if (theirs != v) add("profile." + k, v, theirs, k);
  }
  if (!application) {
    drift.push_back({{"key", "application"},
                     {"ours", kVoiceApplicationName},
                     {"cloudonix", nullptr},
                     {"note", "our voice application is missing"}});
    return drift;
  }
  const std::vector<std::tuple<std::string, std::string, std::string>> fields{
      {"type", "cxml", application->type},
      {"url", voice_url, application->url},
      {"method", "POST", application->method}};
  for (const auto& [k, ours_v, theirs_v] : fields) {
    if (ours_v != theirs_v) add("application." + k, ours_v, theirs_v, k);
  }
  if (domain.default_application != application->id) {
    add("default_application", application->id,
        domain.default_application ? Json(*domain.default_application) : Json(),
        "default_application");
  }
  return drift;
}

struct CloudonixLink::Row {
  bool configured = false;
  bool paired = false;
  std::optional<std::string> api_key;        // opened; nullopt when it cannot be
  std::optional<std::string> requests_key;   // opened
  std::optional<std::string> webhook_token;  // opened
  std::optional<std::int64_t> application_id;
  Json stored_domain;  // as pairing or the last look recorded it, or null
  Json remote;         // the last look at Cloudonix's side, or null
  std::optional<std::string> checked_at;
  std::optional<std::string> last_error;
  std::string domain_name;  // the tenant's
  std::string public_base_url;
  int call_timeout = 30;
};

CloudonixLink::CloudonixLink(store::PgPool& pg, const crypto::SecretBox& box, std::string api_url,
                             Timeouts timeouts)
    : pg_(pg), box_(box), api_url_(std::move(api_url)), timeouts_(timeouts) {}

std::vector<store::Statement> CloudonixLink::statements() {
  return {
      {"cloudonix_link_get",
       "SELECT l.tenant_id IS NOT NULL, l.api_key_sealed, l.requests_key_sealed,"
       " l.webhook_token_sealed, l.application_id, l.paired_at IS NOT NULL,"
       " CASE WHEN l.domain_id IS NULL THEN NULL ELSE jsonb_build_object('id', l.domain_id,"
       " 'uuid', l.domain_uuid, 'name', l.domain_name)::text END, l.remote::text,"
       " to_char(l.checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
       " l.last_error, t.domain_name, t.public_base_url, t.default_ring_timeout"
       " FROM tenants t LEFT JOIN cloudonix_links l ON l.tenant_id = t.id WHERE t.id = $1"},
      {"cloudonix_link_api_key", "SELECT api_key_sealed FROM cloudonix_links WHERE tenant_id = $1"},
      {"cloudonix_link_set_key",
       "INSERT INTO cloudonix_links (tenant_id, api_key_sealed) VALUES ($1, $2)"
       " ON CONFLICT (tenant_id) DO UPDATE SET api_key_sealed = $2, paired_at = NULL,"
       " last_error = NULL, updated_at = now()"},
      {"cloudonix_link_set_secrets",
       "UPDATE cloudonix_links SET requests_key_sealed = coalesce($2, requests_key_sealed),"
       " webhook_token_sealed = coalesce($3, webhook_token_sealed), updated_at = now()"
       " WHERE tenant_id = $1"},
      {"cloudonix_link_paired",
       "UPDATE cloudonix_links SET domain_id = $2, domain_uuid = $3, domain_name = $4,"
       " application_id = $5, application_name = $6, paired_at = coalesce(paired_at, now()),"
       " remote = $7::jsonb, checked_at = now(), last_error = NULL, updated_at = now()"
       " WHERE tenant_id = $1"},
      {"cloudonix_link_seen",
       "UPDATE cloudonix_links SET remote = $2::jsonb, checked_at = now() WHERE tenant_id = $1"
       " RETURNING to_char(checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"},
      {"cloudonix_link_error",
       "UPDATE cloudonix_links SET last_error = $2, updated_at = now() WHERE tenant_id = $1"},
      // Only a push's own error: a pairing's stays until the next pairing.
      {"cloudonix_link_profile_pushed",
       "UPDATE cloudonix_links SET last_error = NULL, updated_at = now() WHERE tenant_id = $1"
       " AND starts_with(last_error, 'profile push: ')"},
  };
}

CloudonixLink::Row CloudonixLink::load(const std::string& tenant_id) {
  return pg_.with([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    return load(tx, tenant_id);
  });
}

CloudonixLink::Row CloudonixLink::load(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto r = tx.exec_prepared1("cloudonix_link_get", tenant_id);
  Row row;
  row.configured = r[0].as<bool>();
  if (row.configured) {
    row.api_key = box_.open(r[1].as<std::string>(), api_key_context(tenant_id));
    if (!r[2].is_null()) {
      row.requests_key = box_.open(r[2].as<std::string>(), requests_key_context(tenant_id));
    }
    if (!r[3].is_null()) {
      row.webhook_token = box_.open(r[3].as<std::string>(), webhook_token_context(tenant_id));
    }
    if (!r[4].is_null()) row.application_id = r[4].as<std::int64_t>();
    row.paired = r[5].as<bool>();
    if (!r[6].is_null()) row.stored_domain = Json::parse(r[6].as<std::string>());
    if (!r[7].is_null()) row.remote = Json::parse(r[7].as<std::string>());
    row.checked_at = text_or_null(r[8]);
    row.last_error = text_or_null(r[9]);
  }
  row.domain_name = r[10].as<std::string>();
  row.public_base_url = r[11].as<std::string>();
  row.call_timeout = r[12].as<int>();
  return row;
}

void CloudonixLink::fail(const std::string& tenant_id, const std::string& error) {
  pg_.with([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared("cloudonix_link_error", tenant_id, error);
    tx.commit();
    return 0;
  });
}

void CloudonixLink::set_api_key(const std::string& tenant_id, const std::string& api_key) {
  pg_.with([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto r = tx.exec_prepared("cloudonix_link_api_key", tenant_id);
    // The same key again changes nothing (and keeps the pairing).
    if (!r.empty() && box_.open(r[0][0].as<std::string>(), api_key_context(tenant_id)) == api_key) {
      return 0;
    }
    tx.exec_prepared("cloudonix_link_set_key", tenant_id,
                     box_.seal(api_key, api_key_context(tenant_id)));
    tx.commit();
    return 0;
  });
}

void CloudonixLink::remember_requests_key(pqxx::transaction_base& tx, const std::string& tenant_id,
                                          const std::string& key) const {
  tx.exec_prepared("cloudonix_link_set_secrets", tenant_id,
                   box_.seal(key, requests_key_context(tenant_id)), std::optional<std::string>());
}

void CloudonixLink::remember_webhook_token(pqxx::transaction_base& tx, const std::string& tenant_id,
                                           const std::string& token) const {
  tx.exec_prepared("cloudonix_link_set_secrets", tenant_id, std::optional<std::string>(),
                   box_.seal(token, webhook_token_context(tenant_id)));
}

std::optional<provisioning::Client> CloudonixLink::client_for(const std::string& tenant_id,
                                                              client::ClientTimeouts timeouts) {
  auto row = load(tenant_id);
  if (!row.api_key) return std::nullopt;
  return provisioning::Client({api_url_, row.domain_name, *row.api_key},
                              client::curl_transport(timeouts));
}

bool CloudonixLink::paired(const std::string& tenant_id) { return load(tenant_id).paired; }

Json CloudonixLink::status(const std::string& tenant_id, bool live) {
  auto row = load(tenant_id);
  Json out = {{"configured", row.configured},
              {"paired", row.paired},
              {"domain", row.stored_domain},
              {"voice_application", nullptr},
              {"profile", nullptr},
              {"drift", Json::array()},
              {"drift_source", "none"},
              {"checked_at", row.checked_at ? Json(*row.checked_at) : Json()},
              {"last_error", row.last_error ? Json(*row.last_error) : Json()}};
  if (!row.configured) return out;
  if (!row.api_key) {
    out["last_error"] =
        "the stored Cloudonix API key cannot be decrypted with the configured secret keys: "
        "give it again";
    return out;
  }
  auto voice_url = urls_of(row.public_base_url, "").voice_route;
  std::optional<Json> ours;
  if (row.requests_key && row.webhook_token) {
    ours = managed_profile(row.public_base_url, *row.requests_key, *row.webhook_token,
                           row.call_timeout);
    Json shown = Json::object();
    for (const auto& [k, v] : ours->items()) shown[k] = shown_profile_value(k, v);
    out["profile"] = shown;
  }

  if (!live) {
    if (!row.remote.is_null()) out["drift_source"] = "last_known";
    return with_remote(out, row.remote);
  }
  provisioning::Client client({api_url_, row.domain_name, *row.api_key},
                              client::curl_transport(timeouts_.status));
  auto domain = client.get_domain();
  auto apps = domain
                  ? client.list_applications()
                  : provisioning::Result<std::vector<provisioning::Application>>(domain.failure());
  if (domain && apps) {
    auto app = find_ours(apps.value(), row.application_id);
    Json remote = {{"domain", domain_json(*domain)},
                   {"application", app ? application_json(*app) : Json()},
                   {"drift", nullptr}};
    if (row.paired && ours) remote["drift"] = profile_drift(*ours, *domain, app, voice_url);
    out["checked_at"] = pg_.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      auto at =
          tx.exec_prepared1("cloudonix_link_seen", tenant_id, remote.dump())[0].as<std::string>();
      tx.commit();
      return at;
    });
    row.remote = remote;
    out["drift_source"] = "live";
  } else {
    const auto& f = domain ? apps.failure() : domain.failure();
    out["live_error"] = f.describe();
    if (!row.remote.is_null()) out["drift_source"] = "last_known";
  }
  return with_remote(out, row.remote);
}

Json CloudonixLink::pair(const std::string& tenant_id) {
  auto row = load(tenant_id);
  if (!row.configured) {
    throw Error::conflict("no Cloudonix API key: PUT /api/v1/settings/cloudonix first");
  }
  if (!row.api_key) {
    throw Error::conflict(
        "the stored Cloudonix API key cannot be decrypted with the configured secret keys: "
        "PUT /api/v1/settings/cloudonix again");
  }
  std::vector<PairingStep> steps;
  // Records the failed step and the ones it leaves undone, and throws.
  auto failed = [&](const PairingStep& step) {
    steps.push_back(step);
    static const std::vector<std::string> names{"verify", "profile", "application",
                                                "default_application", "numbers"};
    for (auto n = static_cast<size_t>(step.number); n < names.size(); ++n) {
      steps.push_back({static_cast<int>(n + 1), names[n], "skipped", "an earlier step failed", {}});
    }
    fail(tenant_id,
         "pairing step " + std::to_string(step.number) + " (" + step.name + "): " + step.detail);
    Json details = {{"steps", Json::array()},
                    {"retryable", step.failure && step.failure->retryable}};
    for (const auto& s : steps) details["steps"].push_back(s.to_json());
    if (step.failure && step.failure->retry_after) {
      details["retry_after"] = step.failure->retry_after->count();
    }
    auto message = "Cloudonix pairing failed at step " + std::to_string(step.number) + " (" +
                   step.name + "): " + step.detail;
    // Worth trying again later (503), or not until something changes (409).
    if (step.failure && step.failure->retryable) throw Error::unavailable(message, details);
    throw Error::conflict(message, details);
  };

  provisioning::Client client({api_url_, row.domain_name, *row.api_key},
                              client::curl_transport(timeouts_.calls));
  // 1. The key and the domain.
  auto domain = client.get_domain();
  if (!domain) {
    auto step = failed_step(1, "verify", domain.failure());
    if (!domain.failure().retryable) {
      step.detail =
          "Cloudonix refused the API key for domain " + row.domain_name + " (" + step.detail + ")";
    }
    failed(step);
  }
  steps.push_back({1,
                   "verify",
                   "ok",
                   "domain " + domain->name + " (id " + std::to_string(domain->id) + ")",
                   {}});

  // The values given to Cloudonix must be known in the clear to push them again, and the
  // tenant keeps only hashes: the first pairing makes a new requests key and a new webhook
  // token and keeps them sealed (see docs/connecting-cloudonix.md).
  if (!row.requests_key || !row.webhook_token) {
    pg_.with([&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      if (!row.requests_key) {
        row.requests_key = crypto::random_token(kRequestsKeyPrefix);
        store::rotate_requests_key(tx, tenant_id, crypto::sha256(*row.requests_key), kTokenGrace);
        remember_requests_key(tx, tenant_id, *row.requests_key);
      }
      if (!row.webhook_token) {
        row.webhook_token = crypto::random_token(kWebhookTokenPrefix);
        store::rotate_webhook_token(tx, tenant_id, crypto::sha256(*row.webhook_token), kTokenGrace);
        remember_webhook_token(tx, tenant_id, *row.webhook_token);
      }
      tx.commit();
      return 0;
    });
  }

  // 2. The profile keys we manage, merged into the domain's profile.
  auto ours =
      managed_profile(row.public_base_url, *row.requests_key, *row.webhook_token, row.call_timeout);
  auto profiled = client.update_profile(domain.value(), ours);
  if (!profiled) failed(failed_step(2, "profile", profiled.failure()));
  bool profile_changed = profiled->profile != domain->profile;
  steps.push_back({2,
                   "profile",
                   profile_changed ? "changed" : "unchanged",
                   "session-update-endpoint, cdr-endpoint, authorization-api-key, call-timeout, "
                   "redirect-unknown-to-border",
                   {}});

  // 3. Our CXML voice application.
  auto voice_url = urls_of(row.public_base_url, "").voice_route;
  provisioning::ApplicationSpec spec{kVoiceApplicationName, voice_url};
  auto apps = client.list_applications();
  if (!apps) failed(failed_step(3, "application", apps.failure()));
  auto app = find_ours(apps.value(), row.application_id);
  std::string app_outcome = "unchanged";
  if (!app) {
    auto created = client.create_application(spec);
    if (!created && created.failure().status == 409) {
      // Made meanwhile (by a concurrent pairing): take it over.
      auto again = client.list_applications();
      if (!again) failed(failed_step(3, "application", again.failure()));
      app = find_ours(again.value(), std::nullopt);
    }
    if (!created && !app) failed(failed_step(3, "application", created.failure()));
    if (created) {
      app = created.value();
      app_outcome = "created";
    }
  }
  if (app->type != spec.type || app->url != spec.url || app->method != spec.method) {
    auto updated = client.update_application(app->name, spec);
    if (!updated) failed(failed_step(3, "application", updated.failure()));
    app = updated.value();
    app_outcome = "updated";
  }
  steps.push_back({3,
                   "application",
                   app_outcome,
                   app->name + " (id " + std::to_string(app->id) + "): POST " + app->url,
                   {}});

  // 4. Calls matching no DNID reach our application.
  std::string default_outcome = "unchanged";
  provisioning::Domain final_domain = profiled.value();
  if (final_domain.default_application != app->id) {
    auto set = client.set_default_application(app->id);
    if (!set) failed(failed_step(4, "default_application", set.failure()));
    final_domain = set.value();
    default_outcome = "changed";
  }
  steps.push_back({4,
                   "default_application",
                   default_outcome,
                   "default application " + std::to_string(app->id),
                   {}});

  // 5. The phone numbers' DNIDs.
  if (numbers_) {
    auto step = numbers_(client, tenant_id, app->id);
    if (step.outcome == "failed") failed(step);
    steps.push_back(step);
  } else {
    steps.push_back({5, "numbers", "skipped", "no number sync in this service", {}});
  }

  Json remote = {{"domain", domain_json(final_domain)},
                 {"application", application_json(*app)},
                 {"drift", profile_drift(ours, final_domain, app, voice_url)}};
  pg_.with([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared("cloudonix_link_paired", tenant_id, final_domain.id, final_domain.uuid,
                     final_domain.name, app->id, app->name, remote.dump());
    tx.commit();
    return 0;
  });
  Json out = {{"paired", true}, {"steps", Json::array()}};
  for (const auto& s : steps) out["steps"].push_back(s.to_json());
  return out;
}

provisioning::Outcome CloudonixLink::push_profile(pqxx::transaction_base& tx,
                                                  provisioning::Client& client,
                                                  const std::string& tenant_id) {
  auto row = load(tx, tenant_id);
  auto outcome = [&]() -> provisioning::Outcome {
    if (!row.requests_key || !row.webhook_token) {
      return provisioning::failed_outcome("a stored secret cannot be decrypted: pair again");
    }
    auto ours = managed_profile(row.public_base_url, *row.requests_key, *row.webhook_token,
                                row.call_timeout);
    auto done = client.update_profile(ours);
    return done ? provisioning::Outcome{} : provisioning::outcome_of(done.failure());
  }();
  if (outcome.kind == provisioning::Outcome::Kind::done) {
    tx.exec_prepared("cloudonix_link_profile_pushed", tenant_id);
  } else {
    tx.exec_prepared("cloudonix_link_error", tenant_id, "profile push: " + outcome.error);
  }
  return outcome;
}

void add_cloudonix_settings_routes(http::Router& router, const ResourceDeps& deps,
                                   CloudonixLink& link) {
  router.add("GET", "/api/v1/settings/cloudonix",
             http::Doc{"settings",
                       "The Cloudonix connection: configured, paired, domain, voice application, "
                       "managed profile values, drift (owner)",
                       http::Access::admin},
             [deps, &link](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kOwner);
               return http::Response::json(200, link.status(p.tenant_id, true));
             });
  router.add("PUT", "/api/v1/settings/cloudonix",
             http::Doc{"settings", "Store the Cloudonix domain API key, sealed at rest (owner)",
                       http::Access::admin},
             [deps, &link](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kOwner);
               auto body = http::json_body(req);
               Errors errors;
               if (!body.is_object()) {
                 errors.emplace_back("body", "must be a JSON object");
               } else {
                 for (const auto& [k, v] : body.items()) {
                   if (k != "api_key") errors.emplace_back(k, "unknown field");
                 }
                 const auto& key = body.contains("api_key") ? body["api_key"] : Json();
                 if (!key.is_string() || key.get<std::string>().empty()) {
                   errors.emplace_back("api_key", "must be a non-empty string");
                 } else if (key.get<std::string>().size() > kMaxApiKey ||
                            key.get<std::string>().find_first_of(" \t\r\n") != std::string::npos) {
                   errors.emplace_back("api_key", "must be one word of at most 200 characters");
                 }
               }
               if (!errors.empty()) throw Error::validation(errors);
               link.set_api_key(p.tenant_id, body["api_key"].get<std::string>());
               return http::Response::json(200, link.status(p.tenant_id, false));
             });
  router.add("POST", "/api/v1/settings/cloudonix/pair",
             http::Doc{"settings",
                       "Pair with the Cloudonix domain: verify, profile, voice application, "
                       "default application, numbers; idempotent, each step's outcome (owner)",
                       http::Access::admin},
             [deps, &link](http::Request& req) {
               auto p = deps.guard(req);
               require_role(p, kOwner);
               auto out = link.pair(p.tenant_id);
               deps.applied();
               return http::Response::json(200, out);
             });
}

}  // namespace pbx::admin
