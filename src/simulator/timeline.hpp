#pragma once

// How a simulated call is shown: a readable timeline (with ANSI colour for a terminal) or
// JSON for scripts. Pure.

#include "simulator/call.hpp"

#include <string>

namespace pbx::simulator {

std::string render_text(const Report& report, bool colour);
// {ok, exit_code, session, call_id, status, disposition, duration, billsec, answered,
//  problems, timeline: [{offset_ms, what, detail, method, url, status, problem}]}
nlohmann::json report_json(const Report& report);
std::string render_json(const Report& report);

}  // namespace pbx::simulator
