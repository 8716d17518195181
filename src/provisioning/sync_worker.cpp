#include "provisioning/sync_worker.hpp"

#include "core/crypto.hpp"
#include "core/metrics.hpp"
#include "provisioning/connection.hpp"
#include "provisioning/rest_client.hpp"
#include "provisioning/sync_diff.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace pbx::provisioning {

namespace {

using std::chrono::milliseconds;

// Waiting longer than this for a slot means the domain is paused: the row goes back instead of
// holding the worker (and other domains' rows) up.
constexpr milliseconds kLongestPacingWait{4000};
// How often rows queued by a pairing that has not committed yet are looked at again.
constexpr milliseconds kPairingWait{2000};

struct Row {
  long long id = 0;
  std::string tenant_id;
  std::string type;
  std::string object_id;
  std::optional<std::string> previous;
  int attempts = 0;
  bool recent = false;  // queued less than a minute ago
};

Outcome retry(std::string why) { return {Outcome::Kind::retry, std::move(why), 0, {}}; }

metrics::Counter& counter(const char* name, const char* help, const std::string& object) {
  return metrics::registry().counter(name, help, metrics::label("object", object));
}

void count(const Row& row, Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::done:
      counter("pbx_cloudonix_sync_applied_total", "outbox rows applied to Cloudonix", row.type)
          .inc();
      break;
    case Outcome::Kind::retry:
      counter("pbx_cloudonix_sync_retries_total",
              "outbox rows put back after a 429, 5xx, timeout or no answer", row.type)
          .inc();
      break;
    case Outcome::Kind::failed:
      counter("pbx_cloudonix_sync_failed_total",
              "objects marked failed: Cloudonix refused them for a reason retrying cannot fix",
              row.type)
          .inc();
      break;
  }
}

// Every request waits for a slot of the domain's window; a 429 pauses the domain for every
// instance (Retry-After when given, else one window).
client::Transport paced(const client::Transport& inner, Pacer& pacer, const std::string& domain,
                        milliseconds& paused) {
  return [inner, &pacer, domain, &paused](const client::ClientRequest& req) {
    for (;;) {
      auto wait = pacer.try_acquire(domain);
      if (wait.count() == 0) break;
      if (wait > kLongestPacingWait) {
        paused = wait;
        client::ClientAnswer none;
        none.error = "requests to the domain are paused after Cloudonix refused or failed";
        return none;
      }
      std::this_thread::sleep_for(wait);
    }
    auto answer = inner(req);
    if (answer.status == 429) {
      auto seconds = std::atoi(answer.header("retry-after").c_str());
      pacer.pause(domain, seconds > 0 ? milliseconds(seconds * 1000) : Pacer::Limit{}.window);
    }
    return answer;
  };
}

class Apply {
 public:
  Apply(pqxx::work& tx, Client& client, const Row& row, const Connection& connection,
        const crypto::SecretBox& secrets, const ProfilePush& push_profile)
      : tx_(tx),
        client_(client),
        row_(row),
        connection_(connection),
        secrets_(secrets),
        push_profile_(push_profile) {}

  Outcome run() {
    if (row_.type == "extension") return extension();
    if (row_.type == "phone_number") return phone_number();
    return profile();
  }

 private:
  // What Cloudonix may still hold for the object under another number than `keep`: its last
  // applied key and the number before the change, unless another object holds that now.
  std::set<std::string> stale(const pqxx::result& state, const std::optional<std::string>& keep,
                              const char* taken_statement) {
    std::set<std::string> out;
    if (!state.empty() && !state[0][0].is_null()) out.insert(state[0][0].as<std::string>());
    if (row_.previous) out.insert(*row_.previous);
    if (keep) out.erase(*keep);
    for (auto it = out.begin(); it != out.end();) {
      bool taken =
          tx_.exec_prepared1(taken_statement, row_.tenant_id, *it, row_.object_id)[0].as<bool>();
      it = taken ? out.erase(it) : std::next(it);
    }
    return out;
  }

