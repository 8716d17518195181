// Who may do what in the admin API: the role matrix, tenant isolation, users and settings,
// Idempotency-Key, rate limits and security headers, over HTTP against the running service.
#include "e2e/admin_fixture.hpp"
#include "support/raw_http.hpp"
#include "support/voice.hpp"

#include <cctype>
#include <thread>

namespace pbx::testing {
namespace {

using Admin = AdminE2E;
using nlohmann::json;

// A valid new object of each collection.
json sample(const std::string& path) {
  static int n = 0;
  ++n;
  if (path == "/api/v1/extensions") return {{"number", std::to_string(6000 + n)}};
  if (path == "/api/v1/phone-numbers") {
    return {{"number", "+1646555" + std::to_string(1000 + n)},
            {"destination", {{"type", "hangup"}}}};
  }
  if (path == "/api/v1/ring-groups") return {{"name", "G" + std::to_string(n)}};
  if (path == "/api/v1/ivr-menus") return {{"name", "M"}, {"prompt", {{"say", "Hello"}}}};
  if (path == "/api/v1/business-hours") {
    return {{"name", "H"},
            {"open_destination", {{"type", "hangup"}}},
            {"closed_destination", {{"type", "hangup"}}}};
  }
  return {{"email", "u" + std::to_string(n) + "@admin.example"},
          {"role", "reporter"},
          {"password", "a-long-password"}};
}

// Rate limits count in fixed one-minute windows: a burst that must land in one window starts
// early enough in it.
void wait_for_a_fresh_minute_if_near_its_end() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto into_minute = std::chrono::duration_cast<std::chrono::seconds>(now).count() % 60;
  if (into_minute > 50) std::this_thread::sleep_for(std::chrono::seconds(61 - into_minute));
}

// The e-mail with the case of its letters flipped by the bits of n.
std::string case_variant(const std::string& email, unsigned n) {
  std::string out = email;
  unsigned bit = 0;
  for (auto& c : out) {
    if (std::isalpha(static_cast<unsigned char>(c)) == 0) continue;
    if (((n >> (bit++ % 16)) & 1U) != 0) c = static_cast<char>(std::toupper(c));
  }
  return out;
}

const std::vector<std::string> kCollections{"/api/v1/extensions",     "/api/v1/phone-numbers",
                                            "/api/v1/ring-groups",    "/api/v1/ivr-menus",
                                            "/api/v1/business-hours", "/api/v1/users"};

TEST_F(Admin, RoleMatrix) {
  for (const auto& path : kCollections) {
    bool users = path == "/api/v1/users";
    for (const std::string role : {"owner", "admin", "user", "reporter"}) {
      bool may_write = role == "owner" || role == "admin";
      bool may_read = may_write || (role == "user" && !users);
      EXPECT_EQ(as(role).get(path).status, may_read ? 200 : 403) << role << " GET " << path;
      auto created = as(role).post(path, sample(path));
      EXPECT_EQ(created.status, may_write ? 201 : 403)
          << role << " POST " << path << created.body.dump();
      auto id = may_write ? created.id() : owner_->post(path, sample(path)).id();
      EXPECT_EQ(as(role).patch(path + "/" + id, json::object()).status, may_write ? 200 : 403)
          << role << " PATCH " << path;
      EXPECT_EQ(as(role).del(path + "/" + id).status, may_write ? 204 : 403)
          << role << " DELETE " << path;
    }
  }
  EXPECT_EQ(as("admin").get("/api/v1/settings").status, 200);
  EXPECT_EQ(as("admin").patch("/api/v1/settings", {{"timezone", "UTC"}}).status, 403);
  EXPECT_EQ(as("user").get("/api/v1/settings").status, 403);
  EXPECT_EQ(as("reporter").post("/api/v1/settings/requests-key", json::object()).status, 403);
  EXPECT_EQ(as("reporter").get("/api/v1/voicemails").status, 403);
  EXPECT_EQ(as("reporter").get("/api/v1/auth/me").status, 200);
}

TEST_F(Admin, AnotherTenantsObjectsAreNotFoundEverywhere) {
  for (const auto& path : kCollections) {
    auto id = owner_->post(path, sample(path)).id();
    ASSERT_FALSE(id.empty()) << path;
    EXPECT_EQ(rival_->get(path + "/" + id).status, 404) << path;
    EXPECT_EQ(rival_->patch(path + "/" + id, json::object()).status, 404) << path;
    EXPECT_EQ(rival_->del(path + "/" + id).status, 404) << path;
    auto theirs = rival_->get(path + "?limit=500");
    for (const auto& item : theirs.body["data"]) {
      EXPECT_NE(item["id"], id) << path;
    }
    EXPECT_EQ(owner_->get(path + "/" + id).status, 200) << "still there: " << path;
  }
  auto vm_ext = owner_->post("/api/v1/extensions", sample("/api/v1/extensions")).id();
  TestEnv::get().pg().execute(
      "INSERT INTO voicemails (tenant_id, extension_id, recording_url) VALUES ('" + a_->id +
      "', '" + vm_ext + "', 'https://rec.example/x-tenant.mp3')");
  auto vm =
      scalar("SELECT id FROM voicemails WHERE recording_url = 'https://rec.example/x-tenant.mp3'");
  EXPECT_EQ(rival_->get("/api/v1/voicemails/" + vm).status, 404);
  EXPECT_EQ(rival_->patch("/api/v1/voicemails/" + vm, {{"read", true}}).status, 404);
  EXPECT_EQ(rival_->del("/api/v1/voicemails/" + vm).status, 404);
}

TEST_F(Admin, UsersCannotGrantThemselvesMore) {
  auto promote = as("admin").post(
      "/api/v1/users",
      {{"email", "boss@admin.example"}, {"role", "owner"}, {"password", "a-long-password"}});
  EXPECT_EQ(promote.status, 422);
  EXPECT_TRUE(promote.fields().contains("role"));
  auto self = as("admin").patch("/api/v1/users/" + user_ids_["admin"], {{"role", "owner"}});
  EXPECT_EQ(self.status, 422);
  auto owner_id = scalar("SELECT id FROM users WHERE email = 'owner@admin.cloudonix.net'");
  EXPECT_EQ(as("admin").patch("/api/v1/users/" + owner_id, {{"name", "x"}}).status, 403);
  EXPECT_EQ(as("admin").del("/api/v1/users/" + owner_id).status, 403);
  EXPECT_EQ(owner_->del("/api/v1/users/" + owner_id).status, 409);
  auto shown = owner_->get("/api/v1/users/" + user_ids_["reporter"]);
  EXPECT_FALSE(shown.body.contains("password"));
  EXPECT_FALSE(shown.body.contains("password_hash"));
  auto weak = owner_->post("/api/v1/users",
                           {{"email", "not-an-email"}, {"role", "user"}, {"password", "short"}});
  EXPECT_TRUE(weak.fields().contains("email"));
  EXPECT_TRUE(weak.fields().contains("password"));
  auto dup = owner_->post(
      "/api/v1/users",
      {{"email", "admin@admin.example"}, {"role", "user"}, {"password", "a-long-password"}});
  EXPECT_EQ(dup.fields()["email"][0], "already exists");
  // A changed password works at the next login. (A user of its own: the change signs the user
  // out, and the suite's reporter stays signed in.)
  auto rita = owner_->post(
      "/api/v1/users",
      {{"email", "rita@admin.example"}, {"role", "reporter"}, {"password", "a-long-password"}});
  owner_->patch("/api/v1/users/" + rita.id(), {{"password", "another-long-password"}});
  EXPECT_FALSE(login(svc_->base_url(), "rita@admin.example", "another-long-password").empty());
}

TEST_F(Admin, SettingsShowUrlsNeverKeysAndRotateThem) {
  auto s = owner_->get("/api/v1/settings");
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(s.body["domain_name"], "admin.cloudonix.net");
  EXPECT_EQ(s.body["requests_key_set"], true);
  EXPECT_TRUE(s.body["webhook_urls"].contains("voice_route"));
  EXPECT_EQ(s.body.dump().find(a_->requests_api_key), std::string::npos);
  EXPECT_EQ(s.body.dump().find(a_->webhook_secret), std::string::npos);
  auto bad = owner_->patch("/api/v1/settings", {{"timezone", "Nowhere/City"},
                                                {"webhook_auth", "magic"},
                                                {"public_base_url", "ftp://x"},
                                                {"requests_key_hash", "00"}});
  EXPECT_EQ(bad.fields().size(), 4u) << bad.body.dump();
  auto ok = owner_->patch("/api/v1/settings", {{"timezone", "America/New_York"},
                                               {"public_base_url", "https://pbx.admin.example/"}});
  EXPECT_EQ(ok.body["timezone"], "America/New_York");
  EXPECT_EQ(ok.body["webhook_urls"]["cdr"], "https://pbx.admin.example/api/webhooks/cloudonix/cdr");

  auto key = owner_->post("/api/v1/settings/requests-key", json::object());
  ASSERT_EQ(key.status, 200);
  auto fresh = key.body["requests_api_key"].get<std::string>();
  EXPECT_EQ(key.headers["cache-control"], "no-store");
  VoiceClient old_key(svc_->base_url(), a_->requests_api_key, "");
  VoiceClient new_key(svc_->base_url(), fresh, "");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(new_key.route({{"To", "+10000000000"}}).status, 200);
  EXPECT_EQ(key.body["previous_key_valid_for"], "24 hours");
  EXPECT_EQ(old_key.route({{"To", "+10000000000"}}).status, 200)
      << "the previous key stays valid for its grace period";
  EXPECT_EQ(owner_->del("/api/v1/settings/requests-key/previous").status, 204);
  EXPECT_EQ(old_key.route({{"To", "+10000000000"}}).status, 401);
  EXPECT_EQ(new_key.route({{"To", "+10000000000"}}).status, 200);
  a_->requests_api_key = fresh;

  auto secret = owner_->post("/api/v1/settings/webhook-secret", json::object());
  ASSERT_EQ(secret.status, 200);
  EXPECT_EQ(owner_->get("/api/v1/settings").body["webhook_secrets_valid"], 2)
      << "the previous secret stays valid for its grace period";
}

TEST_F(Admin, IdempotentPostAnswersTheFirstAnswerAgain) {
  json body = {{"number", "8801"}, {"name", "Once"}};
  auto first = owner_->post("/api/v1/extensions", body, {{"Idempotency-Key", "k-8801"}});
  ASSERT_EQ(first.status, 201);
  auto second = owner_->post("/api/v1/extensions", body, {{"Idempotency-Key", "k-8801"}});
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.headers["idempotent-replayed"], "true");
  EXPECT_EQ(scalar("SELECT count(*) FROM extensions WHERE number = '8801'"), "1");
  auto other =
      owner_->post("/api/v1/extensions", {{"number", "8802"}}, {{"Idempotency-Key", "k-8801"}});
  EXPECT_EQ(other.status, 422);
  EXPECT_TRUE(other.fields().contains("Idempotency-Key"));
  // A refused request does not use the key up.
  auto invalid =
      owner_->post("/api/v1/extensions", {{"number", "x"}}, {{"Idempotency-Key", "k-2"}});
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(
      owner_->post("/api/v1/extensions", {{"number", "8803"}}, {{"Idempotency-Key", "k-2"}}).status,
      201);
  // Keys belong to their tenant.
  EXPECT_EQ(rival_->post("/api/v1/extensions", body, {{"Idempotency-Key", "k-8801"}}).status, 201);
}

