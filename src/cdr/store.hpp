#pragma once

// Storing CDRs: the one place that writes the cdrs table. The hourly rollups that stats read
// follow every change of it inside the same transaction (migration 0019).

#include "cloudonix/cdr_record.hpp"
#include "store/pg.hpp"

#include <pqxx/pqxx>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pbx::cdr {

struct NewCdr {
  std::string tenant_id;
  const cloudonix::CdrRecord* record;
};

using CdrKey = std::pair<std::string, std::string>;  // tenant, session token

// Inserts, in one statement of the caller's transaction, the CDRs whose (tenant, session token)
// is not stored yet, and returns the keys of those inserted: a key absent from the result was
// a duplicate, of a stored CDR or of an earlier copy in the list. Rows are inserted in key
// order, so that two transactions inserting the same keys lock them in the same order.
// `shard` is the rollup shard they count into: each concurrent writer its own, so that writers
// never wait for each other's rollup rows.
std::set<CdrKey> insert_cdrs(pqxx::transaction_base& tx, std::vector<NewCdr> cdrs, int shard);

std::vector<store::Statement> store_statements();

}  // namespace pbx::cdr
