#pragma once

#include "store/pg.hpp"

#include <vector>

namespace pbx::store {

// Every named statement of the service, prepared on each pooled connection.
std::vector<Statement> all_statements();

}  // namespace pbx::store
