#include "cdr/store.hpp"

#include "core/text.hpp"
#include "core/uuid_v7.hpp"
#include "store/pg_array.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

namespace pbx::cdr {

std::set<CdrKey> insert_cdrs(pqxx::transaction_base& tx, std::vector<NewCdr> cdrs, int shard) {
  if (cdrs.empty()) return {};
  std::stable_sort(cdrs.begin(), cdrs.end(), [](const NewCdr& a, const NewCdr& b) {
    return std::tie(a.tenant_id, a.record->session_token) <
           std::tie(b.tenant_id, b.record->session_token);
  });
  store::ArrayLiteral id, tenant, token, call_id, started, answered, ended, from, to, direction,
      disposition, disposition_raw, duration, billsec, answered_flag, cost, domain, raw;
  for (const auto& row : cdrs) {
    const auto& c = *row.record;
    id.add(uuid::v7());
    tenant.add(row.tenant_id);
    token.add(c.session_token);
    call_id.add(text::null_if_empty(c.call_id));
    started.add(cloudonix::to_iso8601(c.started_at));
    answered.add(cloudonix::to_iso8601(c.answered_at));
    ended.add(cloudonix::to_iso8601(c.ended_at));
    from.add(c.from);
    to.add(c.to);
    direction.add(std::string(cloudonix::to_string(c.direction)));
    disposition.add(std::string(cloudonix::to_string(c.disposition)));
    disposition_raw.add(text::null_if_empty(c.disposition_raw));
    duration.add(std::to_string(c.duration));
    billsec.add(std::to_string(c.billsec));
    answered_flag.add(std::string(c.answered ? "true" : "false"));
    cost.add(c.cost);
    domain.add(text::null_if_empty(c.domain));
    raw.add(c.raw);
  }
  std::set<CdrKey> inserted;
  for (const auto& row : tx.exec_prepared(
           "cdr_insert", id.str(), tenant.str(), token.str(), call_id.str(), started.str(),
           answered.str(), ended.str(), from.str(), to.str(), direction.str(), disposition.str(),
           disposition_raw.str(), duration.str(), billsec.str(), answered_flag.str(), cost.str(),
           domain.str(), raw.str(), std::to_string(shard))) {
    inserted.emplace(row[0].as<std::string>(), row[1].as<std::string>());
  }
  return inserted;
}

std::vector<store::Statement> store_statements() {
  return {
      {"cdr_insert",
       "INSERT INTO cdrs (id, tenant_id, session_token, call_id, started_at, answered_at,"
       " ended_at, from_number, to_number, direction, disposition, disposition_raw, duration,"
       " billsec, answered, cost, domain, raw)"
       " SELECT i, t, s, c, coalesce(st, now()), a, e, f, tt, d, disp, draw, dur, bill, ans, cost,"
       " dom, raw FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[],"
       " $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[],"
       " $12::text[], $13::bigint[], $14::bigint[], $15::boolean[], $16::numeric[], $17::text[],"
       " $18::json[]) AS u(i, t, s, c, st, a, e, f, tt, d, disp, draw, dur, bill, ans, cost, dom,"
       " raw)"
       // The rollup trigger reads the shard when the statement ends; setting it here saves a
       // round trip per batch. The subquery is uncorrelated: it runs once.
       " CROSS JOIN (SELECT set_config('pbx.rollup_shard', $19, true)) AS shard"
       " ON CONFLICT (tenant_id, session_token) DO NOTHING"
       " RETURNING tenant_id::text, session_token"},
  };
}

}  // namespace pbx::cdr
