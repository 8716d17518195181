// What one tenant's admin can do to the shared service and to other tenants: no value crashes
// the process, no tenant can take another's domain (and with it, its webhooks), domains match
// as Cloudonix spells them, and a configuration change is in force on the very next request.
#include "e2e/admin_fixture.hpp"
#include "support/http_client.hpp"
#include "support/voice.hpp"
#include "support/webhook_payloads.hpp"

namespace pbx::testing {
namespace {

using Boundaries = AdminE2E;
using nlohmann::json;

constexpr const char* kRivalUuid = "0f7c2c3e-5d4b-4a1e-9c8f-2b6d1e3a9f01";

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(Boundaries, AForwardTargetOfAnyLengthIsRefusedAndTheServiceStaysUp) {
  // Once stored at 20 KB and fatal to the process (stack overflow) at 50 KB.
  for (size_t n : {size_t{20'000}, size_t{50'000}, size_t{500'000}}) {
    auto huge = "sip:" + std::string(n, 'a') + "@pbx.example.net";
    auto created = owner_->post("/api/v1/extensions",
                                {{"number", "4" + std::to_string(n % 1000)}, {"forward_to", huge}});
    EXPECT_EQ(created.status, 422) << n;
    EXPECT_EQ(created.fields()["forward_to"][0], "at most 256 characters") << n;

    auto ext = new_extension();
    auto patched = owner_->patch("/api/v1/extensions/" + ext, {{"forward_to", huge}});
    EXPECT_EQ(patched.status, 422) << n;

    auto did = owner_->post("/api/v1/phone-numbers",
                            {{"number", "+1415555" + std::to_string(1000 + n % 1000)},
                             {"destination", {{"type", "forward"}, {"number", huge}}}});
    EXPECT_EQ(did.status, 422) << n;
    EXPECT_TRUE(did.fields().contains("destination")) << did.body.dump();

    HttpClient http;
    EXPECT_EQ(http.get(svc_->base_url() + "/health").status, 200) << "after " << n;
  }
  auto fine = owner_->patch("/api/v1/extensions/" + new_extension(),
                            {{"forward_to", "sip:desk@pbx.example.net"}});
  EXPECT_EQ(fine.status, 200) << fine.body.dump();
}

TEST_F(Boundaries, NoTenantCanClaimAnotherTenantsDomainInAnySpelling) {
  ASSERT_EQ(rival_->patch("/api/v1/settings", {{"domain_uuid", kRivalUuid}}).status, 200);

  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"domain_uuid", "rival.cloudonix.net"},
      {"domain_uuid", "RIVAL"},
      {"domain_uuid", upper(kRivalUuid)},
      {"domain_name", "Rival.Cloudonix.Net"},
      {"domain_name", "rival"},
      {"domain_name", kRivalUuid},
  };
  for (const auto& [field, value] : attempts) {
    auto r = owner_->patch("/api/v1/settings", {{field, value}});
    EXPECT_EQ(r.status, 422) << field << "=" << value << ": " << r.body.dump();
    EXPECT_EQ(r.fields()[field][0], "already used by another tenant") << r.body.dump();
  }
  for (const char* alias : {"rival", "RIVAL.cloudonix.net", kRivalUuid}) {
    auto r = owner_->patch("/api/v1/settings", {{"domain_aliases", json::array({alias})}});
    EXPECT_EQ(r.status, 422) << alias << ": " << r.body.dump();
    EXPECT_TRUE(r.fields().contains("domain_aliases")) << r.body.dump();
  }
  auto mine = owner_->get("/api/v1/settings").body;
  EXPECT_EQ(mine["domain_name"], "admin.cloudonix.net");
  EXPECT_TRUE(mine["domain_uuid"].is_null());
  EXPECT_EQ(mine["domain_aliases"], json::array());

  // The rival's webhooks, claimed by its domain in every spelling, still reach the rival.
  HttpClient http;
  std::string tokens;
  for (const std::string& claimed :
       std::vector<std::string>{"rival.cloudonix.net", "RIVAL", upper(kRivalUuid)}) {
    auto token = unique_name("claim-");
    tokens += (tokens.empty() ? "'" : ", '") + token + "'";
    auto body = cdr_payload(claimed, token).dump();
    auto r = http.post_json(svc_->base_url() + "/api/webhooks/cloudonix/cdr", body,
                            signed_webhook_headers(b_->webhook_secret, body, claimed));
    EXPECT_EQ(r.status, 200) << claimed << ": " << r.body;
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM cdrs WHERE tenant_id = '" + b_->id +
                   "' AND session_token IN (" + tokens + ")"),
            "3");
}

TEST_F(Boundaries, DomainsMatchWithOrWithoutTheCloudonixSuffixAndByAlias) {
  VoiceClient voice(svc_->base_url(), a_->requests_api_key, "");
  for (const char* domain : {"admin.cloudonix.net", "admin", "ADMIN", "Admin.Cloudonix.NET"}) {
    EXPECT_EQ(voice.route({{"CallSid", "dom"}, {"To", "+12125550000"}, {"Domain", domain}}).status,
              200)
        << domain;
  }
  for (const char* domain : {"rival", "rival.cloudonix.net", "admin.example", "admin.cloudonix"}) {
    EXPECT_EQ(voice.route({{"CallSid", "dom"}, {"To", "+12125550000"}, {"Domain", domain}}).status,
              401)
        << domain;
  }
  ASSERT_EQ(owner_->patch("/api/v1/settings", {{"domain_aliases", {"pbx.admin.example"}}}).status,
            200);
  EXPECT_EQ(owner_->get("/api/v1/settings").body["domain_aliases"], json({"pbx.admin.example"}));
  EXPECT_EQ(
      voice.route({{"CallSid", "dom"}, {"To", "+12125550000"}, {"Domain", "PBX.admin.example"}})
          .status,
      200);

  HttpClient http;
  auto body = cdr_payload("pbx.admin.example", unique_name("alias-")).dump();
  auto r = http.post_json(svc_->base_url() + "/api/webhooks/cloudonix/cdr", body,
                          signed_webhook_headers(a_->webhook_secret, body, "pbx.admin.example"));
  EXPECT_EQ(r.status, 200) << r.body;

  ASSERT_EQ(owner_->patch("/api/v1/settings", {{"domain_aliases", json::array()}}).status, 200);
  EXPECT_EQ(
      voice.route({{"CallSid", "dom"}, {"To", "+12125550000"}, {"Domain", "pbx.admin.example"}})
          .status,
      401);
}

// Each check runs right after the change answers, with no wait: scripts that configure and
// then call must never see the old configuration.
TEST_F(Boundaries, AChangeIsInForceOnTheVeryNextRequestToTheSameInstance) {
  auto route_with = [&](const std::string& key) {
    return VoiceClient(svc_->base_url(), key, "").route({{"CallSid", "k"}, {"To", "+1"}}).status;
  };
  std::string old_key = a_->requests_api_key;
  std::string older_key;  // two rotations back: the last rotation ended it
  for (int round = 0; round < 5; ++round) {
    auto rotated = owner_->post("/api/v1/settings/requests-key", json::object());
    ASSERT_EQ(rotated.status, 200);
    auto key = rotated.body["requests_api_key"].get<std::string>();
    EXPECT_EQ(route_with(key), 200) << "round " << round;
    EXPECT_EQ(route_with(old_key), 200) << "round " << round << ": the previous key, in its grace";
    if (!older_key.empty()) {
      EXPECT_EQ(route_with(older_key), 401) << "round " << round;
    }
    older_key = old_key;
    old_key = key;
  }
  // Now older_key is the current key's previous one; ending it is in force at once too.
  ASSERT_EQ(owner_->del("/api/v1/settings/requests-key/previous").status, 204);
  EXPECT_EQ(route_with(older_key), 401);
  EXPECT_EQ(route_with(old_key), 200);
  VoiceClient voice(svc_->base_url(), old_key, "");

  auto first = new_extension();
  auto second = new_extension();
  auto number_of = [](const std::string& id) {
    return owner_->get("/api/v1/extensions/" + id).body["number"].get<std::string>();
  };
  for (int round = 0; round < 5; ++round) {
    auto did_number = "+1202555" + std::to_string(7000 + round);
    auto did = owner_->post(
        "/api/v1/phone-numbers",
        {{"number", did_number}, {"destination", {{"type", "extension"}, {"id", first}}}});
    ASSERT_EQ(did.status, 201) << did.body.dump();
    EXPECT_EQ(voice.route({{"CallSid", "did"}, {"To", did_number}}).summary(),
              "Dial[Number:" + number_of(first) + "]")
        << "round " << round;
  }

  auto group =
      owner_->post("/api/v1/ring-groups", {{"name", "Next request"},
                                           {"strategy", "simultaneous"},
                                           {"members", json::array({{{"extension_id", first}}})}});
  ASSERT_EQ(group.status, 201) << group.body.dump();
  auto did = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+12025558000"}, {"destination", {{"type", "ring_group"}, {"id", group.id()}}}});
  ASSERT_EQ(did.status, 201) << did.body.dump();
  for (int round = 0; round < 4; ++round) {
    auto member = round % 2 == 0 ? second : first;
    auto changed = owner_->patch("/api/v1/ring-groups/" + group.id(),
                                 {{"members", json::array({{{"extension_id", member}}})}});
    ASSERT_EQ(changed.status, 200) << changed.body.dump();
    auto summary = voice.route({{"CallSid", "rg"}, {"To", "+12025558000"}}).summary();
    EXPECT_NE(summary.find("Number:" + number_of(member)), std::string::npos)
        << "round " << round << ": " << summary;
  }
}

}  // namespace
}  // namespace pbx::testing
