#include "support/tenant.hpp"

#include <sstream>
#include <stdexcept>

namespace pbx::testing {

TenantCredentials bootstrap_tenant(const Env& env, const std::string& domain) {
  auto r = ServiceProcess::run({"bootstrap", "--domain", domain, "--owner-email", "owner@" + domain,
                                "--owner-password", "owner-password-1"},
                               env);
  if (r.exit_code != 0) throw std::runtime_error("bootstrap failed: " + r.output);
  TenantCredentials t;
  t.domain = domain;
  std::istringstream lines(r.output);
  std::string line;
  while (std::getline(lines, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto key = line.substr(0, eq);
    auto value = line.substr(eq + 1);
    if (key == "tenant_id") t.id = value;
    if (key == "admin_token") t.admin_token = value;
    if (key == "requests_api_key") t.requests_api_key = value;
    if (key == "webhook_secret") t.webhook_secret = value;
    if (key == "webhook_token") t.webhook_token = value;
  }
  return t;
}

}  // namespace pbx::testing
