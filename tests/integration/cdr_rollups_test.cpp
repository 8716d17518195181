// CDR stats come from hourly rollups kept by triggers on cdrs (migration 0019). They must stay
// exact: these tests compare them with the CDRs themselves over random ranges, zones and
// filters, after duplicates, deletes and updates, against real Postgres.
#include "cdr/report.hpp"
#include "cdr/store.hpp"
#include "store/pg.hpp"
#include "store/replica.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <cstdio>
#include <random>

namespace pbx::testing {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::sys_days;

constexpr const char* kDomain = "rollups.cloudonix.net";
const std::vector<std::string> kDirections = {"inbound", "outbound", "internal", "unknown"};
// Whole-hour offsets with and without daylight saving, and offsets of :30 and :45, one with a
// 30-minute daylight saving shift: their local midnights split UTC hours.
const std::vector<std::string> kZones = {"UTC",
                                         "America/New_York",
                                         "Europe/London",
                                         "Asia/Kolkata",
                                         "Asia/Kathmandu",
                                         "Australia/Lord_Howe",
                                         "America/St_Johns",
                                         "Pacific/Chatham"};
// The CDRs span daylight saving changes of both hemispheres (March and April 2026).
const sys_days kFirstDay = sys_days{std::chrono::year{2026} / 2 / 25};
constexpr int kDaysSpanned = 45;

class CdrRollups : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    auto statements = cdr::cdr_statements();
    auto store = cdr::store_statements();
    statements.insert(statements.end(), store.begin(), store.end());
    pg_ = new store::PgPool({env_->at("PBX_DATABASE_URL"), 4}, statements);
    reads_ = new store::ReportReads(*pg_);
    seed();
  }
  static void TearDownTestSuite() {
    delete reads_;
    delete pg_;
    delete tenant_;
    delete env_;
  }

  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  static void execute(const std::string& sql) { TestEnv::get().pg().execute(sql); }

  // A random CDR of the spanned days, under the session token `token`.
  static cloudonix::CdrRecord random_cdr(std::mt19937& rng, const std::string& token) {
    static const cloudonix::Disposition kAll[] = {
        cloudonix::Disposition::answered,  cloudonix::Disposition::busy,
        cloudonix::Disposition::no_answer, cloudonix::Disposition::cancelled,
        cloudonix::Disposition::failed,    cloudonix::Disposition::other};
    static const cloudonix::Direction kDirs[] = {
        cloudonix::Direction::inbound, cloudonix::Direction::outbound,
        cloudonix::Direction::internal, cloudonix::Direction::unknown};
    cloudonix::CdrRecord c;
    c.session_token = token;
    c.dedupe_key = token;
    auto ms = std::uniform_int_distribution<std::int64_t>(0, kDaysSpanned * 86'400'000LL)(rng);
    c.started_at = cloudonix::Timestamp{kFirstDay} + std::chrono::milliseconds{ms};
    c.disposition = kAll[rng() % 6];
    c.direction = kDirs[rng() % 4];
    c.answered = c.disposition == cloudonix::Disposition::answered || rng() % 10 == 0;
    c.duration = static_cast<std::int64_t>(rng() % 600);
    c.billsec = c.answered ? c.duration / 2 : 0;
    c.from = "+1415555" + std::to_string(rng() % 10000);
    c.to = std::to_string(100 + rng() % 50);
    c.raw = "{}";
    return c;
  }

  // Inserts `records` through cdr::insert_cdrs in one transaction counting into `shard`;
  // returns how many were stored.
  static size_t insert(const std::vector<cloudonix::CdrRecord>& records, int shard) {
    return pg_->with([&](pqxx::connection& c) {
      pqxx::work tx(c);
      std::vector<cdr::NewCdr> rows;
      for (const auto& r : records) rows.push_back({tenant_->id, &r});
      auto stored = cdr::insert_cdrs(tx, rows, shard).size();
      tx.commit();
      return stored;
    });
  }

  // 12,000 CDRs in batches of 400 over three shards; every tenth of each batch repeats a token
  // of the batch or of an earlier one, and must not count twice.
  static void seed() {
    std::mt19937 rng(20261201);
    std::vector<std::string> tokens;
    for (int batch = 0; batch < 30; ++batch) {
      std::vector<cloudonix::CdrRecord> records;
      for (int i = 0; i < 400; ++i) {
        bool repeat = !tokens.empty() && i % 10 == 9;
        auto token =
            repeat ? tokens[rng() % tokens.size()] : "roll-" + std::to_string(tokens.size());
        if (!repeat) tokens.push_back(token);
        records.push_back(random_cdr(rng, token));
      }
      offered_ += records.size();
      stored_ += insert(records, batch % 3);
    }
    distinct_ = tokens.size();
  }

  // The stats as the CDRs themselves give them, grouped by this test's own SQL: what the
  // rollups must equal.
  static json scanned_stats(const cdr::CdrFilter& f, const std::string& zone) {
    auto range = cdr::resolve_range(f, zone);
    std::string where = " WHERE tenant_id = '" + tenant_->id + "'";
    if (range.from) where += " AND started_at >= '" + pg_timestamp(*range.from) + "'";
    if (range.to_exclusive)
      where += " AND started_at < '" + pg_timestamp(*range.to_exclusive) + "'";
    auto in = [](const char* column, const std::vector<std::string>& values) {
      if (values.empty()) return std::string();
      std::string list;
      for (const auto& v : values) list += (list.empty() ? "'" : ", '") + v + "'";
      return std::string(" AND ") + column + " IN (" + list + ")";
    };
    where += in("disposition", f.dispositions) + in("direction", f.directions);
    auto rows = json::parse(scalar(
        "SELECT coalesce(json_agg(json_build_array(day, disposition, n, a, d, b)), '[]') FROM ("
        "SELECT (started_at AT TIME ZONE '" +
        zone +
        "')::date::text AS day, disposition, count(*) AS n, count(*) FILTER (WHERE answered) AS a,"
        " sum(duration) AS d, sum(billsec) AS b FROM cdrs" +
        where + " GROUP BY 1, 2) s"));
    std::vector<cdr::StatsRow> groups;
    for (const auto& r : rows) {
      groups.push_back({r[0].get<std::string>(), r[1].get<std::string>(), r[2].get<std::int64_t>(),
                        r[3].get<std::int64_t>(), r[4].get<std::int64_t>(),
                        r[5].get<std::int64_t>()});
    }
    return cdr::stats_json(groups);
  }

  // A random filter: each bound absent, a day, or an instant (on the hour or not); random
  // dispositions and directions.
  static cdr::CdrFilter random_filter(std::mt19937& rng) {
    auto bound = [&]() -> std::optional<cdr::DateBound> {
      auto day = kFirstDay + days{static_cast<int>(rng() % (kDaysSpanned + 4)) - 2};
      switch (rng() % 4) {
        case 0:
          return std::nullopt;
        case 1:
          return cdr::DateBound{day, std::nullopt};
        case 2:
          return cdr::DateBound{std::nullopt, std::chrono::duration_cast<std::chrono::microseconds>(
                                                  day.time_since_epoch())
                                                      .count() +
                                                  static_cast<Micros>(rng() % 24) * 3'600'000'000};
        default:
          return cdr::DateBound{std::nullopt, std::chrono::duration_cast<std::chrono::microseconds>(
                                                  day.time_since_epoch())
                                                      .count() +
                                                  static_cast<Micros>(rng() % 86'400'000'000)};
      }
    };
    auto subset = [&](const std::vector<std::string>& all) {
      std::vector<std::string> out;
      if (rng() % 2 == 0) return out;
      for (const auto& v : all) {
        if (rng() % 2 == 0) out.push_back(v);
      }
      return out;
    };
    cdr::CdrFilter f;
    f.from_date = bound();
    f.to_date = bound();
    auto start = [&](const cdr::DateBound& b) {
      return b.instant
                 ? *b.instant
                 : std::chrono::duration_cast<std::chrono::microseconds>(b.day->time_since_epoch())
                       .count();
    };
    if (f.from_date && f.to_date && start(*f.from_date) > start(*f.to_date)) {
      std::swap(f.from_date, f.to_date);
    }
    f.dispositions = subset(cdr::dispositions());
    f.directions = subset(kDirections);
    return f;
  }

  static std::string describe(const cdr::CdrFilter& f, const std::string& zone) {
    auto text = [](const std::optional<cdr::DateBound>& b) {
      if (!b) return std::string("-");
      if (b->instant) return iso8601(*b->instant);
      return std::to_string(b->day->time_since_epoch().count()) + " days";
    };
    std::string s = zone + " from " + text(f.from_date) + " to " + text(f.to_date);
    for (const auto& d : f.dispositions) s += " " + d;
    for (const auto& d : f.directions) s += " " + d;
    return s;
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline store::PgPool* pg_ = nullptr;
  static inline store::ReportReads* reads_ = nullptr;
  static inline size_t offered_ = 0, stored_ = 0, distinct_ = 0;
};

TEST_F(CdrRollups, StatsEqualTheCdrsOverRandomRangesZonesAndFilters) {
  EXPECT_EQ(stored_, distinct_);
  EXPECT_LT(stored_, offered_);
  std::mt19937 rng(20261202);
  // Deletes and updates are taken back out of the rollups.
  execute(
      "DELETE FROM cdrs WHERE session_token IN (SELECT 'roll-' || i FROM"
      " generate_series(0, 11000, 37) i)");
  execute(
      "UPDATE cdrs SET started_at = started_at + interval '7 hours 13 minutes',"
      " disposition = 'busy', direction = 'internal', duration = duration + 5"
      " WHERE session_token IN (SELECT 'roll-' || i FROM generate_series(1, 11000, 53) i)");
  EXPECT_EQ(scalar("SELECT sum(" +
                   [] {
                     std::string all;
                     for (const auto& d : cdr::dispositions()) {
                       all += (all.empty() ? "" : " + ") + d + "_calls";
                     }
                     return all;
                   }() +
                   ") FROM cdr_rollups WHERE tenant_id = '" + tenant_->id + "'"),
            scalar("SELECT count(*) FROM cdrs WHERE tenant_id = '" + tenant_->id + "'"));

  int compared = 0;
  for (const auto& zone : kZones) {
    execute("UPDATE tenants SET timezone = '" + zone + "' WHERE id = '" + tenant_->id + "'");
    for (int i = 0; i < 30; ++i) {
      auto f = random_filter(rng);
      ASSERT_EQ(cdr::cdr_stats(*reads_, tenant_->id, f), scanned_stats(f, zone))
          << describe(f, zone);
      ++compared;
    }
    // The whole range, and whole days only.
    cdr::CdrFilter all;
    ASSERT_EQ(cdr::cdr_stats(*reads_, tenant_->id, all), scanned_stats(all, zone)) << zone;
    cdr::CdrFilter days_only;
    days_only.from_date = cdr::DateBound{kFirstDay + days{3}, std::nullopt};
    days_only.to_date = cdr::DateBound{kFirstDay + days{40}, std::nullopt};
    ASSERT_EQ(cdr::cdr_stats(*reads_, tenant_->id, days_only), scanned_stats(days_only, zone))
        << zone;
  }
  EXPECT_EQ(compared, 240);
}

// Two writers counting into different shards never wait for each other's row lock, though they
// add to the same tenant, hour and direction; in one shard the second waits for the first.
TEST_F(CdrRollups, WritersInTheirOwnShardsDoNotWaitForEachOther) {
  std::mt19937 rng(7);
  auto record = [&](const std::string& token) {
    auto c = random_cdr(rng, token);
    c.started_at = cloudonix::Timestamp{kFirstDay} + std::chrono::hours{5};
    c.direction = cloudonix::Direction::inbound;
    return c;
  };
  auto first = record("shard-a");
  auto same_shard_blocks = [&](int other_shard, const std::string& token) {
    return pg_->with([&](pqxx::connection& holder) {
      pqxx::work held(holder);
      std::vector<cdr::NewCdr> one{{tenant_->id, &first}};
      cdr::insert_cdrs(held, one, 4);
      auto second = record(token);
      bool blocked = pg_->with([&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec0("SET LOCAL lock_timeout = '300ms'");
        std::vector<cdr::NewCdr> rows{{tenant_->id, &second}};
        try {
          cdr::insert_cdrs(tx, rows, other_shard);
        } catch (const pqxx::sql_error& e) {
          return std::string(e.what()).find("lock timeout") != std::string::npos;
        }
        return false;
      });
      held.abort();
      return blocked;
    });
  };
  EXPECT_FALSE(same_shard_blocks(5, "shard-b"));
  EXPECT_TRUE(same_shard_blocks(4, "shard-c"));
}

// A number filter reads CDRs: over more calls than allowed it is refused, naming a from_date
// that the same request would be answered with.
TEST_F(CdrRollups, ANumberFilterOverTooManyCallsNamesARangeThatWorks) {
  execute("UPDATE tenants SET timezone = 'UTC' WHERE id = '" + tenant_->id + "'");
  cdr::CdrFilter f;
  f.to = "1";
  f.to_date = cdr::DateBound{kFirstDay + days{kDaysSpanned}, std::nullopt};
  auto calls = std::stoll(scalar("SELECT count(*) FROM cdrs WHERE tenant_id = '" + tenant_->id +
                                 "' AND started_at < '2026-04-12'"));
  ASSERT_GT(calls, 1000);
  EXPECT_NO_THROW(cdr::cdr_stats(*reads_, tenant_->id, f, calls));
  std::string named;
  try {
    cdr::cdr_stats(*reads_, tenant_->id, f, 1000);
    ADD_FAILURE() << "not refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 422);
    auto message = e.details().dump();
    auto at = message.find("from_date=");
    ASSERT_NE(at, std::string::npos) << message;
    named = message.substr(at + 10, 10);
  }
  int y = 0, m = 0, d = 0;
  ASSERT_EQ(std::sscanf(named.c_str(), "%d-%d-%d", &y, &m, &d), 3) << named;
  f.from_date = cdr::DateBound{sys_days{std::chrono::year{y} / m / d}, std::nullopt};
  auto answer = cdr::cdr_stats(*reads_, tenant_->id, f, 1000);
  EXPECT_GT(answer["total"].get<std::int64_t>(), 0);
  // One day earlier is over the limit.
  f.from_date = cdr::DateBound{sys_days{std::chrono::year{y} / m / d} - days{1}, std::nullopt};
  EXPECT_THROW(cdr::cdr_stats(*reads_, tenant_->id, f, 1000), Error);
}

// Deleting a tenant removes its CDRs and rollups: the triggers must not stand in the way.
TEST_F(CdrRollups, DeletingATenantWithCdrsRemovesItsRollups) {
  auto doomed = bootstrap_tenant(*env_, "rollups-doomed.cloudonix.net");
  execute("INSERT INTO cdrs (tenant_id, session_token, started_at, disposition, raw) SELECT '" +
          doomed.id +
          "', 'doomed-' || i, now() - i * interval '1 hour', 'answered', '{}'"
          " FROM generate_series(1, 50) i");
  EXPECT_EQ(scalar("SELECT count(*) FROM cdr_rollups WHERE tenant_id = '" + doomed.id + "'"), "50");
  execute("DELETE FROM tenants WHERE id = '" + doomed.id + "'");
  EXPECT_EQ(scalar("SELECT count(*) FROM cdr_rollups WHERE tenant_id = '" + doomed.id + "'"), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE tenant_id = '" + doomed.id + "'"), "0");
}

}  // namespace
}  // namespace pbx::testing
