// Extensions become Cloudonix subscribers and phone numbers DNIDs, through the outbox and the
// sync worker of the running service, against `pbxd cloudonix-double` as a separate process.
#include "core/crypto.hpp"
#include "core/secret_box.hpp"
#include "support/admin_client.hpp"
#include "support/eventually.hpp"
#include "support/test_env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <set>
#include <thread>

namespace pbx::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kDomain = "subs.cloudonix.net";
constexpr const char* kKey = "XIsubscribers0000000000000000000001";

// `pbxd cloudonix-double` serving kDomain with kKey.
class DoubleProcess {
 public:
  explicit DoubleProcess(const Env& env)
      : dir_(make_temp_dir("pbx-cxd-")),
        port_(free_port()),
        process_({PBX_BINARY, "cloudonix-double", "--port", std::to_string(port_), "--domain",
                  kDomain, "--key", kKey},
                 env, dir_ + "/double.log") {
    wait_up();
  }
  ~DoubleProcess() {
    process_.signal(SIGCONT);
    process_.kill_and_wait();
    if (!::testing::Test::HasFailure()) remove_tree(dir_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log_text() const { return read_file(dir_ + "/double.log"); }
  void stop() { process_.signal(SIGSTOP); }  // still listening, answering nothing
  void resume() { process_.signal(SIGCONT); }

  Json control(const std::string& method, const std::string& path, const Json& body = nullptr) {
    auto r = http_.request(method, url() + "/_double" + path, body.is_null() ? "" : body.dump(),
                           {{"Content-Type", "application/json"}});
    EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
    return r.body.empty() ? Json() : Json::parse(r.body, nullptr, false);
  }
  // Cloudonix's API as the domain's key holder calls it (to make drift).
  // A change made on Cloudonix's side, by someone who shares the domain's rate limit with pbxd
  // and so waits out a 429 like any client of Cloudonix.
  int api(const std::string& method, const std::string& rest, const Json& body = nullptr) {
    int status = 0;
    eventually(
        [&] {
          status = http_
                       .request(method, url() + "/customers/self/domains/" + kDomain + rest,
                                body.is_null() ? "" : body.dump(),
                                {{"Authorization", std::string("Bearer ") + kKey},
                                 {"Content-Type", "application/json"}})
                       .status;
          return status != 429;
        },
        10s, {250ms, 250ms});
    return status;
  }
  Json api_json(const std::string& method, const std::string& rest, const Json& body) {
    auto r = http_.request(
        method, url() + "/customers/self/domains/" + kDomain + rest, body.dump(),
        {{"Authorization", std::string("Bearer ") + kKey}, {"Content-Type", "application/json"}});
    return Json::parse(r.body, nullptr, false);
  }
  Json domain_state() { return control("GET", "/state")["domains"][kDomain]; }
  // The subscriber of that MSISDN, or null.
  Json subscriber(const std::string& msisdn) {
    auto state = domain_state();
    for (const auto& s : state["subscribers"]) {
      if (s.value("msisdn", "") == msisdn) return s;
    }
    return nullptr;
  }
  int subscribers_with(const std::string& msisdn) {
    int n = 0;
    auto state = domain_state();
    for (const auto& s : state["subscribers"]) n += s.value("msisdn", "") == msisdn;
    return n;
  }
  Json requests() { return control("GET", "/log"); }

 private:
  void wait_up() {
    if (eventually(
            [&] {
              return http_.request("GET", url() + "/_double/health", "", {}, 1s).status == 200;
            },
            10s)) {
      return;
    }
    FAIL() << "the Cloudonix double did not start:\n" << log_text();
  }

  std::string dir_;
  int port_;
  ChildProcess process_;
  HttpClient http_;
};

class CloudonixSubscribers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env(TestEnv::get().migrated_env());
    double_ = new DoubleProcess(*env_);
    (*env_)["PBX_CLOUDONIX_API_URL"] = double_->url();
    (*env_)["PBX_LOG_LEVEL"] = "debug";
    // These tests poll the admin API while the sync converges, far faster than people do; the
    // admin rate limits have tests of their own.
    (*env_)["PBX_ADMIN_RATE_PER_TOKEN"] = "1000000";
    (*env_)["PBX_ADMIN_RATE_PER_IP"] = "1000000";
    tenant_ = new TenantCredentials(bootstrap_tenant(*env_, kDomain));
    unpaired_ = new TenantCredentials(bootstrap_tenant(*env_, "unpaired.cloudonix.net"));
    svc_ = new ServiceProcess({"serve"}, *env_);
    svc_->wait_healthy();
    owner_ = new AdminClient(svc_->base_url(), tenant_->admin_token);
    pair();
  }
  static void TearDownTestSuite() {
    delete owner_;
    delete svc_;
    delete tenant_;
    delete unpaired_;
    delete double_;
    delete env_;
  }
  void TearDown() override {
    double_->resume();
    double_->control("PUT", "/switches", {{"fault", nullptr}});
  }

