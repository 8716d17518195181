#pragma once

#include "store/pg.hpp"
#include "webhooks/job.hpp"

#include <pqxx/pqxx>

#include <vector>

namespace pbx::store {

std::vector<Statement> webhook_statements();

// Writes a batch of webhook jobs in the caller's transaction with a fixed number of
// statements, whatever the batch size: a lock on each tenant named (the tables' foreign key;
// throws when a tenant no longer exists), session events and CDRs (ON CONFLICT DO NOTHING
// decides duplicates), the forward-only call rows, dead letters and the webhook log. Fills
// each job's processed/duplicates/new_keys. Rows are written in key order, so that two
// batches touching the same keys lock them in the same order and cannot deadlock.
void write_webhook_batch(pqxx::transaction_base& tx, const std::vector<webhooks::Job*>& jobs);

}  // namespace pbx::store
