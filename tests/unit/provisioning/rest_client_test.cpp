// The Cloudonix REST client: the requests it builds and how it reads the answers, against the
// REST double in-process (no sockets), and against hand-made answers for what the double
// does not do.
#include "provisioning/rest_client.hpp"

#include "simulator/cloudonix_double.hpp"

#include <gtest/gtest.h>

namespace pbx::provisioning {
namespace {

using simulator::CloudonixDouble;
using simulator::DoubleRequest;

constexpr const char* kBase = "http://cx.test";
constexpr const char* kKey = "XIclient-test-key-0123456789012345";
const std::string kP = "/customers/self/domains/demo.cloudonix.net";

std::string header_of(const client::ClientRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// Serves the client's requests from the double, as HTTP would.
client::Transport to_double(CloudonixDouble& cx,
                            std::vector<client::ClientRequest>* sent = nullptr) {
  return [&cx, sent](const client::ClientRequest& r) {
    if (sent != nullptr) sent->push_back(r);
    auto target = r.url.substr(std::string(kBase).size());
    auto q = target.find('?');
    DoubleRequest dr{r.method,
                     target.substr(0, q),
                     q == std::string::npos ? "" : target.substr(q + 1),
                     header_of(r, "Authorization"),
                     header_of(r, "Content-Type"),
                     r.body};
    auto a = cx.handle(dr);
    client::ClientAnswer out{a.status, a.body, "", {}, false};
    for (const auto& [k, v] : a.headers)
      out.headers.emplace_back(k == "Retry-After" ? "retry-after" : k, v);
    return out;
  };
}

DnidSpec dnid(std::int64_t app, const std::string& source) {
  DnidSpec d;
  d.application_id = app;
  d.source = source;
  return d;
}

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : cx_({{"demo.cloudonix.net", kKey}}, no_rate_limit()) {}
  static simulator::DoubleSwitches no_rate_limit() {
    simulator::DoubleSwitches s;
    s.rate_limit = false;
    return s;
  }
  Client client(const std::string& key = kKey) {
    return Client({kBase, "demo.cloudonix.net", key}, to_double(cx_, &sent_));
  }

  CloudonixDouble cx_;
  std::vector<client::ClientRequest> sent_;
};

TEST_F(ClientTest, GetDomainSendsTheBearerKeyToTheCustomersSelfPath) {
  auto d = client().get_domain();
  ASSERT_TRUE(d.ok()) << d.failure().describe();
  EXPECT_EQ(d->name, "demo.cloudonix.net");
  EXPECT_GT(d->id, 0);
  EXPECT_FALSE(d->uuid.empty());
  ASSERT_TRUE(d->default_application.has_value());
  ASSERT_EQ(sent_.size(), 1U);
  EXPECT_EQ(sent_[0].method, "GET");
  EXPECT_EQ(sent_[0].url, kBase + kP);
  EXPECT_EQ(header_of(sent_[0], "Authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(header_of(sent_[0], "Content-Type"), "");
}

TEST_F(ClientTest, RefusalsArePermanentFailures) {
  auto bad = client("XIwrong").get_domain();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.failure().status, 401);
  EXPECT_FALSE(bad.failure().retryable);
  EXPECT_EQ(bad.failure().message, "Invalid API key");
  EXPECT_EQ(bad.failure().describe(), "Cloudonix answered 401: Invalid API key");
  EXPECT_EQ(bad.failure().describe().find("XIwrong"), std::string::npos);

  Client elsewhere({kBase, "nowhere.cloudonix.net", kKey}, to_double(cx_));
  auto missing = elsewhere.get_domain();
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.failure().not_found());
  EXPECT_FALSE(missing.failure().retryable);
}

TEST_F(ClientTest, DomainNamesArePercentEncodedInPaths) {
  cx_.add_domain({"odd name.example", kKey});
  Client c({kBase, "odd name.example", kKey}, to_double(cx_, &sent_));
  ASSERT_TRUE(c.get_domain().ok());
  EXPECT_EQ(sent_.back().url, std::string(kBase) + "/customers/self/domains/odd%20name.example");
}

TEST_F(ClientTest, RetryableFailures) {
  EXPECT_TRUE(retryable_status(0));
  EXPECT_TRUE(retryable_status(408));
  EXPECT_TRUE(retryable_status(429));
  EXPECT_TRUE(retryable_status(500));
  EXPECT_TRUE(retryable_status(503));
  for (int s : {400, 401, 403, 404, 409, 422}) EXPECT_FALSE(retryable_status(s)) << s;

  cx_.set_switches({{"fault", {{"kind", "status"}, {"status", 500}, {"times", 1}}}});
  auto e500 = client().get_domain();
  ASSERT_FALSE(e500.ok());
  EXPECT_EQ(e500.failure().status, 500);
  EXPECT_TRUE(e500.failure().retryable);

  cx_.set_switches({{"fault", {{"kind", "malformed"}, {"times", 1}}}});
  auto garbled = client().get_domain();
  ASSERT_FALSE(garbled.ok());
  EXPECT_TRUE(garbled.failure().retryable);
  EXPECT_NE(garbled.failure().message.find("malformed"), std::string::npos);

  Client down({kBase, "demo.cloudonix.net", kKey}, [](const client::ClientRequest&) {
    return client::ClientAnswer{0, "", "Timeout was reached", {}, true};
  });
  auto timeout = down.list_subscribers();
  ASSERT_FALSE(timeout.ok());
  EXPECT_EQ(timeout.failure().status, 0);
  EXPECT_TRUE(timeout.failure().retryable);
  EXPECT_EQ(timeout.failure().describe(), "Cloudonix did not answer: timeout");
}

TEST_F(ClientTest, RateLimitIsRetryableWithRetryAfterWhenGiven) {
  cx_.set_switches({{"rate_limit", true}, {"rate_limit_requests", 1}});
  auto c = client();
  ASSERT_TRUE(c.get_domain().ok());
  auto limited = c.get_domain();
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.failure().status, 429);
  EXPECT_TRUE(limited.failure().retryable);
  EXPECT_FALSE(limited.failure().retry_after.has_value());
  cx_.set_switches({{"retry_after", true}});
  auto with_header = c.get_domain();
  ASSERT_FALSE(with_header.ok());
  ASSERT_TRUE(with_header.failure().retry_after.has_value());
  EXPECT_GE(with_header.failure().retry_after->count(), 1);
  EXPECT_LE(with_header.failure().retry_after->count(), 3);
}

TEST_F(ClientTest, EmptyListsAreEmptyWhetherAnswered404OrEmptyArray) {
  auto c = client();
  auto subs = c.list_subscribers();
  ASSERT_TRUE(subs.ok()) << subs.failure().describe();
  EXPECT_TRUE(subs->empty());
  auto dnids = c.list_dnids();
  ASSERT_TRUE(dnids.ok());
  EXPECT_TRUE(dnids->empty());
  cx_.set_switches({{"empty_list", "[]"}});
  ASSERT_TRUE(c.list_subscribers().ok());
  EXPECT_TRUE(c.list_subscribers()->empty());
}

TEST_F(ClientTest, UpdateProfileMergesIntoTheWholeProfileEvenUnderReplace) {
  cx_.set_switches({{"profile_put", "replace"}});
  auto c = client();
  cx_.handle({"PATCH", kP, "", std::string("Bearer ") + kKey, "application/json",
              R"({"profile":{"recording-media-type":"mp3","call-timeout":60}})"});
  sent_.clear();
  auto d = c.update_profile(
      {{"call-timeout", 25}, {"redirect-unknown-to-border", false}, {"lcr-address", nullptr}});
  ASSERT_TRUE(d.ok()) << d.failure().describe();
  Json want = {
      {"recording-media-type", "mp3"}, {"call-timeout", 25}, {"redirect-unknown-to-border", false}};
  EXPECT_EQ(d->profile, want);
  EXPECT_EQ(cx_.state()["domains"]["demo.cloudonix.net"]["profile"], want);
  ASSERT_EQ(sent_.size(), 2U);
  EXPECT_EQ(sent_[0].method, "GET");
  EXPECT_EQ(sent_[1].method, "PUT");
  EXPECT_EQ(Json::parse(sent_[1].body), Json({{"profile", want}}));
  EXPECT_EQ(header_of(sent_[1], "Content-Type"), "application/json");

  // Nothing to change: only the GET.
  sent_.clear();
  ASSERT_TRUE(c.update_profile({{"call-timeout", 25}}).ok());
  ASSERT_EQ(sent_.size(), 1U);
  EXPECT_EQ(sent_[0].method, "GET");
  // A null removes the key.
  ASSERT_TRUE(c.update_profile({{"recording-media-type", nullptr}}).ok());
  EXPECT_FALSE(
      cx_.state()["domains"]["demo.cloudonix.net"]["profile"].contains("recording-media-type"));
}

TEST_F(ClientTest, ApplicationsCreateUpdateAndDefault) {
  auto c = client();
  auto apps = c.list_applications();
  ASSERT_TRUE(apps.ok());
  ASSERT_EQ(apps->size(), 2U);
  EXPECT_EQ((*apps)[0].name, "call-routing");
  ApplicationSpec spec{"pbxd", "https://pbx.example/api/voice/route"};
  sent_.clear();
  auto made = c.create_application(spec);
  ASSERT_TRUE(made.ok()) << made.failure().describe();
  EXPECT_EQ(Json::parse(sent_[0].body), Json({{"name", "pbxd"},
                                              {"type", "cxml"},
                                              {"url", "https://pbx.example/api/voice/route"},
                                              {"method", "POST"},
                                              {"profile", Json::object()}}));
  EXPECT_EQ(made->method, "POST");
  EXPECT_EQ(made->type, "cxml");
  auto again = c.create_application(spec);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.failure().status, 409);
  EXPECT_FALSE(again.failure().retryable);

