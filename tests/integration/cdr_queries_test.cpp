// The read-only report endpoints against real Postgres and the real service: CDR filters,
// keyset pagination, CSV streaming, stats, calls, webhook events, dead letters, roles and
// tenant isolation, plus the two figures for the release note (CSV rate, filtered page p99).
#include "cdr/report.hpp"
#include "cdr_queries_fixture.hpp"
#include "support/raw_http.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

namespace pbx::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

const std::string kNy = "'" + std::string(kZone) + "'";

struct FilterCase {
  std::string query;
  std::string where;
};

std::vector<FilterCase> filter_cases() {
  return {
      {"from_date=2026-02-20&to_date=2026-02-22",
       "started_at >= timestamp '2026-02-20' AT TIME ZONE " + kNy +
           " AND started_at < timestamp '2026-02-23' AT TIME ZONE " + kNy},
      {"from_date=2026-02-10T12:00:00Z&to_date=2026-02-11T00:00:00%2B01:00",
       "started_at BETWEEN '2026-02-10T12:00:00Z' AND '2026-02-10T23:00:00Z'"},
      {"from=%2B1212", "from_number LIKE '+1212%'"},
      {"from=+1415", "from_number LIKE '+1415%'"},  // an unencoded '+' still means '+'
      {"from=%2B44207550042", "from_number = '+44207550042'"},
      {"to=1004", "to_number LIKE '1004%'"},
      {"from=%25", "false"},  // LIKE metacharacters match themselves only
      {"to=_", "false"},
      {"disposition=busy", "disposition = 'busy'"},
      {"disposition=failed,no_answer", "disposition IN ('failed', 'no_answer')"},
      {"direction=internal", "direction = 'internal'"},
      {std::string("extension=") + kExtension1,
       std::string("extension_id = '") + kExtension1 + "'"},
      {"disposition=answered&from=%2B1212&from_date=2026-02-01&direction=inbound",
       "disposition = 'answered' AND from_number LIKE '+1212%' AND direction = 'inbound'"
       " AND started_at >= timestamp '2026-02-01' AT TIME ZONE " +
           kNy},
  };
}

TEST_F(CdrQueries, EveryFilterMatchesSqlInListAndStats) {
  HttpClient http;
  for (const auto& c : filter_cases()) {
    auto ids = all_ids(http, "/api/v1/cdrs?" + c.query);
    EXPECT_EQ(joined(ids), sql_ids(c.where, "started_at DESC, id DESC")) << c.query;
    auto stats = get_json(http, "/api/v1/cdrs/stats?" + c.query);
    EXPECT_EQ(stats["total"].get<long>(), count(c.where, a_->id)) << c.query;
  }
}

TEST_F(CdrQueries, PagesAreOrderedCompleteAndStableWhileRowsArrive) {
  HttpClient http;
  const std::string where = "direction = 'outbound' AND disposition = 'busy'";
  std::vector<std::string> ids;
  auto page = get_json(http, "/api/v1/cdrs?direction=outbound&disposition=busy&limit=500");
  ASSERT_EQ(page["data"].size(), 500u);
  for (const auto& item : page["data"]) ids.push_back(item["id"]);
  // Calls arrive between pages: newer ones, and two sharing the last row's exact time, one
  // ordered after it (lowest id) and one before it (highest id). Later pages hold exactly the
  // rows after the cursor: no repeat, no skip, the tie broken by id.
  const std::string last = page["data"].back()["id"];
  const std::string low = "00000000-0000-4000-8000-000000000000";
  const std::string high = "ffffffff-ffff-4fff-bfff-ffffffffffff";
  TestEnv::get().pg().execute(
      "INSERT INTO cdrs (id, tenant_id, session_token, started_at, direction, disposition, raw)"
      " SELECT v.id::uuid, tenant_id, v.token, started_at, 'outbound', 'busy', '{}' FROM cdrs,"
      " (VALUES ('" +
      low + "', 'late-low'), ('" + high + "', 'late-high')) AS v(id, token) WHERE cdrs.id = '" +
      last +
      "';"
      " INSERT INTO cdrs (tenant_id, session_token, started_at, direction, disposition, raw)"
      " SELECT '" +
      a_->id + "', 'late-' || g, now(), 'outbound', 'busy', '{}' FROM generate_series(1, 30) g");
  auto expected = joined(ids) + "," +
                  sql_ids(where +
                              " AND (started_at, id) < (SELECT started_at, id FROM cdrs"
                              " WHERE id = '" +
                              last + "')",
                          "started_at DESC, id DESC");
  auto cursor = page["next_cursor"].get<std::string>();
  while (true) {
    page = get_json(http,
                    "/api/v1/cdrs?direction=outbound&disposition=busy&limit=500&cursor=" + cursor);
    for (const auto& item : page["data"]) ids.push_back(item["id"]);
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  EXPECT_EQ(joined(ids), expected);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), low), 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), high), 0);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  TestEnv::get().pg().execute("DELETE FROM cdrs WHERE session_token LIKE 'late-%'");

  // Oldest first, through the other index direction.
  EXPECT_EQ(joined(all_ids(http, "/api/v1/cdrs?disposition=cancelled&sort=started_at")),
            sql_ids("disposition = 'cancelled'", "started_at, id"));
}

