// Webhook authentication as a pure decision: which credentials each webhook_auth mode accepts,
// which tenant they name, and why a delivery is refused.
#include "cloudonix/signature.hpp"
#include "core/crypto.hpp"
#include "webhooks/intake.hpp"

#include <gtest/gtest.h>

#include <map>

namespace pbx::webhooks {
namespace {

using std::chrono::system_clock;
using Entry = std::shared_ptr<const store::TenantEntry>;

const system_clock::time_point kNow{std::chrono::seconds(1772620200)};
constexpr const char* kBody = R"({"domain":"acme.cloudonix.net","token":"s1"})";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch()).count();
}

Entry tenant(const std::string& name, const std::string& mode) {
  auto e = std::make_shared<store::TenantEntry>();
  e->tenant.id = name + "-id";
  e->tenant.domain_name = name + ".cloudonix.net";
  e->tenant.webhook_auth = mode;
  e->requests_key_hash = crypto::sha256("pbxk_" + name);
  e->webhook_secrets.push_back({"pbxw_" + name, std::nullopt});
  e->webhook_tokens.push_back({crypto::sha256("pbxt_" + name), std::nullopt});
  return e;
}

// Tenants found the way the directory finds them: by key, by token valid now, by domain.
struct Tenants {
  std::vector<Entry> all;

  TenantLookup lookup() const {
    auto find = [this](auto match) {
      return [this, match](std::string_view v) -> Entry {
        for (const auto& e : all) {
          if (match(*e, v)) return e;
        }
        return nullptr;
      };
    };
    return {find([](const store::TenantEntry& e, std::string_view key) {
              return e.requests_key_hash == crypto::sha256(key);
            }),
            find([](const store::TenantEntry& e, std::string_view token) {
              return e.token_valid_at(crypto::sha256(token), kNow);
            }),
            find([](const store::TenantEntry& e, std::string_view domain) {
              return e.tenant.domain_name == domain;
            })};
  }
  AuthResult check(const Credentials& c, std::string_view body = kBody) const {
    return authenticate(c, body, lookup(), kNow);
  }
};

// A signature with a timestamp, as a sender that holds `secret` makes it. Credentials view
// its headers, so it must outlive them.
struct Signed {
  cloudonix::SignedHeaders headers;
  Credentials with(Credentials c) const {
    c.signature = headers.signature;
    c.timestamp = headers.timestamp;
    return c;
  }
};
Signed signed_by(const std::string& secret, std::int64_t at = unix_now()) {
  return {cloudonix::sign(secret, kBody, at)};
}

Credentials key(std::string_view k) {
  Credentials c;
  c.key = k;
  return c;
}
Credentials token(std::string_view t) {
  Credentials c;
  c.token = t;
  return c;
}
Credentials claiming(std::string domain) {
  Credentials c;
  c.domain_header = std::move(domain);
  return c;
}

