#pragma once

#include "support/service.hpp"

#include <string>

namespace pbx::testing {

struct TenantCredentials {
  std::string id;
  std::string domain;
  std::string admin_token;
  std::string requests_api_key;
  std::string webhook_secret;
  std::string webhook_token;
};

// Creates a tenant with `pbxd bootstrap` against the given database.
TenantCredentials bootstrap_tenant(const Env& env, const std::string& domain);

}  // namespace pbx::testing
