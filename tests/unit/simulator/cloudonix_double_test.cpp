// The Cloudonix REST double: the rules of section 8 of the REST reference, in-process.
#include "simulator/cloudonix_double.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace pbx::simulator {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKey = "XIdemo-key-0123456789";
constexpr const char* kOtherKey = "XIother-key-0123456789";
const std::string kP = "/customers/self/domains/demo.cloudonix.net";

class DoubleTest : public ::testing::Test {
 protected:
  DoubleTest()
      : cx_({{"demo.cloudonix.net", kKey}, {"other.cloudonix.net", kOtherKey}}, no_rate_limit()) {}

  static DoubleSwitches no_rate_limit() {
    DoubleSwitches s;
    s.rate_limit = false;
    return s;
  }

  DoubleAnswer call(const std::string& method, const std::string& path, const Json& body = nullptr,
                    const std::string& key = kKey) {
    DoubleRequest r{method, path, "", "Bearer " + key, "", ""};
    if (!body.is_null()) {
      r.body = body.dump();
      r.content_type = "application/json; charset=utf-8";
    }
    return cx_.handle(r, now_);
  }
  static Json json(const DoubleAnswer& a) { return Json::parse(a.body); }

  std::int64_t app_id(const std::string& name) {
    for (const auto& a : json(call("GET", kP + "/applications"))) {
      if (a["name"] == name) return a["id"].get<std::int64_t>();
    }
    return 0;
  }

  CloudonixDouble cx_;
  CloudonixDouble::Clock::time_point now_ = CloudonixDouble::Clock::now();
};

TEST_F(DoubleTest, AuthorizationMustBeABearerKeyOfThatDomain) {
  DoubleRequest none{"GET", kP, "", "", "", ""};
  EXPECT_EQ(cx_.handle(none).status, 401);
  DoubleRequest basic{"GET", kP, "", "Basic abc", "", ""};
  EXPECT_EQ(cx_.handle(basic).status, 401);
  EXPECT_EQ(call("GET", kP, nullptr, "XIunknown").status, 401);
  EXPECT_EQ(call("GET", kP, nullptr, kOtherKey).status, 403);
  EXPECT_EQ(call("GET", "/customers/self/domains/nowhere.cloudonix.net").status, 404);
  auto ok = call("GET", kP);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(json(ok)["domain"], "demo.cloudonix.net");
  EXPECT_FALSE(json(ok)["message"].is_string());
  auto refused = json(call("GET", kP, nullptr, kOtherKey));
  EXPECT_EQ(refused["status"], false);
  EXPECT_TRUE(refused["message"].is_string());
}

TEST_F(DoubleTest, OnlyTheCustomersSelfPathsExist) {
  EXPECT_EQ(call("GET", "/tenants/self/domains/demo.cloudonix.net").status, 404);
  EXPECT_EQ(call("GET", "/domains/demo.cloudonix.net").status, 404);
  EXPECT_EQ(call("GET", "/customers/1/domains/demo.cloudonix.net").status, 404);
  EXPECT_EQ(call("GET", kP + "/trunks").status, 404);
  EXPECT_EQ(call("GET", "/customers/self/domains/demo%2Ecloudonix%2Enet").status, 200);
  auto id = json(call("GET", kP))["id"].get<std::int64_t>();
  EXPECT_EQ(call("GET", "/customers/self/domains/" + std::to_string(id)).status, 200);
}

TEST_F(DoubleTest, BodiesNeedJsonContentType) {
  DoubleRequest r{"POST",       kP + "/subscribers",  "", std::string("Bearer ") + kKey,
                  "text/plain", R"({"msisdn":"101"})"};
  EXPECT_EQ(cx_.handle(r).status, 400);
  r.content_type = "";
  EXPECT_EQ(cx_.handle(r).status, 400);
  r.content_type = "application/json";
  r.body = "{not json";
  EXPECT_EQ(cx_.handle(r).status, 400);
  r.body = R"({"msisdn":"101"})";
  EXPECT_EQ(cx_.handle(r).status, 200);
}

