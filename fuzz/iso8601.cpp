// ISO-8601 instants from webhooks (createdAt, modifiedAt) and the CDR filters (from_date,
// to_date), webhooks/fields.hpp parse_iso8601. What parses is an instant PostgreSQL's
// timestamptz accepts (years 1 to 9999) and survives rendering and parsing again.

#include "check.hpp"
#include "cloudonix/fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pbx::cloudonix;
  auto t = parse_iso8601(pbx::fuzz::bytes(data, size));
  if (!t) return 0;
  auto ms = t->time_since_epoch().count();
  PBX_CHECK(ms >= -62135596800000 && ms <= 253402300799999);
  auto text = to_iso8601(*t);
  PBX_CHECK(text.size() == 24 && text.back() == 'Z');
  PBX_CHECK(parse_iso8601(text) == t);
  return 0;
}
