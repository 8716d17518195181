// Query strings of the admin lists: the CDR list, export and stats filters
// (cdr/query.hpp parse_cdr_list_query, parse_cdr_stats_query) and every other list's limit
// and cursor (http/listing.hpp). The input is the raw query string, decoded as the server
// decodes it. Bad input is a 422 naming the bad parameters, nothing else; accepted filters
// are what the SQL expects, and their time range is one PostgreSQL can compare against.

#include "cdr/query.hpp"
#include "check.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/url.hpp"
#include "http/listing.hpp"

#include <algorithm>

namespace {

using namespace pbx;

void check_rejection(const Error& e, const url::Params& query) {
  PBX_CHECK(e.status() == 422);
  for (const auto& [field, messages] : e.details().at("fields").items()) {
    bool named = field == "to_date";
    for (const auto& [k, v] : query) named = named || k == field;
    PBX_CHECK(named);
  }
}

void check_time(Micros t) {
  PBX_CHECK(t >= kFirstMicros && t <= kLastMicros + 1);
  auto pg = pg_timestamp(t);
  PBX_CHECK(pg.front() != '-' && pg.compare(0, 5, "0000-") != 0);  // timestamptz refuses them
  (void)iso8601(t);
}

void check_filter(const cdr::CdrFilter& f) {
  for (const auto* number : {&f.from, &f.to}) {
    if (!*number) continue;
    PBX_CHECK(!(*number)->empty() && (*number)->size() <= 64);
    PBX_CHECK(std::none_of((*number)->begin(), (*number)->end(),
                           [](unsigned char c) { return c < 0x20 || c == 0x7f; }));
    auto like = cdr::like_prefix(**number);
    PBX_CHECK(like.back() == '%' && like.size() > (*number)->size());
  }
  for (const auto& d : f.dispositions) {
    PBX_CHECK(std::count(f.dispositions.begin(), f.dispositions.end(), d) == 1);
    PBX_CHECK(std::count(cdr::dispositions().begin(), cdr::dispositions().end(), d) == 1);
  }
  if (f.extension_id) PBX_CHECK(text::is_uuid(*f.extension_id));
  for (const char* zone : {"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "No/Such_Zone"}) {
    auto range = cdr::resolve_range(f, zone);
    if (range.from) check_time(*range.from);
    if (range.to_exclusive) check_time(*range.to_exclusive);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto query = url::parse_form(pbx::fuzz::bytes(data, size));
  try {
    auto q = cdr::parse_cdr_list_query(query);
    PBX_CHECK(q.page.limit >= 1 && q.page.limit <= 500);
    if (q.page.after) {
      PBX_CHECK(q.page.after->list == cdr::cursor_list(q.sort));
      PBX_CHECK(text::is_uuid(q.page.after->id));
      check_time(q.page.after->at);
    }
    check_filter(q.filter);
  } catch (const Error& e) {
    check_rejection(e, query);
  }
  try {
    check_filter(cdr::parse_cdr_stats_query(query));
  } catch (const Error& e) {
    check_rejection(e, query);
  }

  try {
    auto page = http::parse_list_query(query, "extensions:created_at");
    PBX_CHECK(page.limit >= 1 && page.limit <= http::kMaxLimit);
    if (page.after) {
      PBX_CHECK(page.after->list == "extensions:created_at");
      PBX_CHECK(text::is_uuid(page.after->id));
      check_time(page.after->at);
    }
  } catch (const Error& e) {
    check_rejection(e, query);
  }
  return 0;
}
