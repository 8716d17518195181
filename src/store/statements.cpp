#include "store/statements.hpp"

#include "store/tenant_directory.hpp"
#include "store/tenants.hpp"

namespace pbx::store {

std::vector<Statement> all_statements() {
  std::vector<Statement> all;
  for (auto&& group : {tenant_statements(), TenantDirectory::statements()}) all.insert(all.end(), group.begin(), group.end());
  return all;
}

}  // namespace pbx::store