TEST_F(DoubleTest, SeedsTheBuiltInApplications) {
  auto apps = json(call("GET", kP + "/applications"));
  ASSERT_EQ(apps.size(), 2U);
  EXPECT_EQ(apps[0]["name"], "call-routing");
  EXPECT_EQ(apps[1]["name"], "blackhole");
  EXPECT_TRUE(apps[0]["id"].is_number_integer());
  EXPECT_TRUE(apps[0]["uuid"].is_string());
}

TEST_F(DoubleTest, ApplicationBodiesAreValidated) {
  Json good = {{"name", "pbxd"},
               {"type", "cxml"},
               {"url", "https://pbx.example/api/voice/route"},
               {"method", "POST"},
               {"profile", Json::object()}};
  for (auto [key, value] : std::vector<std::pair<std::string, Json>>{
           {"type", "xml"}, {"method", "PUT"}, {"name", ""}, {"profile", "x"}}) {
    Json bad = good;
    bad[key] = value;
    EXPECT_EQ(call("POST", kP + "/applications", bad).status, 400) << key;
  }
  Json no_url = good;
  no_url.erase("url");
  EXPECT_EQ(call("POST", kP + "/applications", no_url).status, 400);
  auto made = call("POST", kP + "/applications", good);
  ASSERT_EQ(made.status, 200);
  EXPECT_EQ(json(made)["method"], "POST");
  EXPECT_EQ(call("POST", kP + "/applications", good).status, 409);
  Json default_get = good;
  default_get["name"] = "other";
  default_get.erase("method");
  EXPECT_EQ(json(call("POST", kP + "/applications", default_get))["method"], "GET");
  // PUT needs type, url and method; PATCH is partial.
  EXPECT_EQ(call("PUT", kP + "/applications/pbxd", {{"url", "https://x"}}).status, 400);
  EXPECT_EQ(call("PATCH", kP + "/applications/pbxd", {{"url", "https://x"}}).status, 200);
  EXPECT_EQ(json(call("GET", kP + "/applications/pbxd"))["url"], "https://x");
  EXPECT_EQ(call("DELETE", kP + "/applications/pbxd").status, 204);
  EXPECT_EQ(call("GET", kP + "/applications/pbxd").status, 404);
}

TEST_F(DoubleTest, SubscribersTakeBothPasswordSpellingsAndRecordWhich) {
  auto a = call("POST", kP + "/subscribers", {{"msisdn", "101"}, {"sipPassword", "pw-one"}});
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(json(a)["sipPassword"], "pw-one");
  auto b = call("POST", kP + "/subscribers", {{"msisdn", "102"}, {"sip-password", "pw-two"}});
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(json(b)["sipPassword"], "pw-two");
  auto generated = json(call("POST", kP + "/subscribers", {{"msisdn", "103"}}));
  EXPECT_FALSE(generated["sipPassword"].get<std::string>().empty());
  auto log = cx_.log();
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[0]["password_key"], "sipPassword");
  EXPECT_EQ(log[1]["password_key"], "sip-password");
  EXPECT_TRUE(log[2]["password_key"].is_null());
  EXPECT_EQ(log[0]["body"]["sipPassword"], "***");
  EXPECT_EQ(log.dump().find("pw-one"), std::string::npos);
  EXPECT_EQ(log.dump().find("pw-two"), std::string::npos);
}