  // Pairs the tenant with the double as pairing leaves it: the sealed key, the domain, our
  // voice application.
  static void pair() {
    auto app = double_->api_json("POST", "/applications",
                                 {{"name", "pbxd"},
                                  {"type", "cxml"},
                                  {"url", svc_->base_url() + "/api/voice/route"},
                                  {"method", "POST"},
                                  {"profile", Json::object()}});
    ASSERT_TRUE(app.contains("id")) << app.dump();
    crypto::SecretBox box({*crypto::from_hex(kSecretKey)});
    auto sealed = box.seal(kKey, "cloudonix_api_key:" + tenant_->id);
    TestEnv::get().pg().execute(
        "INSERT INTO cloudonix_links (tenant_id, api_key_sealed, domain_name, application_id,"
        " application_name, paired_at) VALUES ('" +
        tenant_->id + "', '" + sealed + "', '" + kDomain + "', " +
        std::to_string(app["id"].get<long long>()) + ", 'pbxd', now())");
  }

  static std::string next_number() {
    static int n = 200;
    return std::to_string(++n);
  }
  static ApiResult new_extension(const std::string& number, Json extra = Json::object()) {
    extra["number"] = number;
    extra["name"] = "Ext " + number;
    auto r = owner_->post("/api/v1/extensions", extra);
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r;
  }
  static std::string sync_of(const std::string& id) {
    return owner_->get("/api/v1/extensions/" + id).body.value("cloudonix_sync", "");
  }
  static bool synced(const std::string& id) { return sync_of(id) == "synced"; }
  static bool outbox_empty() {
    return TestEnv::get().pg().query_scalar("SELECT count(*) FROM cloudonix_outbox") == "0";
  }
  // Requests of the double's log with that method and path end (and status, when given).
  static int count_requests(const Json& log, const std::string& method, const std::string& path_end,
                            int status = 0) {
    int n = 0;
    for (const auto& r : log) {
      auto path = r.value("path", "");
      n += r.value("method", "") == method && path.size() >= path_end.size() &&
           path.compare(path.size() - path_end.size(), path_end.size(), path_end) == 0 &&
           (status == 0 || r.value("status", 0) == status);
    }
    return n;
  }

  static inline Env* env_ = nullptr;
  static inline DoubleProcess* double_ = nullptr;
  static inline TenantCredentials* tenant_ = nullptr;
  static inline TenantCredentials* unpaired_ = nullptr;
  static inline ServiceProcess* svc_ = nullptr;
  static inline AdminClient* owner_ = nullptr;
};