TEST_F(CdrQueries, BadParametersAndCursorsAre422AllAtOnce) {
  HttpClient http;
  auto r = get(http,
               "/api/v1/cdrs?from_date=2026-13-01&disposition=ringing&direction=up"
               "&extension=7&sort=cost&limit=0&cursor=xyz&colour=red");
  ASSERT_EQ(r.status, 422) << r.body;
  auto body = json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "validation_failed");
  for (const char* f : {"from_date", "disposition", "direction", "extension", "sort", "limit",
                        "cursor", "colour"}) {
    EXPECT_TRUE(body["error"]["details"]["fields"].contains(f)) << f << " " << r.body;
  }
  auto first = get_json(http, "/api/v1/cdrs?limit=2");
  auto cursor = first["next_cursor"].get<std::string>();
  auto other_sort = get(http, "/api/v1/cdrs?sort=started_at&cursor=" + cursor);
  EXPECT_EQ(other_sort.status, 422);
  EXPECT_TRUE(json::parse(other_sort.body)["error"]["details"]["fields"].contains("cursor"));
  cursor[3] = cursor[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(get(http, "/api/v1/cdrs?cursor=" + cursor).status, 422);
  EXPECT_EQ(get(http, "/api/v1/cdrs/stats?limit=5").status, 422);
  EXPECT_EQ(get(http, "/api/v1/webhook-events?outcome=lost").status, 422);
  EXPECT_EQ(get(http, "/api/v1/dead-letters?include=everything").status, 422);
  EXPECT_EQ(get(http, "/api/v1/calls/active?limit=501").status, 422);
}