  Outcome extension() {
    auto found = tx_.exec_prepared("cx_extension", row_.object_id, row_.tenant_id);
    auto state = tx_.exec_prepared("cx_state_get", row_.type, row_.object_id);
    std::optional<LocalExtension> ext;
    if (!found.empty()) {
      ext = LocalExtension{row_.object_id, found[0][0].as<std::string>(),
                           found[0][1].as<std::string>() == "active", std::nullopt};
    }
    for (const auto& msisdn :
         stale(state, ext ? std::optional(ext->number) : std::nullopt, "cx_extension_taken")) {
      auto removed = client_.delete_subscriber(msisdn);
      if (!removed && !removed.failure().not_found()) return outcome_of(removed.failure());
    }
    if (!ext) {
      tx_.exec_prepared("cx_state_delete", row_.type, row_.object_id);
      return {};
    }
    auto password = sip_password(found[0][2], found[0][3]);
    if (!password) return failed_outcome("the SIP password does not open with the configured keys");
    ext->sip_password = password->first;
    // Cloudonix need not show the password: one set after the last applied one is sent anyway.
    bool rotated =
        state.empty() || state[0][2].is_null() || state[0][2].as<std::string>() != password->second;

    auto sub = client_.get_subscriber(ext->number);
    if (!sub && !sub.failure().not_found()) return outcome_of(sub.failure());
    if (!sub) {
      auto created = client_.create_subscriber({ext->number, std::nullopt, ext->sip_password, {}});
      if (!created && created.failure().retryable) return outcome_of(created.failure());
      if (created) {
        sub = std::move(created);
        rotated = false;
      } else {
        // Created meanwhile by someone else (a duplicate MSISDN is refused): update that one.
        sub = client_.get_subscriber(ext->number);
        if (!sub) return outcome_of(created.failure());
      }
    }
    if (rotated || !subscriber_drift(*ext, *sub).empty()) {
      auto updated = client_.update_subscriber(
          ext->number, {ext->number, ext->active, ext->sip_password, std::nullopt});
      if (!updated) {
        // Deleted between the two calls: the next attempt creates it.
        if (updated.failure().not_found()) return retry("the subscriber vanished");
        return outcome_of(updated.failure());
      }
      sub = std::move(updated);
    }
    tx_.exec_prepared("cx_state_set", row_.type, row_.object_id, row_.tenant_id, "synced",
                      std::optional<std::string>(), ext->number, sub->id, password->second);
    return {};
  }

  // The extension's SIP password and when it was set: opened, or made now for an extension
  // that has none (created before subscribers were synced).
  std::optional<std::pair<std::string, std::string>> sip_password(const pqxx::field& sealed,
                                                                  const pqxx::field& set_at) {
    auto context = sip_password_context(row_.object_id);
    if (!sealed.is_null()) {
      auto plain = secrets_.open(sealed.as<std::string>(), context);
      if (!plain) return std::nullopt;
      return std::make_pair(*plain, set_at.as<std::string>());
    }
    auto plain = generate_sip_password();
    auto at = tx_.exec_prepared1("cx_password_create", row_.object_id, row_.tenant_id,
                                 secrets_.seal(plain, context));
    return std::make_pair(plain, at[0].as<std::string>());
  }

  Outcome phone_number() {
    if (!connection_.application_id) {
      return failed_outcome("pairing has not made the voice application the DNID points at");
    }
    auto app = *connection_.application_id;
    auto found = tx_.exec_prepared("cx_phone_number", row_.object_id, row_.tenant_id);
    auto state = tx_.exec_prepared("cx_state_get", row_.type, row_.object_id);
    std::optional<std::string> wanted;
    if (!found.empty() && found[0][1].as<std::string>() == "active") {
      wanted = found[0][0].as<std::string>();
    }
    auto gone = stale(state, wanted, "cx_phone_number_taken");
    auto dnids = client_.list_dnids();
    if (!dnids) return outcome_of(dnids.failure());
    for (const auto& d : *dnids) {
      if (!gone.count(d.source) || d.application_id != app) continue;
      auto removed = client_.delete_dnid(d.id);
      if (!removed && !removed.failure().not_found()) return outcome_of(removed.failure());
    }
    if (!wanted) {
      tx_.exec_prepared("cx_state_delete", row_.type, row_.object_id);
      return {};
    }
    auto mine = [&](const std::vector<Dnid>& list) {
      auto it = std::find_if(list.begin(), list.end(),
                             [&](const Dnid& d) { return d.source == *wanted; });
      return it == list.end() ? std::optional<Dnid>() : std::optional<Dnid>(*it);
    };
    auto existing = mine(*dnids);
    DnidSpec spec;
    spec.application_id = app;
    spec.source = *wanted;
    if (!existing) {
      auto created = client_.create_dnid(spec);
      if (!created) return outcome_of(created.failure());
      auto again = client_.list_dnids();  // the create answers no body
      if (!again) return outcome_of(again.failure());
      existing = mine(*again);
      if (!existing) return retry("the new DNID is not listed yet");
    } else if (existing->application_id != app || !existing->active) {
      spec.active = true;
      auto updated = client_.update_dnid(existing->id, spec);
      if (!updated) return outcome_of(updated.failure());
    }
    tx_.exec_prepared("cx_state_set", row_.type, row_.object_id, row_.tenant_id, "synced",
                      std::optional<std::string>(), *wanted, existing->id,
                      std::optional<std::string>());
    return {};
  }