TEST_F(Admin, RateLimitedPerTokenWith429AndRetryAfter) {
  auto env = *env_;
  env["PBX_ADMIN_RATE_PER_TOKEN"] = "5";
  ServiceProcess limited({"serve"}, env);
  limited.wait_healthy();
  // A token of its own, so that no other test's requests count in this minute.
  auto token = login(limited.base_url(), "owner@rival.cloudonix.net", "owner-password-1");
  ASSERT_FALSE(token.empty());
  AdminClient client(limited.base_url(), token);
  int ok = 0;
  ApiResult last;
  for (int i = 0; i < 8; ++i) {
    last = client.get("/api/v1/extensions");
    if (last.status == 200) ++ok;
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(last.status, 429);
  EXPECT_EQ(last.body["error"]["code"], "rate_limited");
  EXPECT_FALSE(last.headers["retry-after"].empty());
  // The execution plane is never rate limited.
  VoiceClient voice(limited.base_url(), b_->requests_api_key, "");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(voice.route({{"To", "+10000000000"}}).status, 200);
}

TEST_F(Admin, LoggingOutRevokesTheToken) {
  auto token = login(svc_->base_url(), "owner@admin.cloudonix.net", "owner-password-1");
  ASSERT_FALSE(token.empty());
  AdminClient session(svc_->base_url(), token);
  EXPECT_EQ(session.get("/api/v1/auth/me").status, 200);
  EXPECT_EQ(session.post("/api/v1/auth/logout", nlohmann::json::object()).status, 204);
  EXPECT_EQ(session.get("/api/v1/auth/me").status, 401);
  EXPECT_EQ(scalar("SELECT count(*) FROM admin_tokens WHERE revoked_at IS NOT NULL"), "1");
}

TEST_F(Admin, AnswersCarrySecurityHeadersAndErrorsTheContractBody) {
  auto r = owner_->get("/api/v1/extensions/00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body["error"]["code"], "not_found");
  EXPECT_FALSE(r.body["error"]["request_id"].get<std::string>().empty());
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  AdminClient nobody(svc_->base_url(), "pbxa_nope");
  EXPECT_EQ(nobody.get("/api/v1/extensions").status, 401);
  auto wrong_method = owner_->send("PUT", "/api/v1/extensions", "{}");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_FALSE(wrong_method.headers["allow"].empty());
}

// The per-account login limit keys on the e-mail as the lookup reads it, so varying its case
// changes nothing; after 10 failures the account waits, whichever password comes next.
TEST_F(Admin, LoginLimitHoldsWhateverTheCaseOfTheEmail) {
  ASSERT_EQ(owner_
                ->post("/api/v1/users", {{"email", "casey@admin.example"},
                                         {"role", "user"},
                                         {"password", "casey-password-1"}})
                .status,
            201);
  // Behind a trusted proxy every attempt comes from an address of its own: only the
  // per-account limit can refuse them.
  auto env = *env_;
  env["PBX_TRUSTED_PROXIES"] = "127.0.0.1";
  ServiceProcess proxied({"serve"}, env);
  proxied.wait_healthy();
  HttpClient http;
  auto attempt = [&](unsigned n, const std::string& password) {
    return http.post_json(
        proxied.base_url() + "/api/v1/auth/login",
        json{{"email", case_variant("casey@admin.example", n)}, {"password", password}}.dump(),
        {{"X-Forwarded-For", "198.51.100." + std::to_string(n)}});
  };
  for (unsigned n = 1; n <= 14; ++n) {
    auto r = attempt(n, "wrong-password");
    if (n <= 10) {
      EXPECT_EQ(r.status, 401) << "attempt " << n;
    } else {
      ASSERT_EQ(r.status, 429) << "attempt " << n << " as " << case_variant("casey", n);
      int retry = std::stoi(r.headers["retry-after"]);
      EXPECT_GE(retry, 1);
      EXPECT_LE(retry, 60);
    }
  }
  EXPECT_EQ(attempt(15, "casey-password-1").status, 429) << "the account waits out its backoff";
  EXPECT_EQ(attempt(16, "casey-password-1").headers.count("retry-after"), 1u);
}

// X-Forwarded-For names the client only when the connection comes from a trusted proxy.
TEST_F(Admin, ForwardedForIsHonouredOnlyFromTrustedProxies) {
  auto get_as = [&](ServiceProcess& svc, const std::string& forwarded_for) {
    HttpClient http;
    return http
        .get(svc.base_url() + "/api/v1/auth/me",
             {{"Authorization", "Bearer " + a_->admin_token}, {"X-Forwarded-For", forwarded_for}})
        .status;
  };
  auto env = *env_;
  env["PBX_ADMIN_RATE_PER_IP"] = "3";
  env["PBX_TRUSTED_PROXIES"] = "10.0.0.0/8, 2001:db8::/32";
  ServiceProcess untrusted({"serve"}, env);
  env["PBX_TRUSTED_PROXIES"] = "10.0.0.0/8,127.0.0.1";
  ServiceProcess trusted({"serve"}, env);
  untrusted.wait_healthy();
  trusted.wait_healthy();
  wait_for_a_fresh_minute_if_near_its_end();

  // From an untrusted peer the header is ignored: every request counts against 127.0.0.1.
  int last = 0;
  for (int n = 1; n <= 4; ++n) last = get_as(untrusted, "203.0.113." + std::to_string(n));
  EXPECT_EQ(last, 429);

  // From a trusted peer the client is the last address not itself a trusted proxy.
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(get_as(trusted, n == 2 ? "203.0.113.50, 10.1.2.3" : "203.0.113.50"), 200) << n;
  }
  EXPECT_EQ(get_as(trusted, "198.18.0.1, 203.0.113.50"), 429);
  // A proxy may add its own line after one the client sent: the lines count in order.
  RawConnection c(trusted.port());
  ASSERT_TRUE(c.send("GET /api/v1/auth/me HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " +
                     a_->admin_token +
                     "\r\nX-Forwarded-For: 203.0.113.52\r\nx-forwarded-for: 203.0.113.50\r\n"
                     "Connection: close\r\n\r\n"));
  EXPECT_EQ(c.read_response(std::chrono::seconds(10)).status, 429);
  EXPECT_EQ(get_as(trusted, "203.0.113.51"), 200) << "another client has a limit of its own";
}

// Cache-Control is decided from the route the request reached, not from how its path was
// spelled: every spelling either reaches no route or carries no-store.
TEST_F(Admin, OneTimeKeyIsNeverCacheableWhateverThePathSpelling) {
  for (const std::string path :
       {"/api/v1/settings/requests-key", "//api/v1/settings/requests-key",
        "/api//v1/settings/requests-key", "/api/v1/./settings/requests-key",
        "/api/v1/%73ettings/requests-key", "/api/v1/settings%2Frequests-key"}) {
    RawConnection c(svc_->port());
    ASSERT_TRUE(c.send("POST " + path + " HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " +
                       a_->admin_token +
                       "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\n{}"));
    auto r = c.read_response(std::chrono::seconds(10));
    ASSERT_NE(r.status, 0) << path;
    EXPECT_EQ(r.headers["cache-control"], "no-store") << path << " answered " << r.status;
    if (path == "/api/v1/settings/requests-key" || path == "//api/v1/settings/requests-key") {
      EXPECT_EQ(r.status, 200) << path;
    }
    if (r.status == 200) {
      a_->requests_api_key = json::parse(r.body)["requests_api_key"].get<std::string>();
    }
  }
}

}  // namespace
}  // namespace pbx::testing

