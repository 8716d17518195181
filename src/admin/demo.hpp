#pragma once

#include <pqxx/pqxx>

#include <string>

namespace pbx::admin {

// The demo tenant's PBX, so that one simulated call shows an IVR menu, a ring group and a
// voicemail: extensions 101 Alice (voicemail), 102 Bob, 103 Carol; sequential ring group
// Sales (102, 103) falling back to Alice's voicemail; IVR menu Main (1 Sales, 2 Alice,
// 0 Alice's voicemail; failover the same voicemail); DID kDemoNumber to the menu.
inline constexpr const char* kDemoNumber = "+12025550100";

// Seeds it into the tenant of `domain` in one transaction, through the connection's prepared
// routing statements. Returns false, changing nothing, when the DID exists already.
bool seed_demo(pqxx::connection& conn, const std::string& domain);

}  // namespace pbx::admin
