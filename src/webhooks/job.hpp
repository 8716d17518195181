#pragma once

#include "cloudonix/cdr_record.hpp"
#include "cloudonix/session_update.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pbx::webhooks {

enum class Kind { session_update, cdr };
std::string_view kind_name(Kind k);  // "session_update" or "cdr"

struct DeadLetter {
  std::string id;    // dead_letters.id, chosen before the insert
  std::string body;  // storable text of what could not be processed
  std::string error;
};

enum class Outcome { processed, duplicate, rejected, dead_lettered };
std::string_view outcome_name(Outcome o);

// One webhook request on its way to Postgres, and what became of it.
struct Job {
  std::string event_id;   // webhook_events.id, also the id answered to the sender
  std::string tenant_id;  // empty when rejected before the tenant was known
  Kind kind = Kind::session_update;
  std::string request_id;
  std::chrono::steady_clock::time_point received_at = std::chrono::steady_clock::now();

  std::vector<cloudonix::SessionUpdate> updates;
  std::optional<cloudonix::CdrRecord> cdr;
  std::vector<DeadLetter> dead_letters;
  std::string stored_body;  // the body as storable JSON text, for a dead letter of it all

  // Set for jobs that only need their webhook_events row (rejections): they were answered
  // already and nothing else is written.
  std::optional<Outcome> log_only;
  int http_status = 200;
  std::string error;

  // Filled by the writer.
  int processed = 0;
  int duplicates = 0;
  std::vector<std::string> new_keys;  // dedupe keys stored by this job (for Redis markers)

  Outcome outcome() const;
  // Called once, after the commit (ok) or after it failed (ok == false).
  std::function<void(const Job&, bool ok)> done;
};

}  // namespace pbx::webhooks
