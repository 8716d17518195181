#pragma once

// The simulator's HTTP: a blocking libcurl client behind the Transport interface.

#include "simulator/call.hpp"

namespace pbx::simulator {

// One connection kept alive between requests; not thread-safe.
Transport curl_transport();

}  // namespace pbx::simulator