TEST_F(DoubleTest, SubscriberRules) {
  EXPECT_EQ(call("POST", kP + "/subscribers", {{"sipPassword", "x"}}).status, 400);
  EXPECT_EQ(call("POST", kP + "/subscribers", {{"msisdn", "101"}, {"active", "true"}}).status, 400);
  auto made = json(call("POST", kP + "/subscribers", {{"msisdn", "101"}}));
  EXPECT_EQ(call("POST", kP + "/subscribers", {{"msisdn", "101"}}).status, 409);
  auto id = std::to_string(made["id"].get<std::int64_t>());
  EXPECT_EQ(json(call("GET", kP + "/subscribers/101"))["id"], made["id"]);
  EXPECT_EQ(json(call("GET", kP + "/subscribers/" + id))["msisdn"], "101");
  auto updated = call("PUT", kP + "/subscribers/101", {{"active", false}, {"sip-password", "n"}});
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(json(updated)["active"], false);
  EXPECT_EQ(json(updated)["sipPassword"], "n");
  EXPECT_EQ(call("DELETE", kP + "/subscribers/" + id).status, 204);
  EXPECT_EQ(call("GET", kP + "/subscribers/101").status, 404);
  EXPECT_EQ(call("DELETE", kP + "/subscribers/101").status, 404);
}

TEST_F(DoubleTest, BulkSubscriberCreateIsAnArrayAndAllOrNothing) {
  auto made =
      call("POST", kP + "/subscribers", Json::array({{{"msisdn", "201"}}, {{"msisdn", "202"}}}));
  ASSERT_EQ(made.status, 200);
  EXPECT_EQ(json(made).size(), 2U);
  auto dup =
      call("POST", kP + "/subscribers", Json::array({{{"msisdn", "203"}}, {{"msisdn", "201"}}}));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(call("GET", kP + "/subscribers/203").status, 404);
}

TEST_F(DoubleTest, EmptyListsAre404OrEmptyBySwitch) {
  auto none = call("GET", kP + "/subscribers");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(call("GET", kP + "/dnids").status, 404);
  cx_.set_switches({{"empty_list", "[]"}});
  auto empty = call("GET", kP + "/subscribers");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(json(empty), Json::array());
  call("POST", kP + "/subscribers", {{"msisdn", "101"}});
  EXPECT_TRUE(json(call("GET", kP + "/subscribers")).is_array());
}

TEST_F(DoubleTest, DnidRules) {
  auto app = app_id("call-routing");
  Json good = {{"applicationId", app},
               {"source", "+15551234567"},
               {"prefix", false},
               {"expression", false},
               {"asteriskCompatible", false}};
  Json both = good;
  both["dnid"] = "^\\+1555";
  EXPECT_EQ(call("POST", kP + "/dnids", both).status, 400);
  Json two_flags = good;
  two_flags["prefix"] = true;
  two_flags["expression"] = true;
  EXPECT_EQ(call("POST", kP + "/dnids", two_flags).status, 400);
  Json string_flag = good;
  string_flag["prefix"] = "false";
  EXPECT_EQ(call("POST", kP + "/dnids", string_flag).status, 400);
  Json no_app = good;
  no_app["applicationId"] = 999999;
  EXPECT_EQ(call("POST", kP + "/dnids", no_app).status, 400);
  auto made = call("POST", kP + "/dnids", good);
  EXPECT_EQ(made.status, 204);
  EXPECT_TRUE(made.body.empty());
  EXPECT_EQ(call("POST", kP + "/dnids", good).status, 409);
  auto list = json(call("GET", kP + "/dnids"));
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0]["source"], "+15551234567");
  EXPECT_EQ(list[0]["dnid"], "^\\+15551234567$");
  auto id = std::to_string(list[0]["id"].get<std::int64_t>());
  EXPECT_EQ(call("PUT", kP + "/dnids/" + id, {{"active", false}}).status, 204);
  EXPECT_EQ(json(call("GET", kP + "/dnids/" + id))["active"], false);
  EXPECT_EQ(call("DELETE", kP + "/dnids/" + id).status, 204);
  EXPECT_EQ(call("GET", kP + "/dnids/" + id).status, 404);
}

