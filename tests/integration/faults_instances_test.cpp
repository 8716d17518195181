// Two instances of the service on different ports sharing one Postgres and one Redis: a webhook
// delivered to both is stored once, a configuration change made through one is routed by the
// other within a second, and round-robin rotation continues across them.
#include "faults_fixture.hpp"

#include <iostream>

namespace pbx::testing {
namespace {

class TwoInstances : public Faults {
 protected:
  void SetUp() override {
    a_ = start_service();
    b_ = start_service();
  }
  std::unique_ptr<ServiceProcess> a_, b_;
};

TEST_F(TwoInstances, TheSameWebhookSentToBothIsStoredOnce) {
  auto run = unique_name("both") + "-";
  std::atomic<long> duplicates{0};
  // The same events, in the same order, to both instances at once.
  auto make = [&](int c, long n) { return webhook(run, c, n); };
  LoadGenerator to_a({a_->port(), 4}, make, check_webhook_counting(duplicates));
  LoadGenerator to_b({b_->port(), 4}, make, check_webhook_counting(duplicates));
  ASSERT_TRUE(to_a.wait_for(200, 300)) << to_a.report().describe();
  ASSERT_TRUE(to_b.wait_for(200, 300)) << to_b.report().describe();
  auto ra = to_a.stop();
  auto rb = to_b.stop();
  expect_all_answered_200(ra);
  expect_all_answered_200(rb);

  LoadReport both = ra;
  both.acknowledged.insert(rb.acknowledged.begin(), rb.acknowledged.end());
  expect_stored_once(run, both);
  // Every delivery but the one that stored its event answered "duplicate".
  EXPECT_EQ(ra.exchanges + rb.exchanges - duplicates.load(),
            static_cast<long>(both.acknowledged.size()));
}

TEST_F(TwoInstances, AChangeThroughOneIsRoutedByTheOtherWithinASecond) {
  AdminClient admin(a_->base_url(), tenant_->admin_token);
  auto numbers = admin.get("/api/v1/phone-numbers?limit=500");
  ASSERT_EQ(numbers.status, 200);
  std::string did_id;
  for (const auto& n : numbers.body["data"]) {
    if (n["number"] == kExtensionDid) did_id = n["id"];
  }
  ASSERT_FALSE(did_id.empty());
  auto extensions = admin.get("/api/v1/extensions?limit=500");
  std::string sales_id;
  for (const auto& e : extensions.body["data"]) {
    if (e["number"] == "1002") sales_id = e["id"];
  }
  ASSERT_FALSE(sales_id.empty());

  VoiceClient on_b(b_->base_url(), tenant_->requests_api_key, b_->base_url());
  auto routed_by_b = [&] {
    return on_b.route({{"CallSid", "cfg"}, {"To", kExtensionDid}, {"Direction", "inbound"}})
        .summary();
  };
  ASSERT_EQ(routed_by_b(), "Dial[Number:1001]");
  for (const auto& [id, expected] :
       {std::pair{sales_id, "Dial[Number:1002]"}, std::pair{extension_id_, "Dial[Number:1001]"}}) {
    auto changed = std::chrono::steady_clock::now();
    auto r = admin.patch("/api/v1/phone-numbers/" + did_id,
                         {{"destination", {{"type", "extension"}, {"id", id}}}});
    ASSERT_EQ(r.status, 200) << r.body.dump();
    ASSERT_TRUE(eventually([&] { return routed_by_b() == expected; }, std::chrono::seconds(5)));
    auto seen = std::chrono::duration<double>(std::chrono::steady_clock::now() - changed).count();
    std::cout << "configuration change routed by the other instance after " << seen << " s\n";
    EXPECT_LT(seen, 1.0);
  }
}

TEST_F(TwoInstances, RoundRobinRotationIsShared) {
  VoiceClient on_a(a_->base_url(), tenant_->requests_api_key, a_->base_url());
  VoiceClient on_b(b_->base_url(), tenant_->requests_api_key, b_->base_url());
  std::vector<std::string> starts;
  for (int i = 0; i < 9; ++i) {
    auto& client = i % 2 == 0 ? on_a : on_b;
    starts.push_back(
        client.route({{"CallSid", "rr-" + std::to_string(i)}, {"To", kGroupDid}}).summary());
  }
  auto first = std::find(kGroupMembers.begin(), kGroupMembers.end(), starts[0]);
  ASSERT_NE(first, kGroupMembers.end()) << starts[0];
  auto offset = static_cast<size_t>(first - kGroupMembers.begin());
  for (size_t i = 0; i < starts.size(); ++i) {
    EXPECT_EQ(starts[i], kGroupMembers[(offset + i) % kGroupMembers.size()]) << "call " << i;
  }
}

}  // namespace
}  // namespace pbx::testing