  Outcome profile() {
    auto outcome = push_profile_(tx_, client_, row_.tenant_id);
    if (outcome.kind == Outcome::Kind::done) {
      tx_.exec_prepared("cx_state_set", row_.type, row_.object_id, row_.tenant_id, "synced",
                        std::optional<std::string>(), std::optional<std::string>(),
                        std::optional<long long>(), std::optional<std::string>());
    }
    return outcome;
  }

  pqxx::work& tx_;
  Client& client_;
  const Row& row_;
  const Connection& connection_;
  const crypto::SecretBox& secrets_;
  const ProfilePush& push_profile_;
};

}  // namespace

Outcome outcome_of(const Failure& f) {
  return {f.retryable ? Outcome::Kind::retry : Outcome::Kind::failed, f.describe(), f.status,
          f.retry_after};
}

Outcome failed_outcome(std::string why) { return {Outcome::Kind::failed, std::move(why), 0, {}}; }

std::vector<store::Statement> worker_statements() {
  auto out = connection_statements();
  std::vector<store::Statement> mine{
      // The head of an object's queue, when due; a head another worker holds is skipped, and
      // so (by NOT EXISTS) are the rows behind it.
      {"cx_claim",
       "SELECT o.id, o.tenant_id::text, o.object_type, o.object_id::text, o.previous, o.attempts,"
       " o.created_at > now() - interval '1 minute'"
       " FROM cloudonix_outbox o WHERE o.next_attempt_at <= now() AND NOT EXISTS"
       " (SELECT 1 FROM cloudonix_outbox e WHERE e.object_type = o.object_type"
       "  AND e.object_id = o.object_id AND e.id < o.id)"
       " ORDER BY o.next_attempt_at, o.id LIMIT 1 FOR UPDATE SKIP LOCKED"},
      {"cx_object_last",
       "SELECT max(id) FROM cloudonix_outbox WHERE object_type = $1 AND object_id = $2::uuid"},
      {"cx_done",
       "DELETE FROM cloudonix_outbox WHERE object_type = $1 AND object_id = $2::uuid AND id <= $3"},
      {"cx_retry",
       "UPDATE cloudonix_outbox SET attempts = attempts + 1, last_error = $3,"
       " next_attempt_at = now() + $2 * interval '1 millisecond' WHERE id = $1"},
      {"cx_extension",
       "SELECT e.number, e.status, p.sealed, p.updated_at::text FROM extensions e"
       " LEFT JOIN extension_sip_passwords p ON p.extension_id = e.id"
       " WHERE e.id = $1::uuid AND e.tenant_id = $2::uuid"},
      {"cx_extension_taken",
       "SELECT EXISTS (SELECT 1 FROM extensions WHERE tenant_id = $1::uuid AND number = $2"
       " AND id <> $3::uuid)"},
      {"cx_password_create",
       "INSERT INTO extension_sip_passwords (extension_id, tenant_id, sealed)"
       " VALUES ($1::uuid, $2::uuid, $3) RETURNING updated_at::text"},
      {"cx_phone_number",
       "SELECT number, status FROM phone_numbers WHERE id = $1::uuid AND tenant_id = $2::uuid"},
      {"cx_phone_number_taken",
       "SELECT EXISTS (SELECT 1 FROM phone_numbers WHERE tenant_id = $1::uuid AND number = $2"
       " AND status = 'active' AND id <> $3::uuid)"},
      {"cx_state_get",
       "SELECT remote_key, remote_id, password_at::text FROM cloudonix_sync_state"
       " WHERE object_type = $1 AND object_id = $2::uuid"},
      // A failure keeps what was last applied, so that a later change still finds it.
      {"cx_state_set",
       "INSERT INTO cloudonix_sync_state AS s (object_type, object_id, tenant_id, state, error,"
       " remote_key, remote_id, password_at) VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7,"
       " $8::timestamptz) ON CONFLICT (object_type, object_id) DO UPDATE SET state = $4,"
       " error = $5, remote_key = coalesce($6, s.remote_key), remote_id = coalesce($7,"
       " s.remote_id), password_at = coalesce($8::timestamptz, s.password_at), updated_at = now()"},
      {"cx_state_delete",
       "DELETE FROM cloudonix_sync_state WHERE object_type = $1 AND object_id = $2::uuid"},
  };
  out.insert(out.end(), mine.begin(), mine.end());
  return out;
}

