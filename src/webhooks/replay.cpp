#include "webhooks/replay.hpp"

#include "cloudonix/body.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "core/uuid_v7.hpp"
#include "webhooks/intake.hpp"

#include <future>

namespace pbx::webhooks {

std::vector<store::Statement> replay_statements() {
  return {
      {"dead_letter_get", "SELECT kind, body FROM dead_letters WHERE id = $1 AND tenant_id = $2"},
      {"dead_letter_mark",
       "UPDATE dead_letters SET replayed_at = now(), replay_outcome = $3, replay_error = $4"
       " WHERE id = $1 AND tenant_id = $2"},
  };
}

nlohmann::json replay_dead_letter(store::PgPool& pg, Writer& writer, const std::string& tenant_id,
                                  const std::string& dead_letter_id,
                                  const std::string& request_id) {
  if (!text::is_uuid(dead_letter_id)) throw Error::not_found("no such dead letter");
  auto row = pg.with([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto r = tx.exec_prepared("dead_letter_get", dead_letter_id, tenant_id);
    return r.empty() ? std::optional<std::pair<std::string, std::string>>{}
                     : std::make_pair(r[0][0].as<std::string>(), r[0][1].as<std::string>());
  });
  if (!row) throw Error::not_found("no such dead letter");

  auto job = std::make_shared<Job>();
  job->event_id = uuid::v7();
  job->kind = row->first == "cdr" ? Kind::cdr : Kind::session_update;
  job->tenant_id = tenant_id;
  job->request_id = request_id;
  fill_job(*job, row->second, json::parse_untrusted(row->second));

  std::string outcome;
  std::string error;
  if (!job->dead_letters.empty()) {
    outcome = "failed";
    error = job->dead_letters.front().error;
  } else {
    auto result = std::make_shared<std::promise<std::string>>();
    auto future = result->get_future();
    job->done = [result](const Job& j, bool ok) {
      result->set_value(ok ? std::string(outcome_name(j.outcome())) : std::string());
    };
    if (!writer.submit(job) ||
        future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      throw Error::unavailable("the replay could not be written; try again");
    }
    outcome = future.get();
    if (outcome.empty()) throw Error::unavailable("the replay could not be written; try again");
  }
  pg.with([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared0("dead_letter_mark", dead_letter_id, tenant_id, outcome,
                      error.empty() ? std::optional<std::string>{} : error);
    tx.commit();
  });
  nlohmann::json out = {{"id", dead_letter_id}, {"replay_outcome", outcome}};
  out["replay_error"] = error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error);
  return out;
}

}  // namespace pbx::webhooks