  spec.url = "https://new.example/api/voice/route";
  sent_.clear();
  auto updated = c.update_application("pbxd", spec);
  ASSERT_TRUE(updated.ok()) << updated.failure().describe();
  EXPECT_EQ(updated->url, spec.url);
  EXPECT_EQ(sent_[0].method, "PUT");
  EXPECT_EQ(sent_[0].url, kBase + kP + "/applications/pbxd");
  EXPECT_FALSE(Json::parse(sent_[0].body).contains("name"));

  sent_.clear();
  auto d = c.set_default_application(made->id);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->default_application, made->id);
  EXPECT_EQ(Json::parse(sent_[0].body), Json({{"defaultApplication", made->id}}));
}

TEST_F(ClientTest, SubscribersSendTheChosenPasswordSpelling) {
  auto c = client();
  auto made = c.create_subscriber({"101", std::nullopt, "pw-101", std::nullopt});
  ASSERT_TRUE(made.ok()) << made.failure().describe();
  EXPECT_EQ(made->msisdn, "101");
  EXPECT_EQ(made->sip_password, "pw-101");
  EXPECT_TRUE(made->active);
  auto log = cx_.log();
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0]["password_key"], kSipPasswordKey);
  EXPECT_EQ(log[0]["body"],
            Json({{"msisdn", "101"}, {kSipPasswordKey, "***"}, {"profile", Json::object()}}));

  auto updated = c.update_subscriber("101", {"101", false, std::nullopt, std::nullopt});
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->active);
  EXPECT_EQ(updated->sip_password, "pw-101");
  EXPECT_EQ(Json::parse(sent_.back().body), Json({{"msisdn", "101"}, {"active", false}}));

  auto got = c.get_subscriber(std::to_string(made->id));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->msisdn, "101");
  auto list = c.list_subscribers();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1U);
  ASSERT_TRUE(c.delete_subscriber("101").ok());
  EXPECT_EQ(sent_.back().method, "DELETE");
  auto gone = c.get_subscriber("101");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.failure().not_found());
}