TEST(WebhookAuth, EachModeAcceptsItsCredentials) {
  struct Row {
    const char* mode;
    bool signature, key, token;
  };
  for (const auto& row : {Row{"any", true, true, true}, Row{"hmac", true, false, false},
                          Row{"bearer", false, true, false}, Row{"url_token", false, false, true},
                          Row{"hmac_or_bearer", true, true, false}}) {
    SCOPED_TRACE(row.mode);
    auto accepted = accepted_by(row.mode);
    EXPECT_EQ(accepted.signature, row.signature);
    EXPECT_EQ(accepted.key, row.key);
    EXPECT_EQ(accepted.token, row.token);

    Tenants t{{tenant("acme", row.mode)}};
    auto by_signature = t.check(signed_by("pbxw_acme").with(claiming("acme.cloudonix.net")));
    auto by_key = t.check(key("pbxk_acme"));
    auto by_token = t.check(token("pbxt_acme"));
    EXPECT_EQ(by_signature.accepted(), row.signature);
    EXPECT_EQ(by_key.accepted(), row.key);
    EXPECT_EQ(by_token.accepted(), row.token);
    for (const auto* r : {&by_signature, &by_key, &by_token}) {
      if (r->accepted()) {
        EXPECT_EQ(r->tenant->tenant.id, "acme-id");
      } else {
        // A credential the tenant does not take counts as none.
        EXPECT_EQ(r->reason, Rejection::no_credentials) << r->message;
        EXPECT_EQ(r->error().status(), 401);
      }
    }
    // No mode accepts a delivery without a credential, even one that names the tenant.
    auto bare = t.check(claiming("acme.cloudonix.net"));
    EXPECT_FALSE(bare.accepted());
    EXPECT_EQ(bare.reason, Rejection::no_credentials);
    EXPECT_EQ(bare.error().status(), 401);
    EXPECT_EQ(bare.error().code(), "unauthorized");
  }
  EXPECT_FALSE(accepted_by("magic").signature || accepted_by("magic").key ||
               accepted_by("magic").token);
  Tenants odd{{tenant("acme", "magic")}};
  EXPECT_FALSE(odd.check(key("pbxk_acme")).accepted());
}

TEST(WebhookAuth, AnyAcceptsWhicheverCredentialVerifies) {
  Tenants t{{tenant("acme", "any"), tenant("other", "any")}};
  // A valid one next to a bad one is enough.
  auto wrong = signed_by("pbxw_wrong");
  auto c = wrong.with(claiming("acme.cloudonix.net"));
  c.token = "pbxt_acme";
  EXPECT_TRUE(t.check(c).accepted());
  c = key("pbxk_forged");
  c.token = "pbxt_acme";
  EXPECT_TRUE(t.check(c).accepted());
  auto good = signed_by("pbxw_acme");
  c = good.with(key("pbxk_forged"));
  c.domain_header = "acme.cloudonix.net";
  EXPECT_TRUE(t.check(c).accepted());
  // X-CX-APIKey and Bearer arrive the same way (http::requests_api_key): as `key`.
  EXPECT_EQ(t.check(key("pbxk_other")).tenant->tenant.id, "other-id");
}

TEST(WebhookAuth, ForgedOrWrongCredentialsAreRefusedWithTheirReason) {
  Tenants t{{tenant("acme", "any"), tenant("hmac", "hmac")}};
  auto forged_token = t.check(token("pbxt_forged"));
  EXPECT_EQ(forged_token.reason, Rejection::unknown_key);
  EXPECT_EQ(forged_token.error().status(), 401);
  EXPECT_EQ(t.check(key("pbxk_wrong")).reason, Rejection::unknown_key);
  // Another tenant's token is not this one's: it names its own tenant.
  EXPECT_EQ(t.check(token("pbxt_acme")).tenant->tenant.id, "acme-id");

  auto bad = t.check(signed_by("pbxw_wrong").with(claiming("acme.cloudonix.net")));
  EXPECT_EQ(bad.reason, Rejection::bad_signature);
  EXPECT_EQ(bad.error().status(), 401);
  // A signature over other bytes than those received.
  auto altered = t.check(signed_by("pbxw_acme").with(claiming("acme.cloudonix.net")),
                         R"({"domain":"acme.cloudonix.net","token":"s2"})");
  EXPECT_EQ(altered.reason, Rejection::bad_signature);
  // A signature without its timestamp where the tenant requires one.
  auto untimestamped = claiming("acme.cloudonix.net");
  auto untimestamped_headers = cloudonix::sign("pbxw_acme", kBody, std::nullopt);
  untimestamped.signature = untimestamped_headers.signature;
  EXPECT_EQ(t.check(untimestamped).reason, Rejection::bad_signature);
  // A signature that names no tenant.
  EXPECT_EQ(t.check(signed_by("pbxw_acme").with(claiming("nobody.cloudonix.net"))).reason,
            Rejection::wrong_domain);
  EXPECT_EQ(t.check(signed_by("pbxw_acme").with({})).reason, Rejection::wrong_domain);
  // Nothing at all.
  EXPECT_EQ(t.check({}).reason, Rejection::no_credentials);
}

