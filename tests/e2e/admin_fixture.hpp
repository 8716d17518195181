#pragma once
// Two tenants and the real service; tenant A has a user of every role, each logged in.
#include "support/admin_client.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace pbx::testing {

class AdminE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    a_ = new TenantCredentials(bootstrap_tenant(*env_, "admin.cloudonix.net"));
    b_ = new TenantCredentials(bootstrap_tenant(*env_, "rival.cloudonix.net"));
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
    owner_ = new AdminClient(svc_->base_url(), a_->admin_token);
    rival_ = new AdminClient(svc_->base_url(), b_->admin_token);
    for (const char* role : {"admin", "user", "reporter"}) {
      auto email = std::string(role) + "@admin.example";
      auto r = owner_->post("/api/v1/users", {{"email", email},
                                              {"name", role},
                                              {"role", role},
                                              {"password", "long-password-" + std::string(role)}});
      ASSERT_EQ(r.status, 201) << r.body.dump();
      auto token = login(svc_->base_url(), email, "long-password-" + std::string(role));
      ASSERT_FALSE(token.empty()) << role;
      role_clients_[role] = std::make_unique<AdminClient>(svc_->base_url(), token);
      user_ids_[role] = r.id();
    }
  }
  static void TearDownTestSuite() {
    role_clients_.clear();
    delete owner_;
    delete rival_;
    delete svc_;
    delete a_;
    delete b_;
    delete env_;
  }

  static AdminClient& as(const std::string& role) {
    return role == "owner" ? *owner_ : *role_clients_.at(role);
  }
  static std::string scalar(const std::string& sql) {
    return TestEnv::get().pg().query_scalar(sql);
  }
  // A new extension of tenant A with a fresh number.
  static std::string new_extension(nlohmann::json extra = nlohmann::json::object()) {
    static int next = 3000;
    extra["number"] = std::to_string(++next);
    if (!extra.contains("name")) extra["name"] = "Ext " + std::to_string(next);
    auto r = owner_->post("/api/v1/extensions", extra);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.id();
  }

  static inline Env* env_ = nullptr;
  static inline TenantCredentials* a_ = nullptr;
  static inline TenantCredentials* b_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline AdminClient* owner_ = nullptr;
  static inline AdminClient* rival_ = nullptr;
  static inline std::map<std::string, std::unique_ptr<AdminClient>> role_clients_;
  static inline std::map<std::string, std::string> user_ids_;
};

}  // namespace pbx::testing
