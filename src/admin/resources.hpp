#pragma once

#include "admin/resource.hpp"

#include <vector>

namespace pbx::admin {

// The tenant-owned collections of the admin API: extensions, phone numbers, ring groups, IVR
// menus, business hours, voicemails and users.
const std::vector<Resource>& routing_resources();
std::vector<store::Statement> routing_resource_statements();

}  // namespace pbx::admin