TEST(WebhookAuth, StaleSignaturesAre400AndOnlyForTheSecretsHolder) {
  Tenants t{{tenant("acme", "any")}};
  auto stale =
      t.check(signed_by("pbxw_acme", unix_now() - 301).with(claiming("acme.cloudonix.net")));
  EXPECT_FALSE(stale.accepted());
  EXPECT_EQ(stale.reason, Rejection::stale_timestamp);
  EXPECT_EQ(stale.error().status(), 400);
  EXPECT_EQ(stale.error().code(), "stale_timestamp");
  auto forged_and_stale =
      t.check(signed_by("pbxw_wrong", unix_now() - 301).with(claiming("acme.cloudonix.net")));
  EXPECT_EQ(forged_and_stale.reason, Rejection::bad_signature);
  // A stale signature next to a forged token: the authentic sender is told its clock is off.
  auto old = signed_by("pbxw_acme", unix_now() - 301);
  auto c = old.with(token("pbxt_forged"));
  c.domain_header = "acme.cloudonix.net";
  EXPECT_EQ(t.check(c).reason, Rejection::stale_timestamp);
  // ... but a credential that verifies wins over a stale signature.
  c.token = "pbxt_acme";
  EXPECT_TRUE(t.check(c).accepted());
}

TEST(WebhookAuth, TheDomainHeaderMustNameTheCredentialsTenant) {
  Tenants t{{tenant("acme", "any"), tenant("other", "any")}};
  auto c = key("pbxk_other");
  c.domain_header = "acme.cloudonix.net";
  auto r = t.check(c);
  EXPECT_FALSE(r.accepted());
  EXPECT_EQ(r.reason, Rejection::wrong_domain);
  EXPECT_EQ(r.error().status(), 401);
  c = token("pbxt_other");
  c.domain_header = "acme.cloudonix.net";
  EXPECT_EQ(t.check(c).reason, Rejection::wrong_domain);
  // Two credentials that verify for different tenants.
  c = key("pbxk_other");
  c.token = "pbxt_acme";
  EXPECT_EQ(t.check(c).reason, Rejection::wrong_domain);
  // A header that names no tenant (yet) does not stand in the way of a key or token.
  c = token("pbxt_acme");
  c.domain_header = "unknown.example";
  EXPECT_EQ(t.check(c).tenant->tenant.id, "acme-id");
  // The key or token names the tenant, whatever the payload says.
  c = key("pbxk_other");
  c.payload_domain = "acme.cloudonix.net";
  EXPECT_EQ(t.check(c).tenant->tenant.id, "other-id");
}

TEST(WebhookAuth, ASignatureIsCheckedForTheHeadersDomainElseThePayloads) {
  Tenants t{{tenant("acme", "any"), tenant("other", "any")}};
  auto acme = signed_by("pbxw_acme");
  Credentials c = acme.with({});
  c.payload_domain = "acme.cloudonix.net";
  EXPECT_EQ(t.check(c).tenant->tenant.id, "acme-id");
  // The header wins over the payload...
  c.domain_header = "other.cloudonix.net";
  EXPECT_EQ(t.check(c).reason, Rejection::bad_signature);
  c.domain_header = "acme.cloudonix.net";
  c.payload_domain = "other.cloudonix.net";
  EXPECT_EQ(t.check(c).tenant->tenant.id, "acme-id");
  // ... also when it names no tenant.
  c.domain_header = "nobody.cloudonix.net";
  c.payload_domain = "acme.cloudonix.net";
  EXPECT_EQ(t.check(c).reason, Rejection::wrong_domain);
}