namespace pbx::testing {
namespace {

TEST_F(Admin, OpenApiDocumentsEveryRouteTheServerServes) {
  HttpClient http;
  auto r = http.get(svc_->base_url() + "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  auto doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  int operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) {
      ++operations;
      EXPECT_FALSE(op.contains("x-undocumented")) << method << " " << path;
      EXPECT_FALSE(op.value("summary", "").empty()) << method << " " << path;
      // Each documented operation is served: the router neither misses the path nor the method.
      std::string concrete = path;
      for (auto open = concrete.find('{'); open != std::string::npos; open = concrete.find('{')) {
        concrete.replace(open, concrete.find('}', open) - open + 1,
                         "00000000-0000-4000-8000-000000000000");
      }
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      auto answer = http.request(upper, svc_->base_url() + concrete, "",
                                 {{"Content-Type", "application/json"}});
      EXPECT_NE(answer.status, 405) << upper << " " << concrete;
      EXPECT_EQ(answer.body.find("no such resource"), std::string::npos)
          << upper << " " << concrete;
    }
  }
  EXPECT_GE(operations, 40);
  const auto& ext = doc["components"]["schemas"]["extensions"];
  EXPECT_TRUE(ext["properties"].contains("ring_timeout"));
  EXPECT_EQ(ext["required"], nlohmann::json::array({"number"}));
  EXPECT_TRUE(doc["components"]["schemas"]["users"]["properties"]["password"]["writeOnly"]);
}

}  // namespace
}  // namespace pbx::testing
