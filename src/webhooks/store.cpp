#include "webhooks/store.hpp"

#include "cdr/store.hpp"
#include "cloudonix/call_state.hpp"
#include "cloudonix/fields.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/uuid_v7.hpp"
#include "store/pg_array.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

namespace pbx::webhooks {

namespace {

using cloudonix::Timestamp;
using store::ArrayLiteral;
using store::Statement;

// What one batch says about one call, merged with the forward-only rule before the upsert
// (an upsert may touch a row only once per statement).
struct CallDelta {
  std::string direction = "unknown";
  std::optional<std::string> from, to, domain, subscriber;
  std::string status;
  int rank = -1;
  std::optional<std::string> started, answered, ended;

  void merge(const CallDelta& in) {
    if (direction == "unknown") direction = in.direction;
    if (!from) from = in.from;
    if (!to) to = in.to;
    if (!domain) domain = in.domain;
    if (!subscriber) subscriber = in.subscriber;
    if (in.rank > rank) {
      status = in.status;
      rank = in.rank;
    }
    if (!started) started = in.started;
    if (!answered) answered = in.answered;
    if (!ended) ended = in.ended;
  }
};

using CallKey = std::pair<std::string, std::string>;  // tenant, session token

// The call upserts and the log rows of a batch go in one statement (one round trip).
void upsert_calls_and_log(pqxx::transaction_base& tx, const std::map<CallKey, CallDelta>& calls,
                          const std::vector<Job*>& jobs) {
  ArrayLiteral call_id, tenant, token, direction, from, to, state, status, rank, started, answered,
      ended, domain, subscriber;
  for (const auto& [key, c] : calls) {
    call_id.add(uuid::v7());  // used only when the call is new
    tenant.add(key.first);
    token.add(key.second);
    direction.add(c.direction);
    from.add(c.from);
    to.add(c.to);
    state.add(std::string(cloudonix::public_state(c.status)));
    status.add(c.status);
    rank.add(std::to_string(c.rank));
    started.add(c.started);
    answered.add(c.answered);
    ended.add(c.ended);
    domain.add(c.domain);
    subscriber.add(c.subscriber);
  }
  ArrayLiteral id, log_tenant, kind, key, outcome, http_status, error, request_id, duration;
  auto now = std::chrono::steady_clock::now();
  for (const auto* job : jobs) {
    id.add(job->event_id);
    log_tenant.add(text::null_if_empty(job->tenant_id));
    kind.add(std::string(webhooks::kind_name(job->kind)));
    std::optional<std::string> single_key;
    if (job->cdr) single_key = job->cdr->dedupe_key;
    if (job->updates.size() == 1) single_key = job->updates[0].dedupe_key;
    key.add(single_key);
    outcome.add(std::string(webhooks::outcome_name(job->outcome())));
    http_status.add(std::to_string(job->http_status));
    error.add(text::null_if_empty(job->error));
    request_id.add(job->request_id);
    duration.add(std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - job->received_at).count()));
  }
  tx.exec_prepared0("webhook_calls_upsert_and_log", call_id.str(), tenant.str(), token.str(),
                    direction.str(), from.str(), to.str(), state.str(), status.str(), rank.str(),
                    started.str(), answered.str(), ended.str(), domain.str(), subscriber.str(),
                    id.str(), log_tenant.str(), kind.str(), key.str(), outcome.str(),
                    http_status.str(), error.str(), request_id.str(), duration.str());
}

void insert_session_events(pqxx::transaction_base& tx, const std::vector<Job*>& jobs,
                           std::map<CallKey, CallDelta>& calls) {
  struct Row {
    Job* job;
    const cloudonix::SessionUpdate* update;
  };
  std::vector<Row> rows;
  for (auto* job : jobs) {
    for (const auto& u : job->updates) rows.push_back({job, &u});
  }
  if (rows.empty()) return;
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.job->tenant_id, a.update->dedupe_key) <
           std::tie(b.job->tenant_id, b.update->dedupe_key);
  });
  ArrayLiteral id, tenant, token, key, status, raw, modified;
  for (const auto& r : rows) {
    id.add(uuid::v7());
    tenant.add(r.job->tenant_id);
    token.add(r.update->session_token);
    key.add(r.update->dedupe_key);
    status.add(r.update->status);
    raw.add(r.update->raw);
    modified.add(cloudonix::to_iso8601(r.update->modified_at));
  }
  std::set<CallKey> inserted;
  for (const auto& row :
       tx.exec_prepared("webhook_session_events_insert", id.str(), tenant.str(), token.str(),
                        key.str(), status.str(), raw.str(), modified.str())) {
    inserted.emplace(row[0].as<std::string>(), row[1].as<std::string>());
  }
  // Copies of one event in one batch: the first is the one stored, the others duplicates.
  for (const auto& r : rows) {
    const auto& u = *r.update;
    if (inserted.erase({r.job->tenant_id, u.dedupe_key}) == 0) {
      ++r.job->duplicates;
      continue;
    }
    ++r.job->processed;
    r.job->new_keys.push_back(u.dedupe_key);
    CallDelta d;
    d.direction = std::string(cloudonix::to_string(u.direction));
    d.from = text::null_if_empty(u.caller_id);
    d.to = text::null_if_empty(u.destination);
    d.domain = text::null_if_empty(u.domain);
    d.subscriber = text::null_if_empty(u.subscriber_id);
    d.status = u.status;
    d.rank = cloudonix::status_rank(u.status);
    d.started = cloudonix::to_iso8601(u.call_start_time);
    d.answered = cloudonix::to_iso8601(u.call_answer_time);
    d.ended = cloudonix::to_iso8601(u.call_end_time);
    calls[{r.job->tenant_id, u.session_token}].merge(d);
  }
}