TEST(WebhookAuth, TheMostTellingReasonIsGiven) {
  Tenants t{{tenant("acme", "any"), tenant("strict", "hmac")}};
  // A key the tenant does not take and a forged token: the forgery is the story.
  auto c = key("pbxk_strict");
  c.token = "pbxt_forged";
  EXPECT_EQ(t.check(c).reason, Rejection::unknown_key);
  // A bad signature outranks an unknown key.
  auto wrong = signed_by("pbxw_wrong");
  c = wrong.with(key("pbxk_forged"));
  c.domain_header = "acme.cloudonix.net";
  EXPECT_EQ(t.check(c).reason, Rejection::bad_signature);
  // An unknown domain outranks a bad key.
  auto good = signed_by("pbxw_acme");
  c = good.with(key("pbxk_forged"));
  c.domain_header = "nobody.example";
  EXPECT_EQ(t.check(c).reason, Rejection::wrong_domain);
  for (auto r : {Rejection::no_credentials, Rejection::bad_signature, Rejection::stale_timestamp,
                 Rejection::unknown_key, Rejection::wrong_domain}) {
    EXPECT_FALSE(to_string(r).empty());
  }
  EXPECT_EQ(to_string(Rejection::no_credentials), "no_credentials");
  EXPECT_EQ(to_string(Rejection::wrong_domain), "wrong_domain");
}

TEST(WebhookAuth, RotatedTokensStayValidUntilTheyExpire) {
  store::TenantEntry e;
  auto fresh = crypto::sha256("pbxt_new");
  auto previous = crypto::sha256("pbxt_old");
  auto gone = crypto::sha256("pbxt_gone");
  e.webhook_tokens = {{fresh, std::nullopt},
                      {previous, kNow + std::chrono::hours(24)},
                      {gone, kNow - std::chrono::seconds(1)}};
  EXPECT_TRUE(e.token_valid_at(fresh, kNow));
  EXPECT_TRUE(e.token_valid_at(previous, kNow));
  EXPECT_FALSE(e.token_valid_at(previous, kNow + std::chrono::hours(25)));
  EXPECT_FALSE(e.token_valid_at(gone, kNow));
  EXPECT_FALSE(e.token_valid_at(crypto::sha256("pbxt_other"), kNow));
  EXPECT_FALSE(e.token_valid_at("", kNow));
}

TEST(WebhookAuth, CredentialsAreReadFromTheRequest) {
  http::Request req;
  req.headers = {{"authorization", "Bearer pbxk_acme"},
                 {"x-cloudonix-signature", "sha256=00"},
                 {"x-cloudonix-timestamp", "17"},
                 {"x-cx-domain", "acme.cloudonix.net"}};
  req.query = {{"state", "x"}, {"token", "pbxt_acme"}};
  auto body = nlohmann::json{{"domain", "payload.cloudonix.net"}};
  auto c = credentials_of(req, body);
  EXPECT_EQ(c.key, "pbxk_acme");
  EXPECT_EQ(c.token, "pbxt_acme");
  EXPECT_EQ(c.signature, "sha256=00");
  EXPECT_EQ(c.timestamp, "17");
  EXPECT_EQ(c.domain_header, "acme.cloudonix.net");
  EXPECT_EQ(c.payload_domain, "payload.cloudonix.net");

  http::Request other;
  other.headers = {{"x-cx-apikey", "pbxk_other"}, {"x-cloudonix-signature", "  "}};
  auto d = credentials_of(other, std::nullopt);
  EXPECT_EQ(d.key, "pbxk_other");
  EXPECT_TRUE(d.token.empty());
  EXPECT_FALSE(d.signature);
  EXPECT_TRUE(d.domain_header.empty());
  EXPECT_TRUE(d.payload_domain.empty());
  auto owner = nlohmann::json{{"owner", {{"domain", {{"uuid", "u-1"}}}}}};
  EXPECT_EQ(credentials_of(other, owner).payload_domain, "u-1");
}

}  // namespace
}  // namespace pbx::webhooks
