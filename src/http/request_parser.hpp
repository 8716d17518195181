#pragma once

// Pistache's request parser with the limits it lacks and repeated X-Forwarded-For lines joined.
// Internal to the transport.

#include <pistache/http.h>

#include <cstddef>

namespace pbx::http {

class ForwardedForStep;

class LimitedParser : public Pistache::Http::RequestParser {
 public:
  // max_request: the whole request, headers included; max_body: its body. behind_proxies: the
  // service trusts some proxy's X-Forwarded-For.
  LimitedParser(size_t max_request, size_t max_body, bool behind_proxies);

  void reset() override;

 private:
  ForwardedForStep* forwarded_for_ = nullptr;
};

}  // namespace pbx::http