TEST_F(CloudonixSubscribers, ExtensionsCreateUpdateDeactivateAndDeleteSubscribers) {
  auto number = next_number();
  auto created = new_extension(number);
  auto id = created.id();
  auto password = created.body.value("sip_password", "");
  EXPECT_GE(password.size(), 20u);
  EXPECT_EQ(created.body["sip"]["username"], number);
  EXPECT_EQ(created.body["sip"]["domain"], kDomain);
  EXPECT_EQ(created.body["sip"]["registrar"], kDomain);
  ASSERT_TRUE(eventually([&] { return synced(id); }, 20s)) << sync_of(id);
  auto sub = double_->subscriber(number);
  ASSERT_FALSE(sub.is_null());
  EXPECT_EQ(sub["active"], true);
  EXPECT_EQ(sub["sipPassword"], password);
  // Shown once: reads never carry it.
  EXPECT_FALSE(owner_->get("/api/v1/extensions/" + id).body.contains("sip_password"));

  ASSERT_EQ(owner_->patch("/api/v1/extensions/" + id, {{"status", "inactive"}}).status, 200);
  ASSERT_TRUE(
      eventually([&] { return double_->subscriber(number).value("active", true) == false; }, 20s));
  ASSERT_EQ(owner_->patch("/api/v1/extensions/" + id, {{"status", "active"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return double_->subscriber(number).value("active", false); }, 20s));

  auto renumbered = next_number();
  ASSERT_EQ(owner_->patch("/api/v1/extensions/" + id, {{"number", renumbered}}).status, 200);
  ASSERT_TRUE(eventually(
      [&] {
        return double_->subscriber(number).is_null() && !double_->subscriber(renumbered).is_null();
      },
      20s));
  EXPECT_EQ(double_->subscriber(renumbered)["sipPassword"], password);
  ASSERT_TRUE(eventually([&] { return synced(id); }, 20s));

  ASSERT_EQ(owner_->del("/api/v1/extensions/" + id).status, 204);
  ASSERT_TRUE(eventually([&] { return double_->subscriber(renumbered).is_null(); }, 20s));
  ASSERT_TRUE(eventually([&] { return outbox_empty(); }, 20s));
  EXPECT_EQ(TestEnv::get().pg().query_scalar(
                "SELECT count(*) FROM cloudonix_sync_state WHERE object_id = '" + id + "'"),
            "0");
}

TEST_F(CloudonixSubscribers, AnUnpairedTenantShowsNotPairedAndQueuesNothing) {
  AdminClient other(svc_->base_url(), unpaired_->admin_token);
  auto r = other.post("/api/v1/extensions", {{"number", "201"}, {"name", "Solo"}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  EXPECT_EQ(r.body["cloudonix_sync"], "not_paired");
  EXPECT_TRUE(r.body["sync_error"].is_null());
  EXPECT_FALSE(r.body.contains("sip_password")) << "a subscriber's, made once the tenant pairs";
  EXPECT_EQ(r.body["sip"]["domain"], "unpaired.cloudonix.net");
  EXPECT_EQ(TestEnv::get().pg().query_scalar(
                "SELECT count(*) FROM cloudonix_outbox WHERE tenant_id = '" + unpaired_->id + "'"),
            "0");
  EXPECT_EQ(other.get("/api/v1/extensions/sync").status, 409);
}

TEST_F(CloudonixSubscribers, RotatingTheSipPasswordUpdatesTheSubscriber) {
  auto number = next_number();
  auto created = new_extension(number);
  ASSERT_TRUE(eventually([&] { return synced(created.id()); }, 20s));
  auto before = created.body.value("sip_password", "");

  auto rotated =
      owner_->post("/api/v1/extensions/" + created.id() + "/sip-password", Json::object());
  ASSERT_EQ(rotated.status, 200) << rotated.body.dump();
  auto after = rotated.body.value("sip_password", "");
  ASSERT_FALSE(after.empty());
  EXPECT_NE(after, before);
  ASSERT_TRUE(eventually(
      [&] { return double_->subscriber(number).value("sipPassword", "") == after; }, 20s));
  EXPECT_EQ(double_->subscribers_with(number), 1);

  AdminClient user(svc_->base_url(), "not-a-token");
  EXPECT_EQ(
      user.post("/api/v1/extensions/" + created.id() + "/sip-password", Json::object()).status,
      401);
  EXPECT_EQ(owner_
                ->post("/api/v1/extensions/00000000-0000-4000-8000-000000000000/sip-password",
                       Json::object())
                .status,
            404);
}

TEST_F(CloudonixSubscribers, PhoneNumbersGetDnidsPointingAtOurApplication) {
  auto ext = new_extension(next_number());
  auto app_id = std::stoll(TestEnv::get().pg().query_scalar(
      "SELECT application_id FROM cloudonix_links WHERE tenant_id = '" + tenant_->id + "'"));
  auto r = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+14155550177"}, {"destination", {{"type", "extension"}, {"id", ext.id()}}}});
  ASSERT_EQ(r.status, 201) << r.body.dump();
  auto dnid = [&]() -> Json {
    auto state = double_->domain_state();
    for (const auto& d : state["dnids"]) {
      if (d.value("source", "") == "+14155550177") return d;
    }
    return nullptr;
  };
  ASSERT_TRUE(eventually([&] { return !dnid().is_null(); }, 20s));
  EXPECT_EQ(dnid()["applicationId"], app_id);
  ASSERT_EQ(owner_->patch("/api/v1/phone-numbers/" + r.id(), {{"status", "inactive"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return dnid().is_null(); }, 20s));
  ASSERT_EQ(owner_->patch("/api/v1/phone-numbers/" + r.id(), {{"status", "active"}}).status, 200);
  ASSERT_TRUE(eventually([&] { return !dnid().is_null(); }, 20s));
  ASSERT_EQ(owner_->del("/api/v1/phone-numbers/" + r.id()).status, 204);
  ASSERT_TRUE(eventually([&] { return dnid().is_null(); }, 20s));
}

// A tenant with extensions and a number before it pairs: pairing queues them all (step 5).
TEST_F(CloudonixSubscribers, PairingSyncsWhatTheTenantHadBefore) {
  const std::string domain = "later.cloudonix.net";
  const std::string key = "XIlater00000000000000000000000000001";
  double_->control("POST", "/domains", {{"domain", domain}, {"key", key}});
  auto later = bootstrap_tenant(*env_, domain);
  AdminClient admin(svc_->base_url(), later.admin_token);
  auto ext = admin.post("/api/v1/extensions", {{"number", "301"}, {"name", "Before"}});
  ASSERT_EQ(ext.status, 201) << ext.body.dump();
  EXPECT_EQ(ext.body["cloudonix_sync"], "not_paired");
  auto number = admin.post(
      "/api/v1/phone-numbers",
      {{"number", "+14155550188"}, {"destination", {{"type", "extension"}, {"id", ext.id()}}}});
  ASSERT_EQ(number.status, 201) << number.body.dump();

  ASSERT_EQ(admin.send("PUT", "/api/v1/settings/cloudonix", Json{{"api_key", key}}.dump()).status,
            200);
  auto paired = admin.post("/api/v1/settings/cloudonix/pair", Json::object());
  ASSERT_EQ(paired.status, 200) << paired.body.dump();
  auto steps = paired.body["steps"];
  ASSERT_EQ(steps.size(), 5u) << paired.body.dump();
  EXPECT_EQ(steps[4]["name"], "numbers");
  EXPECT_EQ(steps[4]["outcome"], "queued");

  auto state = [&] { return double_->control("GET", "/state")["domains"][domain]; };
  ASSERT_TRUE(eventually(
      [&] {
        return admin.get("/api/v1/extensions/" + ext.id()).body.value("cloudonix_sync", "") ==
               "synced";
      },
      30s));
  auto s = state();
  ASSERT_EQ(s["subscribers"].size(), 1u) << s.dump();
  EXPECT_EQ(s["subscribers"][0]["msisdn"], "301");
  ASSERT_TRUE(eventually([&] { return state()["dnids"].size() == 1; }, 30s));
  EXPECT_EQ(state()["dnids"][0]["source"], "+14155550188");
  EXPECT_EQ(state()["dnids"][0]["applicationId"], s["defaultApplication"]);
}

TEST_F(CloudonixSubscribers, WithCloudonixStoppedWritesStayFastAndConvergeWithoutDuplicates) {
  double_->stop();
  std::vector<std::pair<std::string, std::string>> made;  // id, number
  for (int i = 0; i < 4; ++i) {
    auto number = next_number();
    auto t0 = std::chrono::steady_clock::now();
    auto r = new_extension(number);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    EXPECT_EQ(r.body["cloudonix_sync"], "pending");
    made.emplace_back(r.id(), number);
  }
  auto t0 = std::chrono::steady_clock::now();
  auto patched = owner_->patch("/api/v1/extensions/" + made[0].first, {{"status", "inactive"}});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(patched.body["cloudonix_sync"], "pending");
  // Long enough for the worker's calls to time out and be retried.
  std::this_thread::sleep_for(12s);
  for (const auto& [id, number] : made) EXPECT_EQ(sync_of(id), "pending") << number;
  auto waiting = owner_->get("/api/v1/extensions/" + made[0].first).body;
  EXPECT_FALSE(waiting["sync_error"].is_null()) << waiting.dump();

  double_->resume();
  for (const auto& [id, number] : made) {
    EXPECT_TRUE(eventually([&] { return synced(id); }, 90s)) << number << " " << sync_of(id);
    EXPECT_EQ(double_->subscribers_with(number), 1) << number;
  }
  EXPECT_EQ(double_->subscriber(made[0].second)["active"], false);
}

TEST_F(CloudonixSubscribers, A429StormIsRiddenOutWithinTheRateLimit) {
  ASSERT_TRUE(eventually([&] { return outbox_empty(); }, 60s));
  double_->control("DELETE", "/log");
  const int storm = 12;
  double_->control("PUT", "/switches",
                   {{"fault", {{"kind", "status"}, {"status", 429}, {"times", storm}}}});
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(new_extension(next_number()).id());
  for (const auto& id : ids) {
    ASSERT_TRUE(eventually([&] { return synced(id); }, 120s)) << sync_of(id);
  }
  auto log = double_->requests();
  int refused = 0;
  for (const auto& r : log) refused += r.value("status", 0) == 429;
  // Only the storm's own 429s: the double's limiter (10 per 3 s) never had to refuse one.
  EXPECT_EQ(refused, storm) << log.dump();
  EXPECT_EQ(count_requests(log, "POST", "/subscribers", 200), 12);
}

TEST_F(CloudonixSubscribers, TwoInstancesNeverApplyOneRowTwice) {
  ASSERT_TRUE(eventually([&] { return outbox_empty(); }, 60s));
  ServiceProcess second({"serve"}, *env_);
  second.wait_healthy();
  double_->control("DELETE", "/log");
  std::vector<std::string> numbers;
  std::vector<std::string> ids;
  for (int i = 0; i < 16; ++i) {
    numbers.push_back(next_number());
    ids.push_back(new_extension(numbers.back()).id());
  }
  for (const auto& id : ids) ASSERT_TRUE(eventually([&] { return synced(id); }, 120s));
  auto log = double_->requests();
  EXPECT_EQ(count_requests(log, "POST", "/subscribers"), 16);
  for (const auto& n : numbers) {
    EXPECT_EQ(count_requests(log, "GET", "/subscribers/" + n), 1) << n;
    EXPECT_EQ(double_->subscribers_with(n), 1) << n;
  }
  // Both instances took part.
  EXPECT_NE(second.log_text().find("cloudonix sync: extension"), std::string::npos);
}

TEST_F(CloudonixSubscribers, DriftOnCloudonixShowsAndIsRepaired) {
  ASSERT_TRUE(eventually([&] { return outbox_empty(); }, 60s));
  auto gone = new_extension(next_number());
  auto off = new_extension(next_number());
  ASSERT_TRUE(eventually([&] { return synced(gone.id()) && synced(off.id()); }, 30s));
  auto gone_number = gone.body.value("number", "");
  auto off_number = off.body.value("number", "");
  ASSERT_EQ(double_->api("DELETE", "/subscribers/" + gone_number), 204);
  ASSERT_EQ(double_->api("PUT", "/subscribers/" + off_number,
                         {{"msisdn", off_number}, {"active", false}}),
            200);
  ASSERT_EQ(
      double_->api(
          "POST", "/subscribers",
          {{"msisdn", "9999"}, {"sip-password", "extra-password-1"}, {"profile", Json::object()}}),
      200);

  // Those three calls count in the double's window too, where pbxd's pacing cannot see them.
  std::this_thread::sleep_for(3500ms);
  auto diff = owner_->get("/api/v1/extensions/sync");
  ASSERT_EQ(diff.status, 200) << diff.body.dump();
  auto has = [](const Json& list, const char* key, const std::string& value) {
    for (const auto& e : list) {
      if (e.value(key, "") == value) return true;
    }
    return false;
  };
  EXPECT_TRUE(has(diff.body["missing"], "number", gone_number)) << diff.body.dump();
  EXPECT_TRUE(has(diff.body["drifted"], "number", off_number)) << diff.body.dump();
  EXPECT_TRUE(has(diff.body["extra"], "msisdn", "9999")) << diff.body.dump();

  auto repair = owner_->post("/api/v1/extensions/sync", Json::object());
  ASSERT_EQ(repair.status, 202) << repair.body.dump();
  EXPECT_EQ(repair.body["queued"]["removals"], 0);
  ASSERT_TRUE(eventually(
      [&] {
        auto d = owner_->get("/api/v1/extensions/sync").body;
        return d["missing"].empty() && d["drifted"].empty();
      },
      30s));
  EXPECT_EQ(double_->subscriber(off_number)["active"], true);
  EXPECT_FALSE(double_->subscriber("9999").is_null());  // extras stay unless asked

  EXPECT_EQ(owner_->post("/api/v1/extensions/sync", {{"remove_extra", "yes"}}).status, 422);
  auto removal = owner_->post("/api/v1/extensions/sync", {{"remove_extra", true}});
  ASSERT_EQ(removal.status, 202) << removal.body.dump();
  EXPECT_EQ(removal.body["queued"]["removals"], 1);
  ASSERT_TRUE(eventually([&] { return double_->subscriber("9999").is_null(); }, 30s));
  auto clean = owner_->get("/api/v1/extensions/sync").body;
  EXPECT_TRUE(clean["missing"].empty() && clean["drifted"].empty() && clean["extra"].empty())
      << clean.dump();
}

// `pbxd simulate` plays Cloudonix: the extension it dials is a subscriber the double knows.
TEST_F(CloudonixSubscribers, ASimulatedCallRingsASubscriberTheDoubleKnows) {
  auto number = next_number();
  auto ext = new_extension(number);
  auto did = owner_->post(
      "/api/v1/phone-numbers",
      {{"number", "+14155550199"}, {"destination", {{"type", "extension"}, {"id", ext.id()}}}});
  ASSERT_EQ(did.status, 201) << did.body.dump();
  ASSERT_TRUE(eventually([&] { return synced(ext.id()); }, 30s));
  auto sim = ServiceProcess::run(
      {"simulate", "--url", svc_->base_url(), "--key", tenant_->requests_api_key, "--domain",
       kDomain, "--from", "+14155550142", "--to", "+14155550199", "--dial", "answer:5",
       "--no-webhooks", "--cloudonix-api", double_->url(), "--cloudonix-key", kKey},
      *env_);
  EXPECT_EQ(sim.exit_code, 0) << sim.output;
  EXPECT_NE(sim.output.find("Number:" + number + " (a subscriber of the domain: its phones ring)"),
            std::string::npos)
      << sim.output;
  ASSERT_EQ(owner_->del("/api/v1/phone-numbers/" + did.id()).status, 204);
}

TEST_F(CloudonixSubscribers, AReplayedCreateAnswersThePasswordKeptSealed) {
  auto number = next_number();
  Json body = {{"number", number}, {"name", "Replayed"}};
  auto first = owner_->post("/api/v1/extensions", body, {{"Idempotency-Key", "sip-" + number}});
  ASSERT_EQ(first.status, 201) << first.body.dump();
  auto password = first.body.value("sip_password", "");
  ASSERT_FALSE(password.empty());
  auto again = owner_->post("/api/v1/extensions", body, {{"Idempotency-Key", "sip-" + number}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(again.body.value("sip_password", ""), password);
  auto kept = TestEnv::get().pg().query_scalar(
      "SELECT response FROM idempotency_keys WHERE key = 'sip-" + number + "'");
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.find(password), std::string::npos);
}

// Last (gtest keeps the order of a file): every password shown or sent so far is looked for.
TEST_F(CloudonixSubscribers, NoSipPasswordAppearsInAnyLog) {
  std::set<std::string> passwords;
  auto state = double_->domain_state();
  for (const auto& s : state["subscribers"]) {
    if (s.contains("sipPassword") && s["sipPassword"].is_string())
      passwords.insert(s["sipPassword"]);
  }
  auto created = new_extension(next_number());
  passwords.insert(created.body.value("sip_password", ""));
  auto rotated =
      owner_->post("/api/v1/extensions/" + created.id() + "/sip-password", Json::object());
  passwords.insert(rotated.body.value("sip_password", ""));
  ASSERT_TRUE(eventually([&] { return synced(created.id()); }, 30s));
  ASSERT_GE(passwords.size(), 3u);
  auto service_log = svc_->log_text();
  auto double_log = double_->log_text() + double_->requests().dump();
  ASSERT_NE(service_log.find("cloudonix sync: extension"), std::string::npos);
  for (const auto& p : passwords) {
    ASSERT_FALSE(p.empty());
    EXPECT_EQ(service_log.find(p), std::string::npos) << "a SIP password in pbxd's log";
    EXPECT_EQ(double_log.find(p), std::string::npos) << "a SIP password in the double's log";
  }
}

}  // namespace
}  // namespace pbx::testing