// A server that honours only the other spelling keeps a password of its own: the client sees
// it in the answer and repeats the write with the other spelling.
TEST_F(ClientTest, APasswordIgnoredUnderOneSpellingIsSentUnderTheOther) {
  auto inner = to_double(cx_, &sent_);
  Client c({kBase, "demo.cloudonix.net", kKey}, [inner](client::ClientRequest r) {
    if (!r.body.empty()) {
      auto body = Json::parse(r.body);
      body.erase(kSipPasswordKey);
      r.body = body.dump();
    }
    return inner(r);
  });
  auto made = c.create_subscriber({"102", std::nullopt, "pw-102", std::nullopt});
  ASSERT_TRUE(made.ok()) << made.failure().describe();
  EXPECT_EQ(made->sip_password, "pw-102");
  EXPECT_EQ(cx_.state()["domains"]["demo.cloudonix.net"]["subscribers"][0]["sipPassword"],
            "pw-102");
  auto log = cx_.log();
  ASSERT_GE(log.size(), 2U);
  EXPECT_EQ(log.back()["password_key"], kSipPasswordAltKey);
}

TEST_F(ClientTest, DnidsCreateWithoutBodyThenListUpdateDelete) {
  auto c = client();
  auto app = (*c.list_applications())[0].id;
  sent_.clear();
  ASSERT_TRUE(c.create_dnid(dnid(app, "+15551230000")).ok());
  EXPECT_EQ(Json::parse(sent_[0].body), Json({{"applicationId", app},
                                              {"source", "+15551230000"},
                                              {"prefix", false},
                                              {"expression", false},
                                              {"asteriskCompatible", false}}));
  auto list = c.list_dnids();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1U);
  EXPECT_EQ((*list)[0].source, "+15551230000");
  EXPECT_EQ((*list)[0].application_id, app);
  auto off = dnid(app, "+15551230000");
  off.active = false;
  ASSERT_TRUE(c.update_dnid((*list)[0].id, off).ok());
  EXPECT_FALSE((*c.list_dnids())[0].active);
  ASSERT_TRUE(c.delete_dnid((*list)[0].id).ok());
  EXPECT_TRUE(c.list_dnids()->empty());
  auto bad = c.create_dnid(dnid(999999, "+1"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.failure().status, 400);
}

