// The opaque page cursors clients send back: the CDR and activity lists' (cdr/query.hpp) and
// the admin resource lists' (admin/resource.hpp). From the bytes as a cursor: accepted only
// for its own list, holding a uuid and a time PostgreSQL can compare against, and stable
// through encoding again. From a position made of the bytes: encoded then decoded it is equal.

#include "admin/resource.hpp"
#include "cdr/query.hpp"
#include "check.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"

#include <fuzzer/FuzzedDataProvider.h>

namespace {

using namespace pbx;

using cdr::kFirstMicros;
using cdr::kLastMicros;
constexpr std::string_view kLists[] = {"cdrs:-started_at", "cdrs:started_at", "calls:-created_at",
                                       "webhook_events:-received_at"};

bool same(const cdr::Cursor& a, const cdr::Cursor& b) {
  return a.list == b.list && a.at == b.at && a.id == b.id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = pbx::fuzz::bytes(data, size);
  int accepted = 0;
  for (auto list : kLists) {
    auto c = cdr::decode_cursor(text, list);
    if (!c) continue;
    ++accepted;
    PBX_CHECK(c->list == list && text::is_uuid(c->id) && c->at >= kFirstMicros &&
              c->at <= kLastMicros);
    auto again = cdr::decode_cursor(cdr::encode_cursor(*c), list);
    PBX_CHECK(again && same(*again, *c));
  }
  PBX_CHECK(accepted <= 1);
  if (auto p = admin::decode_list_cursor(text)) {
    PBX_CHECK(text::is_uuid(p->second) && p->first >= kFirstMicros && p->first <= kLastMicros);
    PBX_CHECK(admin::decode_list_cursor(admin::encode_list_cursor(p->first, p->second)) == p);
  }

  FuzzedDataProvider in(data, size);
  auto at = in.ConsumeIntegralInRange<cdr::Micros>(kFirstMicros, kLastMicros);
  auto id = crypto::format_uuid_v4(in.ConsumeBytesAsString(16));
  auto list = std::string(in.PickValueInArray(kLists));
  cdr::Cursor made{list, at, id};
  auto back = cdr::decode_cursor(cdr::encode_cursor(made), list);
  PBX_CHECK(back && same(*back, made));
  PBX_CHECK(!cdr::decode_cursor(cdr::encode_cursor(made), list + "x"));
  PBX_CHECK(admin::decode_list_cursor(admin::encode_list_cursor(at, id)) ==
            admin::ListPosition(at, id));
  return 0;
}
