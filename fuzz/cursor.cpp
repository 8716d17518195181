// The opaque page cursor clients send back, one codec for every admin list
// (http/listing.hpp). From the bytes as a cursor: accepted only for its own list, holding a
// uuid and a time PostgreSQL can compare against, and stable through encoding again. From a
// position made of the bytes: encoded then decoded it is equal.

#include "check.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"
#include "http/listing.hpp"

#include <fuzzer/FuzzedDataProvider.h>

namespace {

using namespace pbx;

constexpr std::string_view kLists[] = {"cdrs:-started_at",          "cdrs:started_at",
                                       "calls:-created_at",         "webhook_events:-received_at",
                                       "dead_letters:-received_at", "extensions:created_at",
                                       "phone_numbers:-created_at"};

bool same(const http::Cursor& a, const http::Cursor& b) {
  return a.list == b.list && a.at == b.at && a.id == b.id;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = pbx::fuzz::bytes(data, size);
  int accepted = 0;
  for (auto list : kLists) {
    auto c = http::decode_cursor(text, list);
    if (!c) continue;
    ++accepted;
    PBX_CHECK(c->list == list && text::is_uuid(c->id) && c->at >= kFirstMicros &&
              c->at <= kLastMicros);
    auto again = http::decode_cursor(http::encode_cursor(*c), list);
    PBX_CHECK(again && same(*again, *c));
  }
  PBX_CHECK(accepted <= 1);

  FuzzedDataProvider in(data, size);
  auto at = in.ConsumeIntegralInRange<Micros>(kFirstMicros, kLastMicros);
  auto id = crypto::format_uuid_v4(in.ConsumeBytesAsString(16));
  auto list = std::string(in.PickValueInArray(kLists));
  http::Cursor made{list, at, id};
  auto back = http::decode_cursor(http::encode_cursor(made), list);
  PBX_CHECK(back && same(*back, made));
  PBX_CHECK(!http::decode_cursor(http::encode_cursor(made), list + "x"));
  return 0;
}
