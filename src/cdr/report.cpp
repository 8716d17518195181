#include "cdr/report.hpp"

#include "core/text.hpp"
#include "store/pg_array.hpp"

#include <map>

namespace pbx::cdr {

namespace {

constexpr int kExportChunk = 2000;

using Opt = std::optional<std::string>;

// The bound values of the shared filter ($1 to $8 of every CDR statement).
struct FilterArgs {
  std::string tenant;
  Opt from_ts, to_ts, from_like, to_like, dispositions, directions, extension;
};

Opt array_or_null(const std::vector<std::string>& values) {
  if (values.empty()) return std::nullopt;
  store::ArrayLiteral a;
  for (const auto& v : values) a.add(v);
  return a.str();
}

std::string tenant_time_zone(pqxx::transaction_base& tx, const std::string& tenant_id) {
  auto rows = tx.exec_prepared("report_tenant_timezone", tenant_id);
  return rows.empty() ? "UTC" : rows[0][0].as<std::string>();
}

// Dates are days in the tenant's time zone.
FilterArgs filter_args(const std::string& tenant_id, const CdrFilter& f,
                       const std::string& time_zone) {
  FilterArgs a{tenant_id, {}, {}, {}, {}, {}, {}, f.extension_id};
  if (f.from_date || f.to_date) {
    auto range = resolve_range(f, time_zone);
    if (range.from) a.from_ts = pg_timestamp(*range.from);
    if (range.to_exclusive) a.to_ts = pg_timestamp(*range.to_exclusive);
  }
  if (f.from) a.from_like = like_prefix(*f.from);
  if (f.to) a.to_like = like_prefix(*f.to);
  a.dispositions = array_or_null(f.dispositions);
  a.directions = array_or_null(f.directions);
  return a;
}

FilterArgs filter_args(pqxx::transaction_base& tx, const std::string& tenant_id,
                       const CdrFilter& f) {
  bool dated = f.from_date || f.to_date;
  return filter_args(tenant_id, f, dated ? tenant_time_zone(tx, tenant_id) : "UTC");
}

pqxx::result fetch_page(pqxx::transaction_base& tx, const FilterArgs& a, Sort sort,
                        const std::optional<http::Cursor>& after, int limit) {
  Opt at = after ? Opt(pg_timestamp(after->at)) : std::nullopt;
  Opt id = after ? Opt(after->id) : std::nullopt;
  return tx.exec_prepared(sort == Sort::newest_first ? "cdr_list_newest" : "cdr_list_oldest",
                          a.tenant, a.from_ts, a.to_ts, a.from_like, a.to_like, a.dispositions,
                          a.directions, a.extension, at, id, limit);
}

// A row's keyset position: its start and id.
std::pair<Micros, std::string> position_of(const pqxx::row& r) {
  return {r[3].as<Micros>(), r[0].as<std::string>()};
}

nlohmann::json cdr_json(const pqxx::row& r) {
  auto text = [&](int i) {
    return r[i].is_null() ? nlohmann::json(nullptr) : nlohmann::json(r[i].as<std::string>());
  };
  auto time = [&](int i) {
    return r[i].is_null() ? nlohmann::json(nullptr) : nlohmann::json(iso8601(r[i].as<Micros>()));
  };
  auto cost = r[13].is_null() ? nlohmann::json(nullptr)
                              : nlohmann::json::parse(r[13].c_str(), nullptr, false);
  if (cost.is_discarded()) cost = nullptr;  // NaN has no JSON form
  return {{"id", text(0)},
          {"session_token", text(1)},
          {"call_id", text(2)},
          {"started_at", time(3)},
          {"answered_at", time(4)},
          {"ended_at", time(5)},
          {"from", text(6)},
          {"to", text(7)},
          {"direction", text(8)},
          {"disposition", text(9)},
          {"disposition_raw", text(10)},
          {"duration", r[11].as<std::int64_t>()},
          {"billsec", r[12].as<std::int64_t>()},
          {"cost", cost},
          {"extension_id", text(14)},
          {"ring_group_id", text(15)}};
}

void append_csv(std::string& out, const pqxx::row& r) {
  std::vector<std::string> fields;
  fields.reserve(r.size());
  for (int i = 0; i < static_cast<int>(r.size()); ++i) {
    if (r[i].is_null()) {
      fields.emplace_back();
    } else if (i >= 3 && i <= 5) {
      fields.push_back(iso8601(r[i].as<Micros>()));
    } else {
      fields.push_back(r[i].as<std::string>());
    }
  }
  out += csv_row(fields);
}

}  // namespace

void plan_per_call(pqxx::transaction_base& tx) {
  tx.exec0("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off");
}

nlohmann::json list_cdrs(store::ReportReads& reads, const std::string& tenant_id,
                         const CdrListQuery& q) {
  return reads.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    plan_per_call(tx);
    auto rows = fetch_page(tx, filter_args(tx, tenant_id, q.filter), q.sort, q.page.after,
                           q.page.limit + 1);
    return http::page_json(
        rows.size(), q.page, cursor_list(q.sort),
        [&](size_t i) { return cdr_json(rows[static_cast<int>(i)]); },
        [&](size_t i) { return position_of(rows[static_cast<int>(i)]); });
  });
}

