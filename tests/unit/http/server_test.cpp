#include "http/server.hpp"

#include <gtest/gtest.h>

namespace pbx::http {
namespace {

TEST(AdminPool, AdminReportAndReplayRoutesRunOnIt) {
  for (const auto& [method, pattern] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/api/v1/auth/login"},
           {"GET", "/api/v1/auth/me"},
           {"GET", "/api/v1/cdrs"},
           {"GET", "/api/v1/cdrs/stats"},
           {"GET", "/api/v1/calls/active"},
           {"GET", "/api/v1/webhook-events"},
           {"POST", "/api/v1/dead-letters/{id}/replay"},
           {"PATCH", "/api/v1/settings"},
           {"DELETE", "/api/v1/extensions/{id}"}}) {
    EXPECT_TRUE(runs_on_admin_pool(method, pattern)) << method << " " << pattern;
  }
}

TEST(AdminPool, VoiceWebhooksHealthAndConstantsStayOnTheConnectionThreads) {
  for (const auto& [method, pattern] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/api/voice/route"},
           {"GET", "/api/voice/gather"},
           {"POST", "/api/voice/dial-status"},
           {"POST", "/api/webhooks/cloudonix/session-update"},
           {"POST", "/api/webhooks/cloudonix/cdr"},
           {"GET", "/health"},
           {"GET", "/ready"},
           {"GET", "/metrics"},
           {"GET", "/"},
           {"GET", "/console/{version}/{file}"},
           {"GET", "/api/v1/openapi.json"},
           {"GET", "/api/v1"}}) {
    EXPECT_FALSE(runs_on_admin_pool(method, pattern)) << method << " " << pattern;
  }
}

}  // namespace
}  // namespace pbx::http