TEST_F(DoubleTest, ProfilePatchMergesAndPutMergesOrReplacesBySwitch) {
  call("PATCH", kP, {{"profile", {{"a-key", "1"}, {"call-timeout", 30}}}});
  call("PATCH", kP, {{"profile", {{"call-timeout", 45}}}});
  EXPECT_EQ(json(call("GET", kP))["profile"], Json({{"a-key", "1"}, {"call-timeout", 45}}));
  call("PATCH", kP, {{"profile", {{"a-key", nullptr}}}});
  EXPECT_EQ(json(call("GET", kP))["profile"], Json({{"call-timeout", 45}}));
  call("PUT", kP, {{"profile", {{"b-key", "2"}}}});
  EXPECT_EQ(json(call("GET", kP))["profile"], Json({{"call-timeout", 45}, {"b-key", "2"}}));
  cx_.set_switches({{"profile_put", "replace"}});
  auto put = call("PUT", kP, {{"profile", {{"c-key", "3"}}}});
  EXPECT_EQ(json(put)["profile"], Json({{"c-key", "3"}}));
  // PATCH still merges under the replace switch.
  call("PATCH", kP, {{"profile", {{"d-key", "4"}}}});
  EXPECT_EQ(json(call("GET", kP))["profile"], Json({{"c-key", "3"}, {"d-key", "4"}}));
}

TEST_F(DoubleTest, ProfileValuesOfTheWrongTypeAre400) {
  EXPECT_EQ(call("PUT", kP, {{"profile", {{"redirect-unknown-to-border", "false"}}}}).status, 400);
  EXPECT_EQ(call("PUT", kP, {{"profile", {{"call-timeout", "60"}}}}).status, 400);
  EXPECT_EQ(call("PUT", kP, {{"profile", {{"cdr-endpoint", 5}}}}).status, 400);
  EXPECT_EQ(call("PUT", kP, {{"profile", {{"redirect-unknown-to-border", false}}}}).status, 200);
}

TEST_F(DoubleTest, DefaultApplicationMustExist) {
  EXPECT_EQ(call("PUT", kP, {{"defaultApplication", 999999}}).status, 400);
  EXPECT_EQ(call("PUT", kP, {{"defaultApplication", "1"}}).status, 400);
  auto blackhole = app_id("blackhole");
  auto d = json(call("PUT", kP, {{"defaultApplication", blackhole}}));
  EXPECT_EQ(d["defaultApplication"], blackhole);
  EXPECT_EQ(d["application"]["name"], "blackhole");
}

TEST_F(DoubleTest, RateLimitIsTenRequestsPerThreeSecondsPerDomain) {
  cx_.set_switches({{"rate_limit", true}});
  for (int i = 0; i < 10; ++i) ASSERT_EQ(call("GET", kP).status, 200) << i;
  auto limited = call("GET", kP);
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.headers.empty());  // Retry-After is undocumented: off by default
  // Another domain has its own budget.
  EXPECT_EQ(call("GET", "/customers/self/domains/other.cloudonix.net", nullptr, kOtherKey).status,
            200);
  now_ += 2999ms;
  EXPECT_EQ(call("GET", kP).status, 429);
  now_ += 1ms;
  EXPECT_EQ(call("GET", kP).status, 200);
  cx_.set_switches({{"retry_after", true}});
  for (int i = 0; i < 10; ++i) call("GET", kP);
  auto with_header = call("GET", kP);
  ASSERT_EQ(with_header.status, 429);
  ASSERT_EQ(with_header.headers.size(), 1U);
  EXPECT_EQ(with_header.headers[0].first, "Retry-After");
  cx_.set_switches({{"rate_limit", false}});
  EXPECT_EQ(call("GET", kP).status, 200);
}

