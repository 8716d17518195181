#pragma once

#include "store/pg.hpp"
#include "webhooks/job.hpp"

#include <pqxx/pqxx>

#include <vector>

namespace pbx::webhooks {

std::vector<store::Statement> webhook_statements();

// Writes a batch of webhook jobs in the caller's transaction with a fixed number of
// statements, whatever the batch size: a lock on each tenant named (the tables' foreign key;
// throws when a tenant no longer exists), session events and CDRs (cdr::insert_cdrs; ON
// CONFLICT DO NOTHING decides duplicates), the forward-only call rows, dead letters and the
// webhook log. Fills each job's processed/duplicates/new_keys. Rows are written in key order, so
// that two batches touching the same keys lock them in the same order and cannot deadlock.
//
// `marked` are jobs whose every key has a Redis dedupe marker (others in it are ignored). A
// marker is only a hint: it outlives its rows after a restore or a failover to an asynchronous
// replica. When any job of the batch is marked, one query by the unique keys finds which of
// their rows Postgres holds; a job whose every row is there is logged as a duplicate without
// being written, the others are written like any job.
//
// `shard` is the CDR rollup shard of the calling writer thread (see cdr::insert_cdrs).
void write_webhook_batch(pqxx::transaction_base& tx, const std::vector<webhooks::Job*>& jobs,
                         const std::vector<const webhooks::Job*>& marked, int shard);

}  // namespace pbx::webhooks
