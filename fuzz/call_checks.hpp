#pragma once

// What routing::parse_call promises for any parameters, shared by the JSON and form targets.

#include "check.hpp"
#include "core/text.hpp"
#include "routing/call.hpp"

namespace pbx::fuzz {

inline void check_call(const url::Params& params) {
  auto call = routing::parse_call(params);
  PBX_CHECK(call.dial_status == text::to_lower(call.dial_status));
  PBX_CHECK(call.dial_status != "noanswer");
  PBX_CHECK(call.recording_duration >= 0);
  // Every field is one of the values sent, never made up.
  for (const auto* field :
       {&call.call_id, &call.from, &call.to, &call.domain, &call.digits, &call.recording_url}) {
    if (field->empty()) continue;
    bool sent = false;
    for (const auto& [k, v] : params) sent = sent || v == *field;
    PBX_CHECK(sent);
  }
}

}  // namespace pbx::fuzz