TEST_F(DoubleTest, FaultSwitches) {
  cx_.set_switches({{"fault", {{"kind", "status"}, {"status", 500}, {"times", 2}}}});
  EXPECT_EQ(call("GET", kP).status, 500);
  EXPECT_EQ(call("GET", kP).status, 500);
  EXPECT_EQ(call("GET", kP).status, 200);
  EXPECT_TRUE(cx_.switches()["fault"].is_null());

  cx_.set_switches({{"fault",
                     {{"kind", "status"},
                      {"status", 503},
                      {"method", "POST"},
                      {"path_contains", "/subscribers"}}}});
  EXPECT_EQ(call("GET", kP + "/applications").status, 200);
  EXPECT_EQ(call("POST", kP + "/subscribers", {{"msisdn", "1"}}).status, 503);
  EXPECT_EQ(call("POST", kP + "/subscribers", {{"msisdn", "1"}}).status, 503);

  cx_.set_switches({{"fault", {{"kind", "timeout"}, {"delay_ms", 1500}, {"times", 1}}}});
  EXPECT_EQ(call("GET", kP).delay, 1500ms);
  EXPECT_EQ(call("GET", kP).delay, 0ms);

  cx_.set_switches({{"fault", {{"kind", "malformed"}, {"times", 1}}}});
  auto bad = call("GET", kP);
  EXPECT_EQ(bad.status, 200);
  EXPECT_TRUE(Json::parse(bad.body, nullptr, false).is_discarded());
}

TEST_F(DoubleTest, SwitchesAreValidated) {
  EXPECT_THROW(cx_.set_switches({{"empty_list", "none"}}), std::invalid_argument);
  EXPECT_THROW(cx_.set_switches({{"nope", true}}), std::invalid_argument);
  EXPECT_THROW(cx_.set_switches({{"fault", {{"kind", "fire"}}}}), std::invalid_argument);
  EXPECT_THROW(cx_.set_switches({{"empty_list", "[]"}, {"rate_limit", "yes"}}),
               std::invalid_argument);
  // Nothing of a refused change applies.
  EXPECT_EQ(cx_.switches()["empty_list"], "404");
}

TEST_F(DoubleTest, TheLogHasEveryRequestInOrderWithSecretsMasked) {
  call("GET", kP, nullptr, kOtherKey);
  call("PUT", kP,
       {{"profile",
         {{"authorization-api-key", "pbxk_secret"},
          {"cdr-endpoint", "https://pbx.example/api/webhooks/cloudonix/cdr?token=pbxt_secret"}}}});
  auto log = cx_.log();
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0]["status"], 403);
  EXPECT_EQ(log[1]["method"], "PUT");
  EXPECT_EQ(log[1]["path"], kP);
  EXPECT_EQ(log[1]["seq"].get<int>(), log[0]["seq"].get<int>() + 1);
  EXPECT_EQ(log[1]["body"]["profile"]["authorization-api-key"], "***");
  auto text = log.dump();
  EXPECT_EQ(text.find("pbxk_secret"), std::string::npos);
  EXPECT_EQ(text.find("pbxt_secret"), std::string::npos);
  EXPECT_EQ(text.find(kOtherKey), std::string::npos);
  // The state keeps the real values.
  EXPECT_EQ(cx_.state()["domains"]["demo.cloudonix.net"]["profile"]["authorization-api-key"],
            "pbxk_secret");
  cx_.clear_log();
  EXPECT_TRUE(cx_.log().empty());
}

TEST_F(DoubleTest, ResetForgetsObjectsAndKeepsDomains) {
  call("POST", kP + "/subscribers", {{"msisdn", "101"}});
  cx_.reset();
  EXPECT_EQ(call("GET", kP + "/subscribers").status, 404);
  EXPECT_EQ(json(call("GET", kP + "/applications")).size(), 2U);
  cx_.add_domain({"new.cloudonix.net", "XInew"});
  EXPECT_EQ(call("GET", "/customers/self/domains/new.cloudonix.net", nullptr, "XInew").status, 200);
}

}  // namespace
}  // namespace pbx::simulator
