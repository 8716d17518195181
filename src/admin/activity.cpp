#include "admin/activity.hpp"

#include "cdr/report.hpp"
#include "core/error.hpp"
#include "core/micros.hpp"
#include "core/text.hpp"
#include "http/listing.hpp"

#include <set>
#include <utility>

namespace pbx::admin {

namespace {

using Opt = std::optional<std::string>;

constexpr std::string_view kCallsList = "calls:-created_at";
constexpr std::string_view kEventsList = "webhook_events:-received_at";
constexpr std::string_view kDeadLettersList = "dead_letters:-received_at";

nlohmann::json text(const pqxx::field& f) {
  return f.is_null() ? nlohmann::json(nullptr) : nlohmann::json(f.as<std::string>());
}

nlohmann::json time(const pqxx::field& f) {
  return f.is_null() ? nlohmann::json(nullptr) : nlohmann::json(iso8601(f.as<Micros>()));
}

Opt cursor_time(const http::Page& p) {
  return p.after ? Opt(pg_timestamp(p.after->at)) : std::nullopt;
}
Opt cursor_id(const http::Page& p) { return p.after ? Opt(p.after->id) : std::nullopt; }

// Rows are fetched one beyond the limit: `at` and `id` (the first) columns of the last shown
// row make the next cursor when there are more.
nlohmann::json page_of(const pqxx::result& rows, const http::Page& page, std::string_view list,
                       int at_col, nlohmann::json (*item)(const pqxx::row&)) {
  return http::page_json(
      rows.size(), page, list, [&](size_t i) { return item(rows[static_cast<int>(i)]); },
      [&](size_t i) {
        const auto& row = rows[static_cast<int>(i)];
        return std::pair{row[at_col].as<Micros>(), row[0].as<std::string>()};
      });
}

nlohmann::json call_json(const pqxx::row& r) {
  return {{"session", text(r[1])},     {"state", text(r[2])},      {"direction", text(r[3])},
          {"from", text(r[4])},        {"to", text(r[5])},         {"started_at", time(r[6])},
          {"answered_at", time(r[7])}, {"ended_at", time(r[8])},   {"last_status", text(r[9])},
          {"created_at", time(r[10])}, {"updated_at", time(r[11])}};
}

nlohmann::json event_json(const pqxx::row& r) {
  nlohmann::json j = {
      {"id", text(r[0])},
      {"kind", text(r[1])},
      {"outcome", text(r[2])},
      {"http_status", r[3].as<int>()},
      {"error", text(r[4])},
      {"request_id", text(r[5])},
      {"received_at", time(r[6])},
      {"duration_ms", r[7].is_null() ? nlohmann::json(nullptr) : nlohmann::json(r[7].as<int>())},
      {"dedupe_key", text(r[8])}};
  // Refused deliveries say why, and from where; their sampled body only on request.
  if (!r[9].is_null()) j["reason"] = r[9].as<std::string>();
  if (!r[10].is_null()) j["source_ip"] = r[10].as<std::string>();
  if (!r[11].is_null()) j["body"] = r[11].as<std::string>();
  return j;
}

nlohmann::json dead_letter_json(const pqxx::row& r) {
  nlohmann::json j = {{"id", text(r[0])},
                      {"kind", text(r[1])},
                      {"error", text(r[2])},
                      {"request_id", text(r[3])},
                      {"received_at", time(r[4])},
                      {"replayed_at", time(r[5])},
                      {"replay_outcome", text(r[6])},
                      {"replay_error", text(r[7])}};
  if (!r[8].is_null()) j["body"] = r[8].as<std::string>();
  return j;
}

}  // namespace

#define PBX_MICROS(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define PBX_CALL_COLUMNS \
  " id::text, session_token, state, direction, from_number, to_number, " PBX_MICROS(         \
      "started_at") ", " PBX_MICROS("answered_at") ", " PBX_MICROS("ended_at") ", last_status, " \
      PBX_MICROS("created_at") ", " PBX_MICROS("updated_at")

std::vector<store::Statement> activity_statements() {
  return {
      // status_rank < 4 matches the partial index calls_active_idx. In ORDER BY, "id" alone would
      // name the id::text output column (a text sort the index cannot give): calls.id, etc.
      {"activity_active_calls",
       "SELECT" PBX_CALL_COLUMNS " FROM calls WHERE tenant_id = $1 AND status_rank < 4"
       " AND (created_at, id) < (coalesce($2::timestamptz, 'infinity'),"
       " coalesce($3::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
       " ORDER BY created_at DESC, calls.id DESC LIMIT $4"},
      {"activity_call",
       "SELECT" PBX_CALL_COLUMNS " FROM calls WHERE tenant_id = $1 AND session_token = $2"},
      {"activity_call_history",
       "SELECT status, " PBX_MICROS(
           "coalesce(modified_at, received_at)") " FROM session_events WHERE tenant_id = $1 AND "
                                                 "session_token = $2"
                                                 " ORDER BY coalesce(modified_at, received_at), "
                                                 "received_at"},
      {"activity_webhook_events",
       "SELECT id::text, kind, outcome, http_status, error, request_id, " PBX_MICROS(
           "received_at") ", duration_ms, dedupe_key, reason, source_ip, CASE WHEN $7 THEN"
                          " body_sample END FROM webhook_events WHERE tenant_id = $1"
                          " AND ($2::text[] IS NULL OR outcome = ANY ($2::text[]))"
                          " AND ($3::text IS NULL OR kind = $3)"
                          " AND (received_at, id) < (coalesce($4::timestamptz, 'infinity'),"
                          " coalesce($5::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
                          " ORDER BY received_at DESC, webhook_events.id DESC LIMIT $6"},
      {"activity_dead_letters",
       "SELECT id::text, kind, error, request_id, " PBX_MICROS("received_at") ", " PBX_MICROS(
           "replayed_at") ", replay_outcome, replay_error, CASE WHEN $2 THEN body END"
                          " FROM dead_letters WHERE tenant_id = $1"
                          " AND (received_at, id) < (coalesce($3::timestamptz, 'infinity'),"
                          " coalesce($4::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"
                          " ORDER BY received_at DESC, dead_letters.id DESC LIMIT $5"},
  };
}

#undef PBX_CALL_COLUMNS
#undef PBX_MICROS

nlohmann::json active_calls(store::PgPool& pg, const std::string& tenant_id,
                            const url::Params& query) {
  auto page = http::parse_list_query(query, kCallsList);
  auto rows = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx.exec_prepared("activity_active_calls", tenant_id, cursor_time(page), cursor_id(page),
                            page.limit + 1);
  });
  return page_of(rows, page, kCallsList, 10, call_json);
}

