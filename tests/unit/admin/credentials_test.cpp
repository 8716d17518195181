// Accounts without a database: which account a login is for, what a write to a user changes of
// its credentials, and who may make that change.
#include "admin/auth.hpp"
#include "admin/checks.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pbx::admin {
namespace {

using Json = nlohmann::json;

LoginAccount account(const std::string& id, const std::string& tenant) {
  return {{id, tenant, "a@b.example", "A", "user"}, "$argon2id$..."};
}

TEST(LoginAccount, OnlyASingleMatchNamesAnAccount) {
  EXPECT_EQ(login_account({}), nullptr);
  std::vector<LoginAccount> one{account("u1", "t1")};
  ASSERT_NE(login_account(one), nullptr);
  EXPECT_EQ(login_account(one)->user.user_id, "u1");
  // Several tenants share the e-mail and no domain chose one: none, never the first.
  std::vector<LoginAccount> two{account("u1", "t1"), account("u2", "t2")};
  EXPECT_EQ(login_account(two), nullptr);
}

const Json kStored{{"id", "u2"}, {"email", "bea@x.example"}, {"name", "Bea"}, {"role", "admin"}};

Json with(Json j, const Json& patch) {
  j.update(patch);
  return j;
}

TEST(CredentialChange, ReadsWhatAWriteChanges) {
  auto none = credential_change(kStored, kStored);
  EXPECT_FALSE(none.any());
  EXPECT_FALSE(credential_change(kStored, with(kStored, {{"name", "B"}})).any());
  auto email = credential_change(kStored, with(kStored, {{"email", "b@x.example"}}));
  EXPECT_TRUE(email.email);
  EXPECT_TRUE(email.ends_sessions());
  auto password = credential_change(kStored, with(kStored, {{"password", "long-enough-1"}}));
  EXPECT_TRUE(password.password);
  EXPECT_TRUE(password.ends_sessions());
  // A null password keeps the stored one.
  EXPECT_FALSE(credential_change(kStored, with(kStored, {{"password", nullptr}})).any());
  auto role = credential_change(kStored, with(kStored, {{"role", "user"}}));
  EXPECT_TRUE(role.role);
  EXPECT_FALSE(role.ends_sessions()) << "roles are read on every request";
  EXPECT_TRUE(role.any());
}

int verdict(const std::string& who_role, const std::string& target_id,
            const std::string& target_role, const CredentialChange& change) {
  Principal who{"me", "t1", "me@x.example", "Me", who_role};
  Error::FieldErrors errors;
  try {
    check_credential_change(who, target_id, target_role, change, errors);
  } catch (const Error& e) {
    return e.status();
  }
  return errors.empty() ? 200 : 422;
}

TEST(CheckCredentialChange, OnlyOwnersChangeAdminsAndOwnersAndNoOneTheirOwnHere) {
  const CredentialChange email{true, false, false};
  const CredentialChange password{false, true, false};
  const CredentialChange role{false, false, true};
  const CredentialChange name_only{};
  for (const auto& change : {email, password, role}) {
    // Owners change anyone else.
    for (const char* target : {"owner", "admin", "user", "reporter"}) {
      EXPECT_EQ(verdict("owner", "other", target, change), 200) << target;
    }
    // Admins change users and reporters, not admins or owners.
    EXPECT_EQ(verdict("admin", "other", "owner", change), 403);
    EXPECT_EQ(verdict("admin", "other", "admin", change), 403);
    EXPECT_EQ(verdict("admin", "other", "user", change), 200);
    EXPECT_EQ(verdict("admin", "other", "reporter", change), 200);
  }
  // Nothing of the credentials changes: nothing to refuse here.
  EXPECT_EQ(verdict("admin", "other", "admin", name_only), 200);
  // One's own e-mail and password change at PATCH /api/v1/auth/me, whatever the role; one's
  // own role is the users collection's own refusal.
  for (const char* who : {"owner", "admin"}) {
    EXPECT_EQ(verdict(who, "me", who, email), 422) << who;
    EXPECT_EQ(verdict(who, "me", who, password), 422) << who;
    EXPECT_EQ(verdict(who, "me", who, role), 200) << who;
  }
  Principal owner{"me", "t1", "me@x.example", "Me", "owner"};
  Error::FieldErrors errors;
  check_credential_change(owner, "me", "owner", {true, true, false}, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].first, "email");
  EXPECT_EQ(errors[1].first, "password");
}

TEST(Checks, Password) {
  auto check = checks::password();
  EXPECT_FALSE(check(Json(std::string(10, 'x'))));
  EXPECT_FALSE(check(Json(std::string(256, 'x'))));
  EXPECT_TRUE(check(Json(std::string(9, 'x'))));
  EXPECT_TRUE(check(Json(std::string(257, 'x'))));
}

}  // namespace
}  // namespace pbx::admin
