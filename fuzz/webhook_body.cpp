// Webhook bodies as received (cloudonix/body.hpp, session_update.hpp, cdr_record.hpp through
// intake.hpp's fill_job, for both endpoints). Whatever arrives must end as rows PostgreSQL
// accepts: text without NUL in valid UTF-8, jsonb without the \u0000 escape, timestamps in
// years 1 to 9999, costs a numeric column holds; and every element is either stored or
// dead-lettered, never lost.

#include "check.hpp"
#include "cloudonix/body.hpp"
#include "cloudonix/cdr_record.hpp"
#include "cloudonix/session_update.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "webhooks/intake.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace {

using namespace pbx::webhooks;
using namespace pbx::cloudonix;
using pbx::fuzz::storable;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what timestamptz takes as ISO-8601 text.
constexpr std::int64_t kFirstMillis = -62135596800000;
constexpr std::int64_t kLastMillis = 253402300799999;

bool storable(const std::optional<Timestamp>& t) {
  if (!t) return true;
  auto ms = t->time_since_epoch().count();
  return ms >= kFirstMillis && ms <= kLastMillis && parse_iso8601(to_iso8601(*t)) == t;
}

// PostgreSQL's numeric limits: at most 131072 digits before the point and 16383 after.
bool numeric_fits(std::string_view s) {
  auto e = s.find_first_of("eE");
  long long exponent = 0;
  if (e != std::string_view::npos) {
    auto text = s.substr(e + 1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), exponent);
    if (ec != std::errc{} || end != text.data() + text.size()) return false;
  }
  auto mantissa = s.substr(0, e);
  auto point = mantissa.find('.');
  auto digits = [](std::string_view part) {
    return static_cast<long long>(std::count_if(
        part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c) != 0; }));
  };
  auto whole = digits(mantissa.substr(0, point));
  auto fraction = point == std::string_view::npos ? 0 : digits(mantissa.substr(point));
  return whole + exponent <= 131072 && fraction - exponent <= 16383;
}

// A jsonb value: it parses, and no string or key in it holds NUL.
bool storable_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return false;
  std::vector<const nlohmann::json*> todo{&j};
  while (!todo.empty()) {
    const auto* v = todo.back();
    todo.pop_back();
    if (v->is_string() && !storable(v->get_ref<const std::string&>())) return false;
    if (v->is_object()) {
      for (const auto& [k, child] : v->items()) {
        if (!storable(k)) return false;
        todo.push_back(&child);
      }
    } else if (v->is_array()) {
      for (const auto& child : *v) todo.push_back(&child);
    }
  }
  return true;
}

void check_dead_letters(const Job& job) {
  for (const auto& d : job.dead_letters) {
    PBX_CHECK(pbx::text::is_uuid(d.id));
    PBX_CHECK(storable(d.body));
    PBX_CHECK(!d.error.empty());
  }
}

void check_update(const SessionUpdate& u) {
  PBX_CHECK(!u.session_token.empty() && u.session_token.size() <= kMaxKeyLength);
  PBX_CHECK(!u.dedupe_key.empty() && u.dedupe_key.size() <= kMaxKeyLength);
  for (const auto* s : {&u.session_token, &u.dedupe_key, &u.domain, &u.domain_uuid,
                        &u.subscriber_id, &u.caller_id, &u.destination, &u.direction_raw, &u.status,
                        &u.action, &u.reason, &u.last_error, &u.modified_at_raw}) {
    PBX_CHECK(storable(*s));
  }
  if (u.event_id) PBX_CHECK(storable(*u.event_id));
  for (const auto& id : u.call_ids) PBX_CHECK(storable(id));
  for (const auto* t :
       {&u.created_at, &u.modified_at, &u.call_start_time, &u.call_answer_time, &u.call_end_time}) {
    PBX_CHECK(storable(*t));
  }
  PBX_CHECK(storable_json(u.raw));
}

void check_cdr(const pbx::cloudonix::CdrRecord& r) {
  PBX_CHECK(!r.session_token.empty() && r.session_token.size() <= kMaxKeyLength);
  for (const auto* s : {&r.session_token, &r.call_id, &r.domain, &r.domain_uuid, &r.from, &r.to,
                        &r.disposition_raw, &r.subscriber, &r.application}) {
    PBX_CHECK(storable(*s));
  }
  for (const auto* t : {&r.started_at, &r.answered_at, &r.ended_at}) PBX_CHECK(storable(*t));
  PBX_CHECK(r.duration >= 0 && r.billsec >= 0);
  if (r.cost) PBX_CHECK(storable(*r.cost) && numeric_fits(*r.cost));
  PBX_CHECK(storable_json(r.raw));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto raw = pbx::fuzz::bytes(data, size);
  auto text = storable_text(raw);
  PBX_CHECK(storable(text));
  PBX_CHECK(storable_text(text) == text);
  if (storable(std::string(raw))) PBX_CHECK(text == raw);

  auto body = pbx::json::parse_untrusted(raw);
  if (body) {
    auto stored = dump_for_storage(*body);
    PBX_CHECK(storable_json(stored));
    if (storable_json(body->dump())) PBX_CHECK(nlohmann::json::parse(stored) == *body);
    (void)claimed_domain(*body);
  }

  Job updates;
  updates.kind = Kind::session_update;
  fill_job(updates, raw, body);
  check_dead_letters(updates);
  for (const auto& u : updates.updates) check_update(u);
  // An array beyond the item limit is one dead letter, as an empty one is.
  std::size_t elements = 1;
  if (body && body->is_array() && body->size() <= kMaxSessionUpdatesPerBody) {
    elements = std::max<std::size_t>(body->size(), 1);
  }
  PBX_CHECK(updates.updates.size() + updates.dead_letters.size() == elements);

  Job cdr;
  cdr.kind = Kind::cdr;
  fill_job(cdr, raw, body);
  check_dead_letters(cdr);
  PBX_CHECK(cdr.cdr.has_value() != (cdr.dead_letters.size() == 1));
  if (cdr.cdr) check_cdr(*cdr.cdr);
  return 0;
}
