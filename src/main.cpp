// pbxd: the Cloudonix PBX call-routing service and its administration commands.
#include "admin/auth.hpp"
#include "admin/bootstrap.hpp"
#include "admin/cloudonix_settings.hpp"
#include "admin/cloudonix_sync.hpp"
#include "admin/demo.hpp"
#include "admin/openapi.hpp"
#include "admin/resources.hpp"
#include "admin/routes.hpp"
#include "cdr/report.hpp"
#include "cdr/retention.hpp"
#include "cdr/store.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/secret_box.hpp"
#include "http/console.hpp"
#include "http/health.hpp"
#include "http/server.hpp"
#include "provisioning/sync_worker.hpp"
#include "simulator/command.hpp"
#include "simulator/double_command.hpp"
#include "store/migrations.hpp"
#include "store/pg.hpp"
#include "store/rate_limiter.hpp"
#include "store/redis.hpp"
#include "store/replica.hpp"
#include "store/retention.hpp"
#include "store/sealed_columns.hpp"
#include "store/tenant_directory.hpp"
#include "store/tenants.hpp"
#include "voice/routes.hpp"
#include "voice/routing_store.hpp"
#include "webhooks/replay.hpp"
#include "webhooks/retention.hpp"
#include "webhooks/routes.hpp"
#include "webhooks/store.hpp"
#include "webhooks/writer.hpp"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <memory>

