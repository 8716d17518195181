// Query strings of the admin lists: the CDR list, export and stats filters
// (cdr/query.hpp parse_cdr_list_query, parse_cdr_stats_query) and the resource lists' limit
// and cursor (admin/resource.hpp). The input is the raw query string, decoded as the server
// decodes it. Bad input is a 422 naming the bad parameters, nothing else; accepted filters
// are what the SQL expects, and their time range is one PostgreSQL can compare against.

#include "admin/resource.hpp"
#include "cdr/query.hpp"
#include "check.hpp"
#include "core/error.hpp"
#include "core/text.hpp"
#include "core/url.hpp"

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

void check_time(cdr::Micros t) {
  PBX_CHECK(t >= cdr::kFirstMicros && t <= cdr::kLastMicros + 1);
  auto pg = cdr::pg_timestamp(t);
  PBX_CHECK(pg.front() != '-' && pg.compare(0, 5, "0000-") != 0);  // timestamptz refuses them
  (void)cdr::iso8601(t);
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

  http::Request req;
  req.query = query;
  admin::Errors errors;
  auto limit = admin::parse_limit(req, errors);
  PBX_CHECK(limit >= 1 && limit <= 500);
  const auto* cursor = req.query_param("cursor");
  if (cursor && !cursor->empty()) {
    if (auto position = admin::decode_list_cursor(*cursor)) {
      check_time(position->first);
      PBX_CHECK(text::is_uuid(position->second));
    }
  }
  return 0;
}