TEST(ClientParse, BothPasswordSpellingsAreRead) {
  EXPECT_EQ(parse_subscriber({{"id", 1}, {"msisdn", "1"}, {"sipPassword", "a"}}).sip_password, "a");
  EXPECT_EQ(parse_subscriber({{"id", 1}, {"msisdn", "1"}, {"sip-password", "b"}}).sip_password,
            "b");
  EXPECT_FALSE(parse_subscriber({{"id", 1}, {"msisdn", "1"}}).sip_password.has_value());
}

TEST(ClientParse, AnswersOfTheWrongShapeAreRetryableFailures) {
  auto answer = [](int status, std::string body) {
    return [status, body](const client::ClientRequest&) {
      return client::ClientAnswer{status, body, "", {}, false};
    };
  };
  Client a({kBase, "d", kKey}, answer(200, R"({"id": "seven"})"));
  auto d = a.get_domain();
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.failure().retryable);
  Client b({kBase, "d", kKey}, answer(200, R"({"subscribers": [1, 2]})"));
  EXPECT_FALSE(b.list_subscribers().ok());
  Client wrapped({kBase, "d", kKey}, answer(200, R"({"applications": [{"id": 3, "name": "x"}]})"));
  auto apps = wrapped.list_applications();
  ASSERT_TRUE(apps.ok());
  EXPECT_EQ((*apps)[0].id, 3);
  Client long_message({kBase, "d", kKey},
                      answer(400, Json({{"message", std::string(1000, 'x')}}).dump()));
  EXPECT_EQ(long_message.get_domain().failure().message.size(), 200U);
}

}  // namespace
}  // namespace pbx::provisioning
