// The domain a webhook payload claims, which names the tenant when no header does.
#include "webhooks/intake.hpp"

#include <gtest/gtest.h>

namespace pbx::webhooks {
namespace {

using nlohmann::json;

TEST(ClaimedDomain, OpbxDomainUuid) {
  auto update = json::parse(R"({"session_uuid": "s", "domain_uuid": "7d2f6c1a", "state": "new"})");
  EXPECT_EQ(claimed_domain(update), "7d2f6c1a");
  EXPECT_EQ(claimed_domain(json::array({update})), "7d2f6c1a");
  EXPECT_EQ(claimed_domain(json::parse(R"({"session_uuid": "s", "domain_uuid": null})")), "");
}

TEST(ClaimedDomain, NativeFieldsComeFirst) {
  EXPECT_EQ(claimed_domain(json::parse(R"({"domain": "acme.cloudonix.net", "domain_uuid": "u"})")),
            "acme.cloudonix.net");
  EXPECT_EQ(claimed_domain(json::parse(
                R"({"owner": {"domain": {"uuid": "owner-uuid"}}, "domain_uuid": "u"})")),
            "owner-uuid");
  EXPECT_EQ(claimed_domain(json::parse(R"({"token": "t"})")), "");
}

}  // namespace
}  // namespace pbx::webhooks