SyncWorker::SyncWorker(store::PgPool& pg, Pacer& pacer, const crypto::SecretBox& secrets,
                       WorkerOptions options, ProfilePush push_profile)
    : pg_(pg),
      pacer_(pacer),
      secrets_(secrets),
      options_(std::move(options)),
      push_profile_(std::move(push_profile)) {
  thread_ = std::thread([this] { run(); });
}

SyncWorker::~SyncWorker() { stop(); }

void SyncWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncWorker::run() {
  auto transport = client::curl_transport(options_.timeouts);
  for (;;) {
    bool worked = false;
    try {
      worked = step(transport);
    } catch (const std::exception& e) {
      spdlog::warn("cloudonix sync: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (!worked) wake_.wait_for(lock, options_.idle_poll, [this] { return stopping_; });
  }
}

bool SyncWorker::step(const client::Transport& transport) {
  return pg_.with([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto claimed = tx.exec_prepared("cx_claim");
    if (claimed.empty()) {
      tx.commit();
      return false;
    }
    const auto& c = claimed[0];
    Row row{c[0].as<long long>(),
            c[1].as<std::string>(),
            c[2].as<std::string>(),
            c[3].as<std::string>(),
            c[4].is_null() ? std::nullopt : std::optional(c[4].as<std::string>()),
            c[5].as<int>(),
            c[6].as<bool>()};
    // Every row of the object committed so far is covered by applying its current state.
    auto last = tx.exec_prepared1("cx_object_last", row.type, row.object_id)[0].as<long long>();
    auto connection = load_connection(tx, row.tenant_id, secrets_);
    if (!connection) {
      // Pairing queues every object before it commits: give it time. Otherwise the tenant was
      // unpaired since (a new API key), and pairing again queues everything anew.
      if (row.recent) {
        tx.exec_prepared("cx_retry", row.id, kPairingWait.count(), "waiting for pairing");
      } else {
        tx.exec_prepared("cx_done", row.type, row.object_id, last);
      }
      tx.commit();
      return true;
    }
    milliseconds paused{0};
    Client client({options_.api_url, connection->domain, connection->api_key},
                  paced(transport, pacer_, connection->domain, paused));
    auto outcome = Apply(tx, client, row, *connection, secrets_, push_profile_).run();
    count(row, outcome.kind);
    switch (outcome.kind) {
      case Outcome::Kind::done:
        tx.exec_prepared("cx_done", row.type, row.object_id, last);
        spdlog::info("cloudonix sync: {} {} applied", row.type, row.object_id);
        break;
      case Outcome::Kind::failed:
        tx.exec_prepared("cx_state_set", row.type, row.object_id, row.tenant_id, "failed",
                         outcome.error, std::optional<std::string>(), std::optional<long long>(),
                         std::optional<std::string>());
        tx.exec_prepared("cx_done", row.type, row.object_id, last);
        spdlog::warn("cloudonix sync: {} {} failed: {}", row.type, row.object_id, outcome.error);
        break;
      case Outcome::Kind::retry: {
        auto shift = std::min(row.attempts, 16);
        milliseconds delay = std::min<milliseconds>(options_.longest_backoff,
                                                    options_.first_backoff * (1LL << shift));
        // Up to a quarter less, so that rows failed together do not come back together.
        delay -= milliseconds(static_cast<long long>(
            static_cast<unsigned char>(crypto::random_bytes(1)[0]) * delay.count() / 1024));
        if (outcome.retry_after) delay = std::max<milliseconds>(delay, *outcome.retry_after);
        delay = std::max(delay, paused);
        // Cloudonix unreachable or failing: hold every request to the domain back as long.
        if (paused.count() == 0 && (outcome.status == 0 || outcome.status >= 500)) {
          pacer_.pause(connection->domain, delay);
        }
        tx.exec_prepared("cx_retry", row.id, delay.count(), outcome.error);
        spdlog::info("cloudonix sync: {} {} retried in {} ms: {}", row.type, row.object_id,
                     delay.count(), outcome.error);
        break;
      }
    }
    tx.commit();
    return true;
  });
}

}  // namespace pbx::provisioning