void insert_cdrs(pqxx::transaction_base& tx, const std::vector<Job*>& jobs, int shard,
                 std::map<CallKey, CallDelta>& calls) {
  std::vector<Job*> rows;
  std::vector<cdr::NewCdr> cdrs;
  for (auto* job : jobs) {
    if (!job->cdr) continue;
    rows.push_back(job);
    cdrs.push_back({job->tenant_id, &*job->cdr});
  }
  auto inserted = cdr::insert_cdrs(tx, std::move(cdrs), shard);
  // Copies of one CDR in one batch: the first is the one stored, the others duplicates.
  for (auto* job : rows) {
    const auto& c = *job->cdr;
    if (inserted.erase({job->tenant_id, c.session_token}) == 0) {
      ++job->duplicates;
      continue;
    }
    ++job->processed;
    job->new_keys.push_back(c.session_token);
    CallDelta d;
    d.direction = std::string(cloudonix::to_string(c.direction));
    d.from = text::null_if_empty(c.from);
    d.to = text::null_if_empty(c.to);
    d.domain = text::null_if_empty(c.domain);
    d.subscriber = text::null_if_empty(c.subscriber);
    d.status = std::string(cloudonix::terminal_status(c.disposition));
    d.rank = cloudonix::status_rank(d.status);
    d.started = cloudonix::to_iso8601(c.started_at);
    d.answered = cloudonix::to_iso8601(c.answered_at);
    d.ended = cloudonix::to_iso8601(c.ended_at);
    calls[{job->tenant_id, c.session_token}].merge(d);
  }
}

// The tenant foreign keys of the webhook tables, checked once per tenant and batch
// (migration 0008): FOR KEY SHARE is the lock a foreign key takes, so a tenant cannot be
// deleted before the batch commits, and a batch naming a deleted tenant stores nothing.
void lock_tenants(pqxx::transaction_base& tx, const std::vector<Job*>& jobs) {
  std::set<std::string> tenants;
  for (const auto* job : jobs) {
    if (!job->tenant_id.empty()) tenants.insert(job->tenant_id);
  }
  if (tenants.empty()) return;
  ArrayLiteral ids;
  for (const auto& t : tenants) ids.add(t);
  auto locked = tx.exec_prepared("webhook_lock_tenants", ids.str());
  if (locked.size() != tenants.size()) {
    spdlog::warn("webhook batch names a tenant that no longer exists; nothing of it is stored");
    throw Error::internal();
  }
}

// Of the marked jobs of the batch, those whose every row Postgres holds: one round trip, by the
// unique keys that decide duplicates, and none when no job is marked.
std::set<const Job*> confirm_marked(pqxx::transaction_base& tx, const std::vector<Job*>& jobs,
                                    const std::vector<const Job*>& marked) {
  if (marked.empty()) return {};
  const std::set<const Job*> in_batch(jobs.begin(), jobs.end());
  std::set<const Job*> candidates;
  for (const auto* job : marked) {
    // A job turned into a dead letter after it was marked holds no key: it is not a duplicate.
    if (in_batch.count(job) > 0 && !job->log_only && job->dead_letters.empty() &&
        (job->cdr || !job->updates.empty())) {
      candidates.insert(job);
    }
  }
  if (candidates.empty()) return {};
  ArrayLiteral event_tenant, event_key, cdr_tenant, cdr_token;
  for (const auto* job : candidates) {
    for (const auto& u : job->updates) {
      event_tenant.add(job->tenant_id);
      event_key.add(u.dedupe_key);
    }
    if (job->cdr) {
      cdr_tenant.add(job->tenant_id);
      cdr_token.add(job->cdr->session_token);
    }
  }
  std::set<std::tuple<bool, std::string, std::string>> held;  // is a CDR, tenant, key
  for (const auto& row : tx.exec_prepared("webhook_stored_keys", event_tenant.str(),
                                          event_key.str(), cdr_tenant.str(), cdr_token.str())) {
    held.emplace(row[0].as<bool>(), row[1].as<std::string>(), row[2].as<std::string>());
  }
  std::set<const Job*> confirmed;
  for (const auto* job : candidates) {
    bool all = !job->cdr || held.count({true, job->tenant_id, job->cdr->session_token}) > 0;
    for (const auto& u : job->updates) {
      all = all && held.count({false, job->tenant_id, u.dedupe_key}) > 0;
    }
    if (all) confirmed.insert(job);
  }
  return confirmed;
}

