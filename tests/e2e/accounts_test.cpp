// Accounts over HTTP against the running service: what ends a user's sessions, who may change
// whose credentials, signing out everywhere, the bootstrap token's life, and phone numbers and
// e-mails that are unique within a tenant only (login then takes the tenant's domain).
#include "support/admin_client.hpp"
#include "support/test_env.hpp"
#include "support/voice.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace pbx::testing {
namespace {

using nlohmann::json;

class Accounts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    a_ = new TenantCredentials(bootstrap_tenant(*env_, "accounts.cloudonix.net"));
    b_ = new TenantCredentials(bootstrap_tenant(*env_, "neighbour.cloudonix.net"));
    // Every sign-in comes through a trusted proxy from an address of its own, so that the
    // per-address login limit never decides a test.
    auto env = *env_;
    env["PBX_TRUSTED_PROXIES"] = "127.0.0.1";
    svc_ = new ServiceProcess({"serve"}, env);
    svc_->wait_healthy();
    owner_ = new AdminClient(svc_->base_url(), a_->admin_token);
    neighbour_ = new AdminClient(svc_->base_url(), b_->admin_token);
  }
  static void TearDownTestSuite() {
    delete owner_;
    delete neighbour_;
    delete svc_;
    delete a_;
    delete b_;
    delete env_;
  }

  static HttpResponse sign_in(const std::string& email, const std::string& password,
                              const std::optional<std::string>& domain = std::nullopt) {
    static int client = 0;
    ++client;
    json body{{"email", email}, {"password", password}};
    if (domain) body["domain"] = *domain;
    HttpClient http;
    return http.post_json(svc_->base_url() + "/api/v1/auth/login", body.dump(),
                          {{"X-Forwarded-For", "198.51.100." + std::to_string(client % 250 + 1)}});
  }
  // A session of the user: a client holding a fresh token.
  static std::unique_ptr<AdminClient> session(
      const std::string& email, const std::string& password,
      const std::optional<std::string>& domain = std::nullopt) {
    auto r = sign_in(email, password, domain);
    EXPECT_EQ(r.status, 200) << email << ": " << r.body;
    auto token = r.status == 200 ? json::parse(r.body)["access_token"].get<std::string>() : "";
    return std::make_unique<AdminClient>(svc_->base_url(), token);
  }
  // A new user of tenant A; returns its id.
  static std::string new_user(const std::string& email, const std::string& role,
                              const std::string& password) {
    auto r =
        owner_->post("/api/v1/users", {{"email", email}, {"role", role}, {"password", password}});
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.id();
  }
  static bool signed_in(AdminClient& c) { return c.get("/api/v1/auth/me").status == 200; }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* a_ = nullptr;
  static inline TenantCredentials* b_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline AdminClient* owner_ = nullptr;
  static inline AdminClient* neighbour_ = nullptr;
};

TEST_F(Accounts, ANewPasswordOrEmailEndsEverySessionOfTheUser) {
  auto id = new_user("pat@accounts.example", "user", "pat-password-1");
  auto laptop = session("pat@accounts.example", "pat-password-1");
  auto phone = session("pat@accounts.example", "pat-password-1");
  auto other = session("owner@accounts.cloudonix.net", "owner-password-1");
  ASSERT_TRUE(signed_in(*laptop));
  ASSERT_EQ(owner_->patch("/api/v1/users/" + id, {{"password", "pat-password-2"}}).status, 200);
  EXPECT_FALSE(signed_in(*laptop));
  EXPECT_FALSE(signed_in(*phone));
  EXPECT_TRUE(signed_in(*other)) << "another user's session stays";
  EXPECT_TRUE(signed_in(*owner_));

  auto again = session("pat@accounts.example", "pat-password-2");
  ASSERT_TRUE(signed_in(*again));
  ASSERT_EQ(owner_->patch("/api/v1/users/" + id, {{"name", "Pat"}}).status, 200);
  EXPECT_TRUE(signed_in(*again)) << "a new name ends nothing";
  ASSERT_EQ(owner_->patch("/api/v1/users/" + id, {{"email", "patricia@accounts.example"}}).status,
            200);
  EXPECT_FALSE(signed_in(*again));
  EXPECT_EQ(sign_in("pat@accounts.example", "pat-password-2").status, 401);
  EXPECT_EQ(sign_in("patricia@accounts.example", "pat-password-2").status, 200);
}