TEST_F(CdrQueries, OneCdrHasExactlyTheContractFields) {
  HttpClient http;
  auto id =
      scalar("SELECT id FROM cdrs WHERE tenant_id = '" + a_->id + "' AND session_token = 'a-10'");
  auto cdr = get_json(http, "/api/v1/cdrs/" + id);
  std::vector<std::string> keys;
  for (const auto& [k, v] : cdr.items()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(joined(keys),
            "answered_at,billsec,call_id,cost,direction,disposition,disposition_raw,duration,"
            "ended_at,"
            "extension_id,from,id,ring_group_id,session_token,started_at,to");
  EXPECT_EQ(cdr["session_token"], "a-10");
  EXPECT_EQ(cdr["started_at"], "2026-02-28T23:51:21.600Z");
  EXPECT_EQ(cdr["extension_id"], kExtension1);
  EXPECT_TRUE(cdr["cost"].is_null());  // 10 % 5 == 0
  auto priced = get_json(http, "/api/v1/cdrs/" + scalar("SELECT id FROM cdrs WHERE tenant_id = '" +
                                                        a_->id + "' AND session_token = 'a-7'"));
  EXPECT_DOUBLE_EQ(priced["cost"].get<double>(), 0.007);
  EXPECT_EQ(get(http, "/api/v1/cdrs/" + id, b_->admin_token).status, 404);
  EXPECT_EQ(get(http, "/api/v1/cdrs/not-a-uuid").status, 404);
}

TEST_F(CdrQueries, CsvStreamsEveryRowQuotedWithFlatMemory) {
  HttpClient http;
  auto quoted = get(http, "/api/v1/cdrs?format=csv&from=Evil");
  ASSERT_EQ(quoted.status, 200);
  EXPECT_EQ(quoted.headers["content-type"], "text/csv; charset=utf-8");
  EXPECT_EQ(quoted.headers["content-disposition"], "attachment; filename=\"cdrs.csv\"");
  EXPECT_EQ(quoted.headers["transfer-encoding"], "chunked");
  auto cursor = get_json(http, "/api/v1/cdrs?limit=1")["next_cursor"].get<std::string>();
  for (const std::string& paging : {std::string("&limit=10"), "&cursor=" + cursor}) {
    auto refused = get(http, "/api/v1/cdrs?format=csv" + paging);
    EXPECT_EQ(refused.status, 422) << paging;
    EXPECT_NE(refused.body.find("does not apply to CSV export"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(get(http, "/api/v1/cdrs?limit=10", a_->admin_token, {{"Accept", "text/csv"}}).status,
            422);
  auto id = scalar("SELECT id FROM cdrs WHERE session_token = 'quoted-1'");
  EXPECT_EQ(quoted.body,
            "id,session_token,call_id,started_at,answered_at,ended_at,from,to,direction,"
            "disposition,disposition_raw,duration,billsec,cost,extension_id,ring_group_id\r\n" +
                id +
                ",quoted-1,,2020-01-02T03:04:05Z,,,\"Evil, \"\"Caller\"\"\",\"'+1999,\"\"x\"\"\","
                "unknown,other,\"NO,\"\"ANSWER\"\"\nline2\",0,0,,,\r\n");

  long before = rss_kb();
  std::atomic<long> peak{before};
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), rss_kb());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  auto started = std::chrono::steady_clock::now();
  auto all = get(http, "/api/v1/cdrs", a_->admin_token, {{"Accept", "text/csv"}});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  done = true;
  sampler.join();
  ASSERT_EQ(all.status, 200) << all.error;
  // Records end with CRLF; the one line break inside a quoted field is a bare LF.
  size_t records = 0;
  for (size_t at = all.body.find("\r\n"); at != std::string::npos;
       at = all.body.find("\r\n", at + 2)) {
    ++records;
  }
  long rows = count("true", a_->id);
  EXPECT_EQ(static_cast<long>(records), rows + 1);
  long growth_mb = (peak - before) / 1024;
  // AddressSanitizer keeps freed memory in quarantine on purpose: RSS says nothing there.
  if (!kAddressSanitizer) {
    EXPECT_LT(growth_mb, 30) << "RSS grew from " << before << " kB to " << peak << " kB";
  }
  std::cout << "[figures] CSV export: " << rows << " rows in " << seconds
            << " s = " << static_cast<long>(rows / seconds) << " rows/s; service RSS growth "
            << growth_mb << " MB (" << before / 1024 << " -> " << peak / 1024 << " MB)\n";
}

// A caller chooses their own From: a formula there must reach the spreadsheet as text, while
// numbers (E.164, a negative cost) stay numbers.
TEST_F(CdrQueries, CsvExportNeutralisesFormulas) {
  TestEnv::get().pg().execute(
      "INSERT INTO cdrs (tenant_id, session_token, started_at, from_number, to_number,"
      " disposition, disposition_raw, cost, raw) VALUES ('" +
      a_->id +
      "', 'formula-1', '2020-01-03T00:00:00Z', '=HYPERLINK(\"http://x\",\"y\")',"
      " '+14155550100', 'other', '@SUM(1)', -0.01, '{}')");
  HttpClient http;
  auto csv = get(http, "/api/v1/cdrs?format=csv&from=%3DHYPERLINK");
  ASSERT_EQ(csv.status, 200) << csv.body;
  auto id = scalar("SELECT id FROM cdrs WHERE session_token = 'formula-1'");
  auto header_end = csv.body.find("\r\n");
  ASSERT_NE(header_end, std::string::npos);
  EXPECT_EQ(csv.body.substr(header_end + 2),
            id + ",formula-1,,2020-01-03T00:00:00Z,,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","
                 "+14155550100,unknown,other,'@SUM(1),0,0,-0.01,,\r\n");
}

TEST_F(CdrQueries, StatsMatchSqlWithDaysInTheTenantZone) {
  HttpClient http;
  const std::string where = "started_at >= timestamp '2026-02-01' AT TIME ZONE " + kNy +
                            " AND started_at < timestamp '2026-02-15' AT TIME ZONE " + kNy;
  auto s = get_json(http, "/api/v1/cdrs/stats?from_date=2026-02-01&to_date=2026-02-14");
  EXPECT_EQ(s["total"].get<long>(), count(where, a_->id));
  EXPECT_EQ(s["answered"].get<long>(), count(where + " AND answered", a_->id));
  EXPECT_EQ(s["missed"].get<long>(), s["total"].get<long>() - s["answered"].get<long>());
  for (const char* d : {"answered", "busy", "no_answer", "cancelled", "failed", "other"}) {
    EXPECT_EQ(s["by_disposition"][d].get<long>(),
              count(where + " AND disposition = '" + d + "'", a_->id))
        << d;
  }
  auto avg = [&](const char* col) {
    return std::stod(scalar("SELECT avg(" + std::string(col) + ") FROM cdrs WHERE tenant_id = '" +
                            a_->id + "' AND " + where));
  };
  EXPECT_NEAR(s["average_duration"].get<double>(), avg("duration"), 1e-6);
  EXPECT_NEAR(s["average_billsec"].get<double>(), avg("billsec"), 1e-6);
  std::string days;
  for (const auto& d : s["by_day"]) {
    days += (days.empty() ? "" : ",") + d["date"].get<std::string>() + ":" +
            std::to_string(d["total"].get<long>()) + ":" +
            std::to_string(d["answered"].get<long>());
  }
  EXPECT_EQ(days, scalar("SELECT string_agg(d || ':' || n || ':' || a, ',' ORDER BY d) FROM ("
                         "SELECT (started_at AT TIME ZONE " +
                         kNy +
                         ")::date::text d, count(*) n, count(*) FILTER (WHERE answered) a"
                         " FROM cdrs WHERE tenant_id = '" +
                         a_->id + "' AND " + where + " GROUP BY 1) x"));
  EXPECT_EQ(s["by_day"].size(), 14u);
}

json session_update(const std::string& token, const std::string& status, int second) {
  auto body = session_update_payload("reports-a.cloudonix.net", token, status, token + "-" + status,
                                     "2026-03-04T10:30:0" + std::to_string(second) + "Z");
  body["id"] = 1000 + second;
  return body;
}

TEST_F(CdrQueries, CallsFromSignedWebhooks) {
  HttpClient http;
  const std::string done = "rep-call-done";
  const std::string live = "rep-call-live";
  for (const auto& [token, status, second] : std::vector<std::tuple<std::string, std::string, int>>{
           {done, "ringing", 1}, {done, "connected", 3}, {live, "ringing", 2}}) {
    auto r = post_webhook(http, "session-update", session_update(token, status, second));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto active = get_json(http, "/api/v1/calls/active");
  std::set<std::string> sessions;
  for (const auto& c : active["data"]) sessions.insert(c["session"]);
  EXPECT_TRUE(sessions.count(done) && sessions.count(live)) << active.dump();

  auto posted = post_webhook(http, "cdr", cdr_payload("reports-a.cloudonix.net", done));
  ASSERT_EQ(posted.status, 200) << posted.body;

  active = get_json(http, "/api/v1/calls/active?limit=1");
  ASSERT_EQ(active["data"].size(), 1u);
  EXPECT_EQ(active["data"][0]["session"], live);
  EXPECT_TRUE(active["next_cursor"].is_null());

  auto call = get_json(http, "/api/v1/calls/" + done);
  EXPECT_EQ(call["session"], done);
  EXPECT_EQ(call["state"], "completed");
  EXPECT_EQ(call["direction"], "inbound");
  EXPECT_EQ(call["from"], "+14155550142");
  EXPECT_EQ(call["started_at"], "2026-03-04T10:30:00Z");
  ASSERT_GE(call["history"].size(), 2u);
  EXPECT_EQ(call["history"][0]["status"], "ringing");
  EXPECT_EQ(call["history"][0]["at"], "2026-03-04T10:30:01Z");
  EXPECT_EQ(call["history"][1]["status"], "connected");
  ASSERT_TRUE(call["cdr"].is_object());
  EXPECT_EQ(call["cdr"]["session_token"], done);
  EXPECT_EQ(call["cdr"]["disposition"], "answered");
  EXPECT_TRUE(get_json(http, "/api/v1/calls/" + live)["cdr"].is_null());
  EXPECT_EQ(get(http, "/api/v1/calls/nobody").status, 404);
  EXPECT_EQ(get(http, "/api/v1/calls/" + done, b_->admin_token).status, 404);
}

TEST_F(CdrQueries, WebhookEventsAndDeadLetters) {
  HttpClient http;
  ASSERT_EQ(post_webhook(http, "cdr", {{"disposition", "ANSWER"}, {"marker", "dl-1"}}).status, 200);
  auto events = get_json(http, "/api/v1/webhook-events");
  ASSERT_FALSE(events["data"].empty());
  const auto& newest = events["data"][0];
  EXPECT_EQ(newest["outcome"], "dead_lettered");
  EXPECT_EQ(newest["kind"], "cdr");
  EXPECT_EQ(newest["http_status"], 200);
  for (const char* k : {"id", "error", "request_id", "received_at", "duration_ms"}) {
    EXPECT_TRUE(newest.contains(k)) << k;
  }
  ASSERT_EQ(
      post_webhook(http, "session-update", session_update("events-kind", "ringing", 1)).status,
      200);
  auto sessions = get_json(http, "/api/v1/webhook-events?kind=session_update");
  ASSERT_FALSE(sessions["data"].empty());
  for (const auto& e : sessions["data"]) {
    EXPECT_EQ(e["kind"], "session_update");
  }
  auto processed = get_json(http, "/api/v1/webhook-events?outcome=processed,duplicate");
  ASSERT_FALSE(processed["data"].empty());
  for (const auto& e : processed["data"]) EXPECT_NE(e["outcome"], "dead_lettered");
  // Paging one by one gives every event once, newest first.
  auto total =
      std::stoul(scalar("SELECT count(*) FROM webhook_events WHERE tenant_id = '" + a_->id + "'"));
  std::set<std::string> seen;
  std::string cursor;
  for (size_t i = 0; i <= total; ++i) {
    auto page = get_json(http, "/api/v1/webhook-events?limit=1" + cursor);
    for (const auto& e : page["data"]) seen.insert(e["id"].get<std::string>());
    if (page["next_cursor"].is_null()) break;
    cursor = "&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), total);

  auto letters = get_json(http, "/api/v1/dead-letters");
  ASSERT_FALSE(letters["data"].empty());
  EXPECT_FALSE(letters["data"][0].contains("body"));
  EXPECT_FALSE(letters["data"][0]["error"].get<std::string>().empty());
  EXPECT_TRUE(letters["data"][0]["replayed_at"].is_null());
  auto with_body = get_json(http, "/api/v1/dead-letters?include=body");
  EXPECT_NE(with_body["data"][0]["body"].get<std::string>().find("dl-1"), std::string::npos);
  EXPECT_TRUE(get_json(http, "/api/v1/dead-letters", b_->admin_token)["data"].empty());
}

TEST_F(CdrQueries, RoleMatrixAndTenantIsolation) {
  HttpClient http;
  auto some_id = scalar("SELECT id FROM cdrs WHERE tenant_id = '" + a_->id + "' LIMIT 1");
  const std::vector<std::pair<std::string, std::set<std::string>>> matrix = {
      {"/api/v1/cdrs?limit=1", {"owner", "admin", "reporter", "user"}},
      {"/api/v1/cdrs/" + some_id, {"owner", "admin", "reporter", "user"}},
      {"/api/v1/cdrs/stats?disposition=busy", {"owner", "admin", "reporter", "user"}},
      {"/api/v1/cdrs?format=csv&from=Evil", {"owner", "admin", "reporter", "user"}},
      {"/api/v1/calls/active", {"owner", "admin", "reporter", "user"}},
      {"/api/v1/webhook-events", {"owner", "admin", "reporter"}},
      {"/api/v1/dead-letters", {"owner", "admin"}},
  };
  for (const auto& [path, allowed] : matrix) {
    for (const char* role : {"owner", "admin", "reporter", "user"}) {
      EXPECT_EQ(get(http, path, token(role)).status, allowed.count(role) ? 200 : 403)
          << role << " " << path;
    }
    EXPECT_EQ(get(http, path, "pbxa_nope").status, 401) << path;
  }

  auto b_list = get_json(http, "/api/v1/cdrs?limit=500", b_->admin_token);
  EXPECT_EQ(static_cast<long>(b_list["data"].size()), count("true", b_->id));
  for (const auto& item : b_list["data"]) {
    EXPECT_EQ(item["session_token"].get<std::string>().rfind("b-", 0), 0u);
  }
  EXPECT_EQ(get_json(http, "/api/v1/cdrs/stats", b_->admin_token)["total"].get<long>(),
            count("true", b_->id));
  auto csv = get(http, "/api/v1/cdrs?format=csv", b_->admin_token);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), count("true", b_->id) + 1);
  EXPECT_EQ(get(http, "/api/v1/cdrs/" + some_id, b_->admin_token).status, 404);
}

// A client that stops reading: with backpressure the service stops fetching once the socket
// buffers are full, instead of queueing the whole export in memory.
// Asks a whole-tenant CSV export on a connection with a small receive buffer, which the caller
// then reads slowly or not at all; null when the request could not be sent.
std::unique_ptr<RawConnection> start_slow_export(int port, const std::string& token) {
  auto connection = std::make_unique<RawConnection>(port, RawOptions{.receive_buffer = 64 * 1024});
  std::string request =
      "GET /api/v1/cdrs?format=csv HTTP/1.1\r\nHost: test\r\nAuthorization: "
      "Bearer " +
      token + "\r\nConnection: close\r\n\r\n";
  if (!connection->connected() || !connection->send(request)) return nullptr;
  return connection;
}

// As long as a read of the export may take: the service streams it as the socket drains.
constexpr auto kExportRead = std::chrono::seconds(60);

TEST_F(CdrQueries, CsvExportWaitsForASlowReader) {
  auto export_ = start_slow_export(svc_->port(), a_->admin_token);
  ASSERT_NE(export_, nullptr);
  long before = rss_kb();
  std::vector<char> buf(64 * 1024);
  size_t received = 0;
  ssize_t n = export_->receive(buf.data(), buf.size(), kExportRead);
  ASSERT_GT(n, 0);
  received += static_cast<size_t>(n);
  long stalled_peak = before;
  for (int i = 0; i < 150; ++i) {  // 1.5 s without reading
    stalled_peak = std::max(stalled_peak, rss_kb());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string tail;
  while ((n = export_->receive(buf.data(), buf.size(), kExportRead)) > 0) {
    received += static_cast<size_t>(n);
    tail.assign(buf.data(), static_cast<size_t>(n));
  }
  export_.reset();
  EXPECT_GT(received, 15u * 1024 * 1024);
  EXPECT_EQ(tail.substr(tail.size() - 5), "0\r\n\r\n");  // the last chunk: the export completed
  if (!kAddressSanitizer) {
    EXPECT_LT((stalled_peak - before) / 1024, 8) << before << " kB -> " << stalled_peak << " kB";
  }
  std::cout << "[figures] stalled CSV reader: service RSS " << before / 1024 << " -> "
            << stalled_peak / 1024 << " MB while " << received / (1024 * 1024)
            << " MB were exported\n";
}

// Stats read the hourly rollups, and the CDRs only of the partial hours at the ends of the
// range (and of hours a local midnight splits), each span an index range: never all the
// tenant's CDRs, even when no span is left.
TEST_F(CdrQueries, StatsReadRollupsAndOnlyTheEndsOfTheRange) {
  std::string sql;
  for (const auto& st : cdr::cdr_statements()) {
    if (std::string(st.name) == "cdr_stats_rollups") sql = st.sql;
  }
  ASSERT_FALSE(sql.empty());
  const std::string prepare =
      "SET plan_cache_mode = force_custom_plan; PREPARE s(uuid, timestamptz, timestamptz,"
      " timestamptz[], timestamptz[], text[], text[], text) AS " +
      sql + "; ";
  const std::string t = "'" + a_->id + "'";
  for (const std::string& args :
       {t + ", NULL, NULL, '{}', '{}', NULL, NULL, 'America/New_York'",
        t + ", '2026-01-10 05:00Z', '2026-02-10 05:00Z', '{}', '{}', NULL, NULL,"
            " 'America/New_York'",
        t + ", '2026-01-10 06:00Z', '2026-02-10 05:00Z', '{2026-01-10 05:17Z}',"
            " '{2026-01-10 06:00Z}', '{busy}', '{inbound}', 'America/New_York'",
        t + ", '2026-01-10 00:00Z', '2026-02-10 00:00Z', '{}', '{}', NULL, NULL,"
            " 'Asia/Kolkata'"}) {
    auto plan = scalar(prepare + "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE s(" + args + ")");
    std::vector<std::string> scans;  // "Node Type on relation", every node of the plan
    std::function<void(const json&)> walk = [&](const json& node) {
      if (node.contains("Relation Name")) {
        scans.push_back(node["Node Type"].get<std::string>() + " on " +
                        node["Relation Name"].get<std::string>());
      }
      for (const auto& child : node.value("Plans", json::array())) walk(child);
    };
    walk(json::parse(plan)[0]["Plan"]);
    EXPECT_EQ(std::count(scans.begin(), scans.end(), "Seq Scan on cdrs"), 0) << args << "\n"
                                                                             << plan;
    EXPECT_NE(plan.find("cdr_rollups"), std::string::npos) << plan;
  }
}

// The planner sees the actual filters (plans are made per call) and picks an index for each.
TEST_F(CdrQueries, PlansUseTheIndexes) {
  std::string sql;
  for (const auto& st : cdr::cdr_statements()) {
    if (std::string(st.name) == "cdr_list_newest") sql = st.sql;
  }
  ASSERT_FALSE(sql.empty());
  const std::string prepare =
      "SET plan_cache_mode = force_custom_plan; PREPARE p(uuid, timestamptz, timestamptz, text,"
      " text, text[], text[], uuid, timestamptz, uuid, int) AS " +
      sql + "; ";
  const std::string t = "'" + a_->id + "'";
  for (const std::string& args :
       {t + ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 51",
        t + ", NULL, NULL, '+1212%', NULL, '{answered}', NULL, NULL, NULL, NULL, 51",
        t + ", NULL, NULL, '+4420755004%', NULL, NULL, NULL, NULL, NULL, NULL, 51",
        t + ", '2026-02-01', '2026-02-02', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 51",
        t + ", NULL, NULL, NULL, NULL, NULL, NULL, '" + kExtension1 + "', NULL, NULL, 51",
        t + ", NULL, NULL, NULL, NULL, NULL, '{internal}', NULL, '2026-01-05', "
            "'ffffffff-ffff-ffff-ffff-ffffffffffff', 51"}) {
    auto plan = scalar(prepare + "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE p(" + args + ")");
    EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << args << "\n" << plan;
    // Newest first, unfiltered: the index gives the order, the first page stops after 51 rows.
    if (args.find("NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 51") !=
        std::string::npos) {
      EXPECT_EQ(plan.find(R"("Node Type": "Sort")"), std::string::npos) << plan;
    }
    auto j = json::parse(plan);
    std::cout << "[plan] " << args.substr(t.size()) << ": " << j[0]["Execution Time"].get<double>()
              << " ms\n";
  }
}

TEST_F(CdrQueries, FilteredPageLatency) {
  HttpClient http;
  std::vector<double> ms;
  for (int i = 0; i < 200; ++i) {
    auto r = get(http, "/api/v1/cdrs?disposition=answered&from=%2B1212&limit=50");
    ASSERT_EQ(r.status, 200);
    ms.push_back(r.seconds * 1000);
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "[figures] filtered CDR page (disposition=answered&from=+1212&limit=50, "
            << kSeedRows << " rows): p50 " << ms[100] << " ms, p99 " << ms[197] << " ms\n";
  EXPECT_LT(ms[197], 500);
}

// An export still running when the shutdown grace period ends is cut short (no last chunk), so
// the service exits cleanly instead of destroying its stores under the export.
TEST_F(CdrQueries, ShutdownCutsAStalledExportShort) {
  auto env = *env_;
  env["PBX_SHUTDOWN_GRACE_S"] = "1";
  ServiceProcess svc({"serve"}, env);
  svc.wait_healthy();
  auto export_ = start_slow_export(svc.port(), a_->admin_token);
  ASSERT_NE(export_, nullptr);
  std::vector<char> buf(1024);
  ASSERT_GT(export_->receive(buf.data(), buf.size(), kExportRead), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the socket buffers fill
  svc.signal(SIGTERM);
  EXPECT_EQ(svc.wait_exit(std::chrono::seconds(30)), 0) << svc.log_text();
  export_.reset();
  EXPECT_NE(svc.log_text().find("streamed answer cut short"), std::string::npos) << svc.log_text();
  EXPECT_EQ(svc.log_text().find("still running at exit"), std::string::npos);
}

}  // namespace
}  // namespace pbx::testing