namespace {

using namespace pbx;

// Every named statement of the service, prepared on each pooled connection.
std::vector<store::Statement> all_statements() {
  std::vector<store::Statement> all;
  for (auto&& group :
       {store::tenant_statements(), store::TenantDirectory::statements(), admin::auth_statements(),
        webhooks::webhook_statements(), cdr::store_statements(), webhooks::replay_statements(),
        voice::routing_statements(), admin::admin_statements(),
        webhooks::RejectionLog::statements(), store::ReportReads::primary_statements()}) {
    all.insert(all.end(), group.begin(), group.end());
  }
  return all;
}

Config load(const std::string& config_file) {
  Environment env = config_file.empty() ? Environment{} : read_env_file(config_file);
  for (auto& [k, v] : process_environment()) env[k] = v;  // the environment wins over the file
  return load_config(env);
}

void require_database(const Config& c) {
  if (c.database_url.empty()) throw ConfigError("PBX_DATABASE_URL: must be set");
}

// Secrets kept in Postgres are sealed under this key, so a service without one must not start
// (a generated key would be lost on restart, and with it every stored secret).
crypto::SecretBox secret_box(const Config& c) {
  if (c.secret_keys.empty()) {
    throw ConfigError(
        "PBX_SECRET_KEY: must be set (64 hexadecimal characters: openssl rand -hex 32)");
  }
  return crypto::SecretBox(c.secret_keys);
}

store::PgOptions pg_options(const Config& c, int pool_size) {
  return {c.database_url, pool_size, c.db_statement_timeout, c.db_connect_timeout,
          std::chrono::milliseconds(2000)};
}

// Report reads go to the replica when one is configured (see store/replica.hpp).
std::unique_ptr<store::ReportReads> report_reads(const Config& c, store::PgPool& primary) {
  if (c.database_replica_url.empty()) return std::make_unique<store::ReportReads>(primary);
  auto options = pg_options(c, c.admin_workers + 1);  // reports run on the admin workers
  options.url = c.database_replica_url;
  auto statements = cdr::cdr_statements();
  for (const auto& st : store::ReportReads::replica_statements()) statements.push_back(st);
  return std::make_unique<store::ReportReads>(primary,
                                              std::make_unique<store::PgPool>(options, statements),
                                              store::ReplicaOptions{c.replica_max_lag});
}

int run_migrate(const Config& c) {
  require_database(c);
  pqxx::connection conn(store::connection_string(pg_options(c, 1)));
  auto applied = store::migrate(conn, store::embedded_migrations());
  spdlog::info("migrations: {} applied, {} known", applied.size(),
               store::embedded_migrations().size());
  return 0;
}

// The key that signs callback state: configured, or else one shared by every instance through
// Postgres, so that any instance can serve any callback.
std::string state_key(const Config& c, store::PgPool& pg, const crypto::SecretBox& secrets) {
  if (!c.state_key.empty()) return c.state_key;
  return pg.with([&secrets](pqxx::connection& conn) {
    return store::service_key(conn, secrets, "callback_state");
  });
}

// Seals what an earlier version stored in plain text (`all`: also re-seals every value under the
// current key), and says so; the number of values none of the keys opens.
size_t seal_stored_secrets(pqxx::connection& conn, const crypto::SecretBox& secrets, bool all) {
  size_t unreadable = 0;
  for (const auto& r : store::seal_columns(conn, secrets, all)) {
    unreadable += r.unreadable.size();
    if (all || r.sealed > 0) {
      spdlog::info("{}: {} sealed, {} re-sealed, {} already current, {} unreadable", r.column,
                   r.sealed, r.resealed, r.kept, r.unreadable.size());
    }
    for (const auto& id : r.unreadable) {
      spdlog::error("{} of row {} does not open with PBX_SECRET_KEY or PBX_SECRET_KEY_PREVIOUS",
                    r.column, id);
    }
  }
  return unreadable;
}

// `pbxd secrets reseal`: every sealed value under the current key, once PBX_SECRET_KEY is the new
// key and PBX_SECRET_KEY_PREVIOUS holds the old one. Exit 1 when a value does not open.
int run_reseal(const Config& c) {
  require_database(c);
  const auto secrets = secret_box(c);
  pqxx::connection conn(store::connection_string(pg_options(c, 1)));
  return seal_stored_secrets(conn, secrets, true) == 0 ? 0 : 1;
}

int run_serve(const Config& c, bool migrate_first) {
  require_database(c);
  const auto secrets = secret_box(c);
  // Signals are taken by this thread alone (sigwait); the server's threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (migrate_first) run_migrate(c);
  {
    pqxx::connection conn(store::connection_string(pg_options(c, 1)));
    if (auto pending = store::pending_migrations(conn, store::embedded_migrations());
        !pending.empty()) {
      spdlog::error("the database schema is not current ({} pending, first {}): run `pbxd migrate`",
                    pending.size(), pending.front());
      return 1;
    }
    seal_stored_secrets(conn, secrets, false);
  }
  store::PgPool pg(pg_options(c, c.db_pool_size), all_statements());
  auto reports = report_reads(c, pg);
  store::RedisPool redis({c.redis_url, c.redis_pool_size, c.redis_timeout});

  http::Router router;
  store::RateLimiter limiter(redis);
  routing::StateCodec codec(state_key(c, pg, secrets));
  store::TenantDirectory directory(
      pg, secrets,
      [base = c.public_base_url](pqxx::transaction_base& tx, const store::TenantRow& t) {
        return voice::load_snapshot(tx, t, base);
      });
  directory.refresh();
  directory.start_polling(std::chrono::milliseconds(500));
  admin::CloudonixLink cloudonix(pg, secrets, c.cloudonix_api_url, {});
  cloudonix.set_numbers_step(admin::pairing_numbers_step(pg));
  webhooks::Writer writer(pg, redis,
                          {c.webhook_writers,
                           static_cast<size_t>(c.webhook_max_batch),
                           20000,
                           {static_cast<size_t>(c.event_stream_max_bytes),
                            static_cast<size_t>(c.event_stream_entry_max_bytes)}});
  // A connection of its own: the retention job never takes one that ingest waits for.
  auto retention_statements = webhooks::webhook_log_retention_statements();
  for (const auto& st : cdr::cdr_retention_statements()) retention_statements.push_back(st);
  store::PgPool retention_pg(pg_options(c, 1), retention_statements);
  store::Retention retention(retention_pg,
                             {webhooks::webhook_log_rows(c.webhook_log_retention_days),
                              cdr::cdr_rows(c.cdr_retention_days)});
  retention.start();
  http::add_health_routes(router, c, pg, redis);
  provisioning::Pacer pacer(redis);
  admin::add_admin_routes(router, {pg, *reports, limiter, writer, secrets,
                                   [&directory] { directory.refresh(); }, c.admin_rate_per_token,
                                   c.admin_rate_per_ip, &cloudonix, &pacer, c.cloudonix_api_url});
  webhooks::RejectionLog rejections(pg, c.webhook_rejection_samples, c.webhook_rejection_samples);
  webhooks::add_webhook_routes(router, {directory, writer, rejections});
  voice::add_voice_routes(router, {directory, pg, redis, codec});
  http::add_console_routes(router, http::embedded_console());
  admin::add_openapi_route(router, admin::routing_resources());

  http::Server server({c.host, static_cast<uint16_t>(c.port), c.http_threads, c.max_body_bytes,
                       c.header_timeout, c.body_timeout, c.keepalive_timeout, c.trusted_proxies,
                       c.admin_workers, static_cast<size_t>(c.admin_queue)},
                      std::move(router));
  server.start();
  spdlog::info("pbxd listening on {}:{} ({} threads, {} admin workers)", c.host, server.port(),
               c.http_threads, c.admin_workers);
  // Its own connection, held while it waits on Cloudonix, so that admin requests never wait.
  auto sync_statements = provisioning::worker_statements();
  for (const auto& st : admin::CloudonixLink::statements()) sync_statements.push_back(st);
  store::PgPool sync_pg(pg_options(c, 1), sync_statements);
  provisioning::SyncWorker sync(
      sync_pg, pacer, secrets, {c.cloudonix_api_url},
      [&cloudonix](pqxx::transaction_base& tx, provisioning::Client& client,
                   const std::string& tenant_id) {
        return cloudonix.push_profile(tx, client, tenant_id);
      });

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {} received: draining {} in-flight requests", sig, server.in_flight());
  server.stop(c.shutdown_grace);
  sync.stop();
  retention.stop();
  writer.stop();
  rejections.stop();
  spdlog::info("stopped");
  return 0;
}

// The demo PBX for the tenant, unless it has it already.
void seed_demo(store::PgPool& pg, const std::string& domain) {
  bool seeded = pg.with([&](pqxx::connection& conn) { return admin::seed_demo(conn, domain); });
  std::cout << "demo_number=" << admin::kDemoNumber << (seeded ? "" : " (existed)") << "\n";
}

int run_bootstrap(const Config& c, admin::BootstrapRequest req, bool skip_existing, bool demo) {
  require_database(c);
  if (req.public_base_url.empty()) req.public_base_url = c.public_base_url;
  const auto secrets = secret_box(c);
  store::PgPool pg(pg_options(c, 1), all_statements());
  try {
    auto r = pg.with(
        [&](pqxx::connection& conn) { return admin::bootstrap_tenant(conn, secrets, req); });
    std::cout << "tenant_id=" << r.tenant_id << "\n"
              << "domain=" << req.domain << "\n"
              << "owner_email=" << req.owner_email << "\n";
    if (r.generated_password) std::cout << "owner_password=" << *r.generated_password << "\n";
    std::cout << "admin_token=" << r.admin_token << "\n"
              << "requests_api_key=" << r.requests_api_key << "\n"
              << "webhook_secret=" << r.webhook_secret << "\n"
              << "webhook_token=" << r.webhook_token << "\n";
  } catch (const Error& e) {
    const bool exists = e.kind() == Error::Kind::conflict;
    if (!exists || !skip_existing) {
      std::cerr << "bootstrap: " << e.what();
      if (e.details().contains("fields")) std::cerr << " " << e.details()["fields"].dump();
      std::cerr << "\n";
      return exists ? 3 : 2;
    }
    std::cout << "exists=" << req.domain << "\n";
  }
  if (demo) seed_demo(pg, req.domain);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a vanished peer or database must not kill the process
  CLI::App app{"pbxd: PBX call routing for Cloudonix"};
  app.require_subcommand(1);
  std::string config_file;
  app.add_option("--config", config_file, "file of PBX_*=value lines (the environment wins)");

  auto* serve = app.add_subcommand("serve", "serve the voice, webhook and admin HTTP API");
  bool migrate_first = false;
  serve->add_flag("--migrate", migrate_first, "apply pending migrations before serving");

  app.add_subcommand("migrate", "apply pending database migrations");

  auto* boot =
      app.add_subcommand("bootstrap", "create a tenant for a Cloudonix domain and its owner");
  admin::BootstrapRequest req;
  bool skip_existing = false;
  std::string domain_uuid;
  boot->add_option("--domain", req.domain, "Cloudonix domain name, e.g. acme.cloudonix.net")
      ->required();
  boot->add_option("--domain-uuid", domain_uuid, "Cloudonix domain uuid");
  boot->add_option("--name", req.name, "tenant display name (default: the domain)");
  boot->add_option("--timezone", req.timezone, "IANA time zone")->capture_default_str();
  boot->add_option("--public-base-url", req.public_base_url,
                   "URL Cloudonix reaches this service at (default: PBX_PUBLIC_BASE_URL)");
  boot->add_option("--owner-email", req.owner_email, "owner's e-mail (login)")->required();
  boot->add_option("--owner-name", req.owner_name, "owner's name")->capture_default_str();
  std::string password;
  boot->add_option("--owner-password", password, "owner's password (default: generated)");
  boot->add_flag("--if-exists-skip", skip_existing, "exit 0 without change when the domain exists");
  bool demo = false;
  boot->add_flag("--demo", demo,
                 "also seed the demo PBX (IVR, ring group, voicemail) unless it exists");

  auto* secrets = app.add_subcommand("secrets", "manage the secrets kept sealed in the database");
  secrets->require_subcommand(1);
  secrets->add_subcommand("reseal",
                          "seal every stored secret again under PBX_SECRET_KEY (the old key in "
                          "PBX_SECRET_KEY_PREVIOUS); exit 1 if one does not open");

  app.add_subcommand("version", "print the version");

  auto* sim = app.add_subcommand("simulate", "play Cloudonix for one call against a running pbxd");
  simulator::SimulateOptions so;
  auto& setup = so.setup;
  sim->add_option("--url", setup.url, "the service, e.g. http://127.0.0.1:8080")->required();
  sim->add_option("--key", setup.key, "the tenant's requests API key")->required();
  sim->add_option("--token", setup.token,
                  "the tenant's webhook token, in the CDR URL (auth cloudonix; without it the "
                  "CDR carries no credential, as Cloudonix sends it)");
  sim->add_option("--secret", setup.secret, "the tenant's webhook secret (auth hmac)");
  sim->add_option("--auth", setup.auth,
                  "how webhooks are authenticated: cloudonix (the key on session updates, the "
                  "token on CDRs), hmac (signed with --secret) or bearer (the key on both)")
      ->check(CLI::IsMember({"cloudonix", "hmac", "bearer"}))
      ->capture_default_str();
  sim->add_option("--from", setup.from, "caller")->required();
  sim->add_option("--to", setup.to, "dialled number")->required();
  sim->add_option("--direction", setup.direction, "voice request Direction")
      ->check(CLI::IsMember({"inbound", "subscriber", "outbound-api"}))
      ->capture_default_str();
  setup.domain = "demo.cloudonix.net";
  sim->add_option("--domain", setup.domain, "Cloudonix domain")->capture_default_str();
  sim->add_option("--session", setup.session, "the call's session token (default: random)");
  sim->add_option("--digits", so.digits, "keys per Gather, comma-separated; empty = no input");
  sim->add_option("--dial", so.dials,
                  "outcome per Dial: answer[:seconds], no-answer, busy, failed (default answer:5)");
  sim->add_option("--voicemail", so.voicemail, "whether a Record gets a message: yes or none");
  sim->add_flag("--json", so.json, "print the report as JSON");
  sim->add_option("--cloudonix-api", so.cloudonix_api,
                  "Cloudonix's REST API (or the double): say of each dialled Number whether a "
                  "subscriber of the domain has it");
  sim->add_option("--cloudonix-key", so.cloudonix_key, "a domain API key for --cloudonix-api");
  bool no_webhooks = false;
  sim->add_flag("--no-webhooks", no_webhooks, "send no session updates and no CDR");

  auto* cxd = app.add_subcommand("cloudonix-double",
                                 "serve a local stand-in for Cloudonix's REST API (see "
                                 "docs/connecting-cloudonix.md)");
  simulator::DoubleOptions dopt;
  std::vector<std::string> double_domains;
  std::vector<std::string> double_keys;
  std::string empty_list = "404";
  std::string profile_put = "merge";
  bool no_rate_limit = false;
  cxd->add_option("--host", dopt.host, "address to listen on")->capture_default_str();
  cxd->add_option("--port", dopt.port, "port to listen on (0: any free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cxd->add_option("--domain", double_domains, "a domain it serves (repeatable)")->required();
  cxd->add_option("--key", double_keys, "the API key of each --domain, in the same order")
      ->required();
  cxd->add_option("--empty-list", empty_list, "how an empty list is answered: 404 or []")
      ->check(CLI::IsMember({"404", "[]"}))
      ->capture_default_str();
  cxd->add_option("--profile-put", profile_put,
                  "whether PUT of the domain merges the profile or replaces it")
      ->check(CLI::IsMember({"merge", "replace"}))
      ->capture_default_str();
  cxd->add_flag("--no-rate-limit", no_rate_limit, "no 429 beyond 10 requests per 3 s per domain");
  cxd->add_flag("--retry-after", dopt.switches.retry_after, "send Retry-After on 429 answers");

  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("cloudonix-double")) {
    if (double_domains.size() != double_keys.size()) {
      std::cerr << "cloudonix-double: give one --key per --domain\n";
      return 2;
    }
    for (size_t i = 0; i < double_domains.size(); ++i) {
      dopt.domains.push_back({double_domains[i], double_keys[i]});
    }
    dopt.switches.empty_list_404 = empty_list == "404";
    dopt.switches.profile_put_replace = profile_put == "replace";
    dopt.switches.rate_limit = !no_rate_limit;
    log::init("info", "text");
    return simulator::run_cloudonix_double(dopt);
  }
  if (app.got_subcommand("simulate")) {  // a client of the service: no configuration needed
    setup.webhooks = !no_webhooks;
    if (setup.webhooks && setup.auth == "hmac" && setup.secret.empty()) {
      std::cerr << "simulate: --auth hmac needs --secret to sign webhooks (or --no-webhooks)\n";
      return 2;
    }
    return simulator::run_simulate(so);
  }
  try {
    Config config = load(config_file);
    log::init(config.log_level, config.log_format);
    if (app.got_subcommand("version")) {
      std::cout << "pbxd 0.1.0\n";
      return 0;
    }
    if (app.got_subcommand("serve")) {
      spdlog::info("starting: {}", config.describe());
      return run_serve(config, migrate_first);
    }
    if (app.got_subcommand("migrate")) return run_migrate(config);
    if (app.got_subcommand("secrets")) return run_reseal(config);
    if (!domain_uuid.empty()) req.domain_uuid = domain_uuid;
    if (!password.empty()) req.owner_password = password;
    return run_bootstrap(config, req, skip_existing, demo);
  } catch (const ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pbxd: " << e.what() << "\n";
    return 1;
  }
}