nlohmann::json get_cdr(store::PgPool& pg, const std::string& tenant_id, const std::string& id) {
  if (!text::is_uuid(id)) throw Error::not_found("no such CDR");
  auto found = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("cdr_get", tenant_id, id);
    return rows.empty() ? nlohmann::json(nullptr) : cdr_json(rows[0]);
  });
  if (found.is_null()) throw Error::not_found("no such CDR");
  return found;
}

nlohmann::json cdr_of_session(pqxx::transaction_base& tx, const std::string& tenant_id,
                              const std::string& session_token) {
  auto rows = tx.exec_prepared("cdr_by_session", tenant_id, session_token);
  return rows.empty() ? nlohmann::json(nullptr) : cdr_json(rows[0]);
}

namespace {

Opt span_bounds(const std::vector<std::pair<Micros, Micros>>& spans, bool first) {
  store::ArrayLiteral a;
  for (const auto& span : spans) a.add(pg_timestamp(first ? span.first : span.second));
  return a.str();
}

// Rows of (local date, disposition, calls, answered, duration, billsec), from the hourly
// rollups and the CDRs of the hours they cannot place (see cdr_stats_rollups).
pqxx::result stats_from_rollups(pqxx::transaction_base& tx, const FilterArgs& a,
                                const TimeRange& range, const std::string& zone,
                                const Opt& dispositions) {
  auto split = split_hours(range);
  auto ts = [](const std::optional<Micros>& t) { return t ? Opt(pg_timestamp(*t)) : Opt(); };
  return tx.exec_prepared("cdr_stats_rollups", a.tenant, ts(split.hours_from), ts(split.hours_to),
                          span_bounds(split.partial, true), span_bounds(split.partial, false),
                          dispositions, a.directions, zone);
}

// Refuses a number filter over more than `limit` calls, naming the latest from_date that would
// be accepted with the same to_date.
void check_number_scan(pqxx::transaction_base& tx, const FilterArgs& a, const TimeRange& range,
                       const std::string& zone, std::int64_t limit) {
  // The scan reads every call of the range, whatever its direction.
  auto every_direction = a;
  every_direction.directions.reset();
  std::map<std::string, std::int64_t> per_day;
  std::int64_t total = 0;
  for (const auto& r : stats_from_rollups(tx, every_direction, range, zone, std::nullopt)) {
    per_day[r[0].as<std::string>()] += r[2].as<std::int64_t>();
    total += r[2].as<std::int64_t>();
  }
  if (total <= limit) return;
  std::int64_t kept = 0;
  std::optional<std::string> from;
  for (auto it = per_day.rbegin(); it != per_day.rend(); ++it) {
    if (kept + it->second > limit) break;
    kept += it->second;
    from = it->first;
  }
  auto narrower = from ? "from_date=" + *from + " would do with the same to_date"
                       : std::string("its last day alone has more: give date-times");
  throw Error::validation(
      {{"from_date", "stats with a from or to filter read at most " + std::to_string(limit) +
                         " calls, and this range has " + std::to_string(total) + ": narrow it (" +
                         narrower + ")"}});
}

}  // namespace

nlohmann::json cdr_stats(store::ReportReads& reads, const std::string& tenant_id,
                         const CdrFilter& f, std::int64_t max_number_scan) {
  auto rows = reads.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    plan_per_call(tx);
    auto zone = tenant_time_zone(tx, tenant_id);  // also the zone of by_day's dates
    auto a = filter_args(tenant_id, f, zone);
    auto range = resolve_range(f, zone);
    // The rollups count by hour, direction and disposition. An extension's CDRs are few and
    // have their own index; a number filter reads every CDR of the range.
    bool numbers = f.from || f.to;
    if (!numbers && !f.extension_id) {
      return stats_from_rollups(tx, a, range, zone, a.dispositions);
    }
    if (numbers && !f.extension_id) check_number_scan(tx, a, range, zone, max_number_scan);
    return tx.exec_prepared("cdr_stats", a.tenant, a.from_ts, a.to_ts, a.from_like, a.to_like,
                            a.dispositions, a.directions, a.extension, zone);
  });
  std::vector<StatsRow> groups;
  groups.reserve(rows.size());
  for (const auto& r : rows) {
    groups.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>(),
                      r[3].as<std::int64_t>(), r[4].as<std::int64_t>(), r[5].as<std::int64_t>()});
  }
  return stats_json(groups);
}