void insert_dead_letters(pqxx::transaction_base& tx, const std::vector<Job*>& jobs) {
  ArrayLiteral id, tenant, kind, body, error, request_id;
  for (const auto* job : jobs) {
    if (job->log_only) continue;
    for (const auto& d : job->dead_letters) {
      id.add(d.id);
      tenant.add(job->tenant_id);
      kind.add(std::string(webhooks::kind_name(job->kind)));
      body.add(d.body);
      error.add(d.error);
      request_id.add(job->request_id);
    }
  }
  if (id.size() == 0) return;
  tx.exec_prepared0("webhook_dead_letters_insert", id.str(), tenant.str(), kind.str(), body.str(),
                    error.str(), request_id.str());
}

}  // namespace

std::vector<Statement> webhook_statements() {
  return {
      {"webhook_lock_tenants",
       "SELECT id FROM tenants WHERE id = ANY($1::uuid[]) ORDER BY id FOR KEY SHARE"},
      {"webhook_session_events_insert",
       "INSERT INTO session_events (id, tenant_id, session_token, dedupe_key, status, raw,"
       " modified_at)"
       " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],"
       " $6::json[], $7::timestamptz[])"
       " ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING tenant_id::text, dedupe_key"},
      {"webhook_stored_keys",
       "SELECT false, tenant_id::text, dedupe_key FROM session_events"
       " WHERE (tenant_id, dedupe_key) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))"
       " UNION ALL"
       " SELECT true, tenant_id::text, session_token FROM cdrs"
       " WHERE (tenant_id, session_token) IN (SELECT * FROM unnest($3::uuid[], $4::text[]))"},
      {"webhook_dead_letters_insert",
       "INSERT INTO dead_letters (id, tenant_id, kind, body, error, request_id)"
       " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],"
       " $6::text[])"},
      {"webhook_calls_upsert_and_log",
       "WITH upserted AS ("
       "INSERT INTO calls (id, tenant_id, session_token, direction, from_number, to_number, state,"
       " last_status, status_rank, started_at, answered_at, ended_at, domain, "
       "subscriber)"
       " SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],"
       " $6::text[], $7::text[], $8::text[], $9::smallint[], $10::timestamptz[],"
       " $11::timestamptz[], $12::timestamptz[], $13::text[], $14::text[])"
       " ON CONFLICT (tenant_id, session_token) DO UPDATE SET"
       " direction = CASE WHEN calls.direction = 'unknown' THEN excluded.direction"
       "   ELSE calls.direction END,"
       " from_number = coalesce(calls.from_number, excluded.from_number),"
       " to_number = coalesce(calls.to_number, excluded.to_number),"
       " state = CASE WHEN calls.status_rank < excluded.status_rank THEN excluded.state"
       "   ELSE calls.state END,"
       " last_status = CASE WHEN calls.status_rank < excluded.status_rank"
       "   THEN excluded.last_status ELSE calls.last_status END,"
       " status_rank = greatest(calls.status_rank, excluded.status_rank),"
       " started_at = coalesce(calls.started_at, excluded.started_at),"
       " answered_at = coalesce(calls.answered_at, excluded.answered_at),"
       " ended_at = coalesce(calls.ended_at, excluded.ended_at),"
       " domain = coalesce(calls.domain, excluded.domain),"
       " subscriber = coalesce(calls.subscriber, excluded.subscriber),"
       " updated_at = now())"
       " INSERT INTO webhook_events (id, tenant_id, kind, dedupe_key, outcome, http_status, error,"
       " request_id, duration_ms)"
       " SELECT * FROM unnest($15::uuid[], $16::uuid[], $17::text[], $18::text[], $19::text[],"
       " $20::smallint[], $21::text[], $22::text[], $23::integer[])"},
  };
}

void write_webhook_batch(pqxx::transaction_base& tx, const std::vector<Job*>& jobs,
                         const std::vector<const Job*>& marked, int shard) {
  for (auto* job : jobs) {
    job->processed = 0;
    job->duplicates = 0;
    job->new_keys.clear();
  }
  lock_tenants(tx, jobs);
  // A confirmed job keeps processed at 0 and no dead letter: its outcome is duplicate.
  auto confirmed = confirm_marked(tx, jobs, marked);
  std::vector<Job*> work;
  for (auto* job : jobs) {
    if (!job->log_only && confirmed.count(job) == 0) work.push_back(job);
  }
  std::map<CallKey, CallDelta> calls;
  insert_session_events(tx, work, calls);
  insert_cdrs(tx, work, shard, calls);
  insert_dead_letters(tx, work);
  upsert_calls_and_log(tx, calls, jobs);
}

}  // namespace pbx::webhooks
