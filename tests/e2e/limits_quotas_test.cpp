// Sizes and counts a tenant cannot exceed through the admin API: every field's size limit
// (422), and per-tenant quotas on objects (409 quota_exceeded), also under concurrent creates.
#include "e2e/admin_fixture.hpp"

#include <future>
#include <vector>

namespace pbx::testing {
namespace {

using nlohmann::json;

class LimitsE2E : public AdminE2E {
 protected:
  // Sets tenant A's quota of one kind of object.
  static void set_quota(const std::string& resource, int max_count) {
    TestEnv::get().pg().execute(
        "INSERT INTO tenant_quotas (tenant_id, resource, max_count) VALUES ('" + a_->id + "', '" +
        resource + "', " + std::to_string(max_count) +
        ") ON CONFLICT (tenant_id, resource) DO UPDATE SET max_count = excluded.max_count");
  }
  static int count(const std::string& table, const std::string& tenant_id) {
    return std::stoi(
        scalar("SELECT count(*) FROM " + table + " WHERE tenant_id = '" + tenant_id + "'"));
  }
  static json hours(json extra) {
    json body = {{"name", "Hours"},
                 {"open_destination", {{"type", "hangup"}}},
                 {"closed_destination", {{"type", "hangup"}}}};
    body.update(extra);
    return body;
  }
};

TEST_F(LimitsE2E, BusinessHoursSchedulesHaveLimits) {
  // Both were once stored at any size, and every instance holds every tenant's schedules.
  auto many = json::array();
  for (int i = 0; i < 401; ++i) {
    many.push_back(
        {{"date", "2027-01-01"}, {"name", "Day " + std::to_string(i)}, {"closed", true}});
  }
  auto r = owner_->post("/api/v1/business-hours", hours({{"exceptions", many}}));
  EXPECT_EQ(r.status, 422) << r.body.dump();
  EXPECT_EQ(r.fields()["exceptions"], json::array({"at most 400 entries"}));

  auto long_name = json::array(
      {{{"date", "2027-01-01"}, {"name", std::string(100'000, 'x')}, {"closed", true}}});
  r = owner_->post("/api/v1/business-hours", hours({{"exceptions", long_name}}));
  EXPECT_EQ(r.status, 422) << r.body.dump();
  EXPECT_EQ(r.fields()["exceptions"], json::array({"at most 64000 bytes of JSON"}));

  auto fine = owner_->post("/api/v1/business-hours", hours({{"exceptions", json::array()}}));
  ASSERT_EQ(fine.status, 201) << fine.body.dump();
  r = owner_->patch("/api/v1/business-hours/" + fine.id(), {{"exceptions", many}});
  EXPECT_EQ(r.status, 422) << r.body.dump();
  EXPECT_EQ(owner_->del("/api/v1/business-hours/" + fine.id()).status, 204);
}

TEST_F(LimitsE2E, TheOpenApiDocumentShowsTheLengthLimits) {
  HttpClient http;
  auto doc = nlohmann::json::parse(http.get(svc_->base_url() + "/api/v1/openapi.json").body);
  const auto& schemas = doc["components"]["schemas"];
  EXPECT_EQ(schemas["extensions"]["properties"]["name"]["maxLength"], 100);
  EXPECT_EQ(schemas["extensions"]["properties"]["forward_to"]["maxLength"], 256);
  EXPECT_EQ(schemas["users"]["properties"]["email"]["maxLength"], 254);
}

TEST_F(LimitsE2E, ACreateBeyondTheQuotaAnswers409) {
  set_quota("ivr_menus", count("ivr_menus", a_->id) + 1);
  json menu = {{"name", "Menu"}, {"prompt", {{"say", "Hello"}}}};
  auto first = owner_->post("/api/v1/ivr-menus", menu);
  ASSERT_EQ(first.status, 201) << first.body.dump();
  auto second = owner_->post("/api/v1/ivr-menus", menu);
  EXPECT_EQ(second.status, 409) << second.body.dump();
  EXPECT_EQ(second.body["error"]["code"], "quota_exceeded");
  EXPECT_EQ(second.body["error"]["details"]["resource"], "ivr_menus");
  EXPECT_EQ(second.body["error"]["details"]["limit"], count("ivr_menus", a_->id));
  // Another tenant's quota is its own.
  EXPECT_EQ(rival_->post("/api/v1/ivr-menus", menu).status, 201);
  // Deleting one makes room again.
  EXPECT_EQ(owner_->del("/api/v1/ivr-menus/" + first.id()).status, 204);
  EXPECT_EQ(owner_->post("/api/v1/ivr-menus", menu).status, 201);
}

TEST_F(LimitsE2E, TheDefaultQuotaAppliesWithoutAnOverride) {
  auto held = count("conference_rooms", b_->id);
  TestEnv::get().pg().execute("UPDATE quota_defaults SET max_count = " + std::to_string(held) +
                              " WHERE resource = 'conference_rooms'");
  auto r = rival_->post("/api/v1/conference-rooms", {{"name", "over-the-default"}});
  TestEnv::get().pg().execute(
      "UPDATE quota_defaults SET max_count = 1000 WHERE resource = 'conference_rooms'");
  EXPECT_EQ(r.status, 409) << r.body.dump();
  EXPECT_EQ(r.body["error"]["code"], "quota_exceeded");
  EXPECT_EQ(rival_->post("/api/v1/conference-rooms", {{"name", "within-the-default"}}).status, 201);
}

TEST_F(LimitsE2E, ConcurrentCreatesNeverOvershootTheQuota) {
  constexpr int kQuota = 4, kCreates = 16;
  auto before = count("conference_rooms", a_->id);
  set_quota("conference_rooms", before + kQuota);
  std::vector<std::future<ApiResult>> creates;
  for (int i = 0; i < kCreates; ++i) {
    creates.push_back(std::async(std::launch::async, [i] {
      AdminClient client(svc_->base_url(), a_->admin_token);
      return client.post("/api/v1/conference-rooms", {{"name", "race-" + std::to_string(i)}});
    }));
  }
  int created = 0, refused = 0;
  for (auto& f : creates) {
    auto r = f.get();
    if (r.status == 201) {
      ++created;
    } else if (r.status == 409 && r.body["error"]["code"] == "quota_exceeded") {
      ++refused;
    } else {
      ADD_FAILURE() << r.status << " " << r.body.dump();
    }
  }
  EXPECT_EQ(created, kQuota);
  EXPECT_EQ(refused, kCreates - kQuota);
  EXPECT_EQ(count("conference_rooms", a_->id), before + kQuota);
}

TEST_F(LimitsE2E, EveryCreatableResourceHasADefaultQuota) {
  EXPECT_EQ(scalar("SELECT string_agg(resource, ',' ORDER BY resource) FROM quota_defaults"),
            "business_hours,conference_rooms,extensions,ivr_menus,phone_numbers,ring_groups,users");
}

}  // namespace
}  // namespace pbx::testing
