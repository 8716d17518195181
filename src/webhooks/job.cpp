#include "webhooks/job.hpp"

namespace pbx::webhooks {

std::string_view kind_name(Kind k) { return k == Kind::cdr ? "cdr" : "session_update"; }

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::processed:
      return "processed";
    case Outcome::duplicate:
      return "duplicate";
    case Outcome::rejected:
      return "rejected";
    case Outcome::dead_lettered:
      return "dead_lettered";
  }
  return "processed";
}

Outcome Job::outcome() const {
  if (log_only) return *log_only;
  if (processed > 0) return Outcome::processed;
  if (!dead_letters.empty()) return Outcome::dead_lettered;
  return Outcome::duplicate;
}

}  // namespace pbx::webhooks