nlohmann::json call_detail(store::PgPool& pg, const std::string& tenant_id,
                           const std::string& session_token) {
  // Stored tokens are text: bytes PostgreSQL would refuse as text name no call.
  if (!text::is_utf8(session_token)) throw Error::not_found("no such call");
  auto found = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto rows = tx.exec_prepared("activity_call", tenant_id, session_token);
    if (rows.empty()) return nlohmann::json(nullptr);
    auto call = call_json(rows[0]);
    nlohmann::json history = nlohmann::json::array();
    for (const auto& h : tx.exec_prepared("activity_call_history", tenant_id, session_token)) {
      history.push_back({{"status", text(h[0])}, {"at", time(h[1])}});
    }
    call["history"] = std::move(history);
    call["cdr"] = cdr::cdr_of_session(tx, tenant_id, session_token);
    return call;
  });
  if (found.is_null()) throw Error::not_found("no such call");
  return found;
}

nlohmann::json webhook_events(store::PgPool& pg, const std::string& tenant_id,
                              const url::Params& query) {
  static const std::set<std::string> kOutcomes = {"processed", "duplicate", "rejected",
                                                  "dead_lettered"};
  Opt outcomes;
  Opt kind;
  bool with_body = false;
  auto page = http::parse_list_query(
      query, kEventsList,
      [&](const std::string& name, const std::string& value, Error::FieldErrors& errors) {
        if (name == "include") {
          if (value != "body") errors.emplace_back(name, "must be body");
          with_body = value == "body";
          return true;
        }
        if (name == "outcome") {
          std::string list;
          size_t start = 0;
          for (;;) {
            auto comma = value.find(',', start);
            auto item = value.substr(start, comma == std::string::npos ? comma : comma - start);
            if (kOutcomes.count(item) == 0) {
              errors.emplace_back(name,
                                  "unknown value '" + item +
                                      "' (one of processed, duplicate, rejected, dead_lettered)");
            }
            list += (list.empty() ? "" : ",") + item;
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
          outcomes = "{" + list + "}";
          return true;
        }
        if (name == "kind") {
          if (value != "session_update" && value != "cdr") {
            errors.emplace_back(name, "must be session_update or cdr");
          }
          kind = value;
          return true;
        }
        return false;
      });
  auto rows = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx.exec_prepared("activity_webhook_events", tenant_id, outcomes, kind, cursor_time(page),
                            cursor_id(page), page.limit + 1, with_body);
  });
  return page_of(rows, page, kEventsList, 6, event_json);
}

nlohmann::json dead_letters(store::PgPool& pg, const std::string& tenant_id,
                            const url::Params& query) {
  bool with_body = false;
  auto page = http::parse_list_query(
      query, kDeadLettersList,
      [&](const std::string& name, const std::string& value, Error::FieldErrors& errors) {
        if (name != "include") return false;
        if (value != "body") errors.emplace_back(name, "must be body");
        with_body = value == "body";
        return true;
      });
  auto rows = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx.exec_prepared("activity_dead_letters", tenant_id, with_body, cursor_time(page),
                            cursor_id(page), page.limit + 1);
  });
  return page_of(rows, page, kDeadLettersList, 4, dead_letter_json);
}

}  // namespace pbx::admin