TEST_F(Accounts, ChangingYourOwnCredentialsKeepsThisSessionAndEndsTheOthers) {
  new_user("sam@accounts.example", "reporter", "sam-password-1");
  auto here = session("sam@accounts.example", "sam-password-1");
  auto elsewhere = session("sam@accounts.example", "sam-password-1");

  auto missing = here->patch("/api/v1/auth/me", {{"password", "sam-password-2"}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(missing.fields().contains("current_password")) << missing.body.dump();
  auto wrong = here->patch(
      "/api/v1/auth/me", {{"password", "sam-password-2"}, {"current_password", "not-my-password"}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_TRUE(wrong.fields().contains("current_password")) << wrong.body.dump();
  EXPECT_TRUE(signed_in(*elsewhere)) << "a refused change ends nothing";

  auto changed = here->patch(
      "/api/v1/auth/me",
      {{"password", "sam-password-2"}, {"current_password", "sam-password-1"}, {"name", "Sam"}});
  ASSERT_EQ(changed.status, 200) << changed.body.dump();
  EXPECT_EQ(changed.body["user"]["name"], "Sam");
  EXPECT_TRUE(signed_in(*here)) << "the session that made the change stays";
  EXPECT_FALSE(signed_in(*elsewhere));
  EXPECT_EQ(sign_in("sam@accounts.example", "sam-password-1").status, 401);

  auto elsewhere_again = session("sam@accounts.example", "sam-password-2");
  auto moved = here->patch("/api/v1/auth/me", {{"email", "samuel@accounts.example"},
                                               {"current_password", "sam-password-2"}});
  ASSERT_EQ(moved.status, 200) << moved.body.dump();
  EXPECT_EQ(moved.body["user"]["email"], "samuel@accounts.example");
  EXPECT_TRUE(signed_in(*here));
  EXPECT_FALSE(signed_in(*elsewhere_again));
  EXPECT_EQ(sign_in("samuel@accounts.example", "sam-password-2").status, 200);

  // Through the users collection, one's own e-mail or password is refused: it would skip the
  // current password.
  auto me = owner_->get("/api/v1/auth/me").body["user"]["id"].get<std::string>();
  auto own = owner_->patch("/api/v1/users/" + me, {{"password", "owner-password-2"}});
  EXPECT_EQ(own.status, 422);
  EXPECT_TRUE(own.fields().contains("password")) << own.body.dump();
}

TEST_F(Accounts, SignOutEverywhereEndsEverySessionOfTheCaller) {
  new_user("kim@accounts.example", "user", "kim-password-1");
  auto one = session("kim@accounts.example", "kim-password-1");
  auto two = session("kim@accounts.example", "kim-password-1");
  auto other = session("owner@accounts.cloudonix.net", "owner-password-1");
  // Another instance answers the same tokens, and stops at once too: nothing caches them.
  ServiceProcess second({"serve"}, *env_);
  second.wait_healthy();
  AdminClient two_elsewhere(second.base_url(), two->token());
  ASSERT_TRUE(signed_in(two_elsewhere));
  EXPECT_EQ(one->post("/api/v1/auth/logout-all", json::object()).status, 204);
  EXPECT_FALSE(signed_in(two_elsewhere));
  EXPECT_FALSE(signed_in(*one));
  EXPECT_FALSE(signed_in(*two));
  EXPECT_TRUE(signed_in(*other));
  EXPECT_EQ(one->post("/api/v1/auth/logout-all", json::object()).status, 401);
  EXPECT_TRUE(signed_in(*session("kim@accounts.example", "kim-password-1")));
}

TEST_F(Accounts, OnlyAnOwnerChangesAnotherAdminsCredentials) {
  new_user("ada@accounts.example", "admin", "ada-password-1");
  auto bea = new_user("bea@accounts.example", "admin", "bea-password-1");
  auto rex = new_user("rex@accounts.example", "reporter", "rex-password-1");
  auto ada = session("ada@accounts.example", "ada-password-1");
  auto bea_session = session("bea@accounts.example", "bea-password-1");
  for (const json& change : {json{{"password", "taken-over-1"}},
                             json{{"email", "ada+bea@accounts.example"}}, json{{"role", "user"}}}) {
    auto r = ada->patch("/api/v1/users/" + bea, change);
    EXPECT_EQ(r.status, 403) << change.dump() << " " << r.body.dump();
  }
  EXPECT_TRUE(signed_in(*bea_session));
  EXPECT_EQ(sign_in("bea@accounts.example", "bea-password-1").status, 200);
  EXPECT_EQ(ada->patch("/api/v1/users/" + bea, {{"name", "Bea"}}).status, 200);
  // An admin still manages users and reporters, and an owner anyone.
  EXPECT_EQ(ada->patch("/api/v1/users/" + rex, {{"password", "rex-password-2"}}).status, 200);
  EXPECT_EQ(owner_->patch("/api/v1/users/" + bea, {{"password", "bea-password-2"}}).status, 200);
  EXPECT_FALSE(signed_in(*bea_session));
}

TEST_F(Accounts, TheBootstrapTokenLivesADay) {
  auto seconds = TestEnv::get().pg().query_scalar(
      "SELECT extract(epoch FROM expires_at - created_at)::bigint FROM admin_tokens"
      " WHERE tenant_id = '" +
      b_->id + "' ORDER BY created_at LIMIT 1");
  EXPECT_EQ(std::stoll(seconds), 24 * 3600);
}

TEST_F(Accounts, ANumberAnotherTenantHoldsIsAddedAndEachTenantRoutesItsOwn) {
  auto a_ext = owner_->post("/api/v1/extensions", {{"number", "201"}}).id();
  auto b_ext = neighbour_->post("/api/v1/extensions", {{"number", "202"}}).id();
  auto number = [](const std::string& ext) {
    return json{{"number", "+12025550177"}, {"destination", {{"type", "extension"}, {"id", ext}}}};
  };
  ASSERT_EQ(owner_->post("/api/v1/phone-numbers", number(a_ext)).status, 201);
  auto theirs = neighbour_->post("/api/v1/phone-numbers", number(b_ext));
  ASSERT_EQ(theirs.status, 201) << theirs.body.dump();
  auto twice = neighbour_->post("/api/v1/phone-numbers", number(b_ext));
  EXPECT_EQ(twice.status, 422);
  EXPECT_EQ(twice.fields()["number"][0], "already exists");

  auto call = [](const TenantCredentials& t) {
    VoiceClient voice(svc_->base_url(), t.requests_api_key, "");
    return voice
        .route({{"CallSid", "same-did-" + t.domain},
                {"From", "+14155550142"},
                {"To", "+12025550177"},
                {"Direction", "inbound"},
                {"Domain", t.domain}})
        .summary();
  };
  EXPECT_NE(call(*a_).find("Number:201"), std::string::npos) << call(*a_);
  EXPECT_NE(call(*b_).find("Number:202"), std::string::npos) << call(*b_);
}

TEST_F(Accounts, AnEmailAnotherTenantUsesIsAddedAndLoginTakesTheDomain) {
  ASSERT_EQ(owner_
                ->post("/api/v1/users", {{"email", "shared@both.example"},
                                         {"role", "user"},
                                         {"password", "shared-password-a"}})
                .status,
            201);
  auto theirs = neighbour_->post(
      "/api/v1/users",
      {{"email", "Shared@Both.example"}, {"role", "reporter"}, {"password", "shared-password-b"}});
  ASSERT_EQ(theirs.status, 201) << theirs.body.dump();
  auto twice = neighbour_->post(
      "/api/v1/users",
      {{"email", "SHARED@both.example"}, {"role", "user"}, {"password", "shared-password-c"}});
  EXPECT_EQ(twice.status, 422);
  EXPECT_EQ(twice.fields()["email"][0], "already exists");

  // Without a domain, an e-mail of several tenants is answered as a wrong password is.
  auto ambiguous = sign_in("shared@both.example", "shared-password-a");
  auto wrong = sign_in("owner@accounts.cloudonix.net", "not-the-password");
  EXPECT_EQ(ambiguous.status, 401);
  EXPECT_EQ(json::parse(ambiguous.body)["error"]["message"],
            json::parse(wrong.body)["error"]["message"]);

  auto a = sign_in("shared@both.example", "shared-password-a", "accounts.cloudonix.net");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(json::parse(a.body)["user"]["tenant_id"], a_->id);
  auto b = sign_in("shared@both.example", "shared-password-b", "NEIGHBOUR");
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(json::parse(b.body)["user"]["tenant_id"], b_->id);
  EXPECT_EQ(sign_in("shared@both.example", "shared-password-b", "accounts.cloudonix.net").status,
            401);
  EXPECT_EQ(sign_in("shared@both.example", "shared-password-a", "nowhere.cloudonix.net").status,
            401);
  // An e-mail of one tenant signs in without a domain, as before, and with its own domain.
  EXPECT_EQ(sign_in("owner@accounts.cloudonix.net", "owner-password-1").status, 200);
  EXPECT_EQ(sign_in("owner@accounts.cloudonix.net", "owner-password-1", "").status, 200);
  EXPECT_EQ(sign_in("owner@accounts.cloudonix.net", "owner-password-1", "neighbour").status, 401);
}

}  // namespace
}  // namespace pbx::testing