bool export_csv(store::ReportReads& reads, const std::string& tenant_id, const CdrListQuery& q,
                const std::function<bool(std::string_view)>& write) {
  if (!write(csv_row(cdr_columns()))) return false;
  std::optional<FilterArgs> args;
  std::optional<http::Cursor> after;
  for (;;) {
    // One short transaction per chunk: the pooled connection is not held while the client
    // reads, and each chunk is an index range scan starting at the previous chunk's end.
    std::string chunk;
    auto count = reads.with([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      plan_per_call(tx);
      if (!args) args = filter_args(tx, tenant_id, q.filter);
      auto rows = fetch_page(tx, *args, q.sort, after, kExportChunk);
      chunk.clear();
      for (const auto& r : rows) append_csv(chunk, r);
      if (!rows.empty()) {
        auto [at, id] = position_of(rows[rows.size() - 1]);
        after = http::Cursor{std::string(cursor_list(q.sort)), at, std::move(id)};
      }
      return rows.size();
    });
    if (count > 0 && !write(chunk)) return false;
    if (count < static_cast<size_t>(kExportChunk)) return true;
  }
}

// The SQL is built from literals so that every statement is one named, fully bound statement.
// "id" alone in ORDER BY would name the id::text output column: a text sort the index cannot
// give, so every matching row would be read and sorted. cdrs.id is the indexed uuid.
// Optional filters are "($n IS NULL OR ...)"; the report transaction plans them per call
// (plan_cache_mode = force_custom_plan), so the planner sees the actual filters and uses the
// matching index. Time bounds and the keyset use sentinels instead, which any plan can use as
// index bounds. Without a cursor the keyset starts at the range's own end: the index scan then
// starts there, not at the tenant's newest (or oldest) row, whatever bound the planner takes.
#define PBX_MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define PBX_CDR_COLUMNS \
  " id::text, session_token, coalesce(call_id, ''), " PBX_MICROS("started_at") ", "            \
  PBX_MICROS("answered_at") ", " PBX_MICROS("ended_at") ", from_number, to_number, direction," \
  " disposition, disposition_raw, duration, billsec, cost::text, extension_id::text,"          \
  " ring_group_id::text"
#define PBX_CDR_FILTER                                          \
  " WHERE tenant_id = $1"                                       \
  " AND started_at >= coalesce($2::timestamptz, '-infinity')"   \
  " AND started_at < coalesce($3::timestamptz, 'infinity')"     \
  " AND ($4::text IS NULL OR from_number LIKE $4)"              \
  " AND ($5::text IS NULL OR to_number LIKE $5)"                \
  " AND ($6::text[] IS NULL OR disposition = ANY ($6::text[]))" \
  " AND ($7::text[] IS NULL OR direction = ANY ($7::text[]))"   \
  " AND ($8::uuid IS NULL OR extension_id = $8::uuid)"

