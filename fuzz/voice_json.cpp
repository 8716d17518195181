// Voice requests with a JSON body (the route request and the action callbacks):
// routing::params_from_json, then routing::parse_call. The streaming reader must agree with a
// full parse under the same nesting bound: parameters only from an object the full parse
// accepts, and from such an object every top-level scalar, with its last value.

#include "call_checks.hpp"
#include "check.hpp"
#include "core/json.hpp"
#include "routing/call.hpp"

namespace {

const std::string* last_param(const pbx::url::Params& params, std::string_view name) {
  const std::string* last = nullptr;
  for (const auto& [k, v] : params) {
    if (k == name) last = &v;
  }
  return last;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = pbx::fuzz::bytes(data, size);
  auto params = pbx::routing::params_from_json(body);
  auto doc = pbx::json::parse_untrusted(body);
  if (!params.empty()) PBX_CHECK(doc && doc->is_object());
  if (doc && doc->is_object() && !doc->contains("SessionData.token")) {
    for (const auto& [key, value] : doc->items()) {
      if (value.is_null() || value.is_structured()) continue;
      const auto* got = last_param(params, key);
      PBX_CHECK(got != nullptr);
      if (value.is_string()) PBX_CHECK(*got == value.get_ref<const std::string&>());
    }
    auto session = doc->find("SessionData");
    if (session != doc->end() && session->is_object()) {
      auto token = session->find("token");
      if (token != session->end() && token->is_string()) {
        const auto* got = last_param(params, "SessionData.token");
        PBX_CHECK(got != nullptr && *got == token->get_ref<const std::string&>());
      }
    }
  }
  pbx::fuzz::check_call(params);
  return 0;
}