// $1 tenant, $2 and $3 the whole hours [from, to) (null: unbounded), $4 and $5 the partial
// spans' starts and ends, $6 dispositions, $7 directions, $8 the tenant's zone. An hour that a
// local midnight splits (a zone whose offset is not a whole hour) cannot be given to one day:
// its CDRs are read instead, as for the partial spans. Those hours are found from the range's
// local midnights (a few hundred a year), so that the rollup rows are read once and grouped
// straight into days. The statement's text is made once from the list of dispositions (the
// rollup columns are named after them).
namespace {

std::string make_stats_from_rollups_sql() {
  std::string sums, unpivot;  // ", sum(busy_calls) AS busy_calls, ...", "('busy', busy_calls, ...)"
  for (const auto& d : dispositions()) {
    unpivot += unpivot.empty() ? "('" : ", ('";
    unpivot += d;
    unpivot += "'";
    for (const char* measure : {"_calls", "_answered", "_duration", "_billsec"}) {
      const auto column = d + measure;
      sums += ", sum(";
      sums += column;
      sums += ") AS ";
      sums += column;
      unpivot += ", ";
      unpivot += column;
    }
    unpivot += ")";
  }
  return "WITH bounds AS (SELECT coalesce($2::timestamptz,"
         " (SELECT min(hour) FROM cdr_rollups WHERE tenant_id = $1)) AS lo,"
         " coalesce($3::timestamptz,"
         " (SELECT max(hour) + interval '1 hour' FROM cdr_rollups WHERE tenant_id = $1)) AS hi),"
         // Each local midnight of the range that is not on the hour splits its hour.
         " split AS (SELECT DISTINCT date_trunc('hour', m, 'UTC') AS hour FROM bounds,"
         " generate_series((lo AT TIME ZONE $8)::date::timestamp,"
         " (hi AT TIME ZONE $8)::date::timestamp, interval '1 day') AS d,"
         " LATERAL (SELECT d AT TIME ZONE $8 AS m) AS midnight"
         " WHERE m <> date_trunc('hour', m, 'UTC') AND date_trunc('hour', m, 'UTC') >= lo"
         " AND date_trunc('hour', m, 'UTC') < hi),"
         " days AS (SELECT (hour AT TIME ZONE $8)::date AS day" +
         sums +
         " FROM cdr_rollups WHERE tenant_id = $1"
         " AND hour >= coalesce($2::timestamptz, '-infinity')"
         " AND hour < coalesce($3::timestamptz, 'infinity')"
         " AND ($7::text[] IS NULL OR direction = ANY ($7::text[]))"
         " AND hour <> ALL (ARRAY(SELECT hour FROM split)) GROUP BY 1),"
         " spans AS (SELECT * FROM unnest($4::timestamptz[], $5::timestamptz[]) AS s(lo, hi)"
         " UNION ALL SELECT hour, hour + interval '1 hour' FROM split),"
         // Grouped inside the LATERAL subquery, which keeps it from being flattened into a
         // join: each span is then an index range scan, never a scan of the tenant's CDRs.
         " scanned AS (SELECT g.* FROM spans CROSS JOIN LATERAL ("
         "SELECT (c.started_at AT TIME ZONE $8)::date AS day, c.disposition,"
         " count(*) AS calls, count(*) FILTER (WHERE c.answered) AS answered,"
         " sum(c.duration) AS duration, sum(c.billsec) AS billsec FROM cdrs c"
         " WHERE c.tenant_id = $1 AND c.started_at >= spans.lo AND c.started_at < spans.hi"
         " AND ($7::text[] IS NULL OR c.direction = ANY ($7::text[])) GROUP BY 1, 2) AS g)"
         " SELECT d.day::text, d.disposition, sum(d.calls), sum(d.answered), sum(d.duration),"
         " sum(d.billsec) FROM (SELECT day, v.* FROM days CROSS JOIN LATERAL (VALUES " +
         unpivot +
         ") AS v(disposition, calls, answered, duration, billsec)"
         " UNION ALL SELECT * FROM scanned) d"
         " WHERE d.calls <> 0 AND ($6::text[] IS NULL OR d.disposition = ANY ($6::text[]))"
         " GROUP BY 1, 2 ORDER BY 1, 2";
}

const char* stats_from_rollups_sql() {
  static const std::string sql = make_stats_from_rollups_sql();
  return sql.c_str();
}

}  // namespace

std::vector<store::Statement> cdr_statements() {
  return {
      {"cdr_list_newest",
       "SELECT" PBX_CDR_COLUMNS " FROM cdrs" PBX_CDR_FILTER
       " AND (started_at, id) < (coalesce($9::timestamptz, $3::timestamptz, 'infinity'),"
       " coalesce($10::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
       " ORDER BY started_at DESC, cdrs.id DESC LIMIT $11"},
      {"cdr_list_oldest",
       "SELECT" PBX_CDR_COLUMNS " FROM cdrs" PBX_CDR_FILTER
       " AND (started_at, id) > (coalesce($9::timestamptz, $2::timestamptz, '-infinity'),"
       " coalesce($10::uuid, '00000000-0000-0000-0000-000000000000'))"
       " ORDER BY started_at, cdrs.id LIMIT $11"},
      {"cdr_stats",
       "SELECT (started_at AT TIME ZONE $9)::date::text, disposition, count(*),"
       " count(*) FILTER (WHERE answered), sum(duration), sum(billsec)"
       " FROM cdrs" PBX_CDR_FILTER " GROUP BY 1, 2 ORDER BY 1, 2"},
      {"cdr_stats_rollups", stats_from_rollups_sql()},
      {"cdr_get", "SELECT" PBX_CDR_COLUMNS " FROM cdrs WHERE tenant_id = $1 AND id = $2"},
      {"cdr_by_session",
       "SELECT" PBX_CDR_COLUMNS " FROM cdrs WHERE tenant_id = $1 AND session_token = $2"},
      {"report_tenant_timezone", "SELECT timezone FROM tenants WHERE id = $1"},
  };
}

#undef PBX_CDR_FILTER
#undef PBX_CDR_COLUMNS
#undef PBX_MICROS

}  // namespace pbx::cdr
