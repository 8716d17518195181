// Callback state tokens: round trip, lifetime, and refusal of anything not signed by us.
#include "routing/state.hpp"

#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pbx::routing {
namespace {

using std::chrono::system_clock;
using namespace std::chrono_literals;

const system_clock::time_point kNow{1772618400s};
constexpr long long kNowSeconds = 1772618400;

CallbackState sample(Destination d = {DestinationType::ring_group, "g1"}) {
  return CallbackState{"t-acme", "call-1", std::move(d), 2, 3, 1, 4, 0};
}

// A token carrying `payload` as its JSON, correctly signed with `key`.
std::string signed_token(const std::string& key, const std::string& payload) {
  auto p = crypto::base64url(payload);
  return p + "." + crypto::base64url(crypto::hmac_sha256(key, p));
}

TEST(CallbackState, RoundTripsEveryField) {
  StateCodec codec("k");
  auto s = codec.decode(codec.encode(sample(), kNow), kNow);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->tenant_id, "t-acme");
  EXPECT_EQ(s->call_id, "call-1");
  EXPECT_EQ(to_json(s->destination), to_json(Destination{DestinationType::ring_group, "g1"}));
  EXPECT_EQ(s->position, 2);
  EXPECT_EQ(s->turn, 3);
  EXPECT_EQ(s->start, 1);
  EXPECT_EQ(s->attempt, 4);
  EXPECT_EQ(s->expires, kNowSeconds + 24 * 3600);
}

TEST(CallbackState, RoundTripsEveryDestinationType) {
  StateCodec codec("k");
  for (const auto& d :
       {Destination{DestinationType::extension, "e1"}, Destination{DestinationType::ivr_menu, "m1"},
        Destination{DestinationType::voicemail, "e1"},
        Destination{DestinationType::business_hours, "b1"},
        Destination{DestinationType::conference, "R&D room"},
        Destination{DestinationType::forward, "sip:a@b.example"},
        Destination{DestinationType::hangup, ""}}) {
    auto s = codec.decode(codec.encode(sample(d), kNow), kNow);
    ASSERT_TRUE(s) << to_json(d);
    EXPECT_EQ(to_json(s->destination), to_json(d));
  }
}

TEST(CallbackState, TokenIsDeterministicAndUrlSafe) {
  StateCodec codec("k");
  auto token = codec.encode(sample(), kNow);
  EXPECT_EQ(token, codec.encode(sample(), kNow));
  EXPECT_NE(token, codec.encode(sample(), kNow + 1s));
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos)
      << token;
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 1);
}

TEST(CallbackState, ExpiresAfterItsLifetime) {
  StateCodec codec("k", 60s);
  auto state = sample();
  state.expires = kNowSeconds + 999999;  // set by encode, never taken from the caller
  auto token = codec.encode(state, kNow);
  ASSERT_TRUE(codec.decode(token, kNow + 60s));
  EXPECT_EQ(codec.decode(token, kNow + 60s)->expires, kNowSeconds + 60);
  EXPECT_FALSE(codec.decode(token, kNow + 61s));
}

TEST(CallbackState, DefaultLifetimeIsADay) {
  StateCodec codec("k");
  auto token = codec.encode(sample(), kNow);
  EXPECT_TRUE(codec.decode(token, kNow + 24h));
  EXPECT_FALSE(codec.decode(token, kNow + 24h + 1s));
}

TEST(CallbackState, AnotherKeyIsRefused) {
  StateCodec ours("k"), theirs("other");
  EXPECT_FALSE(ours.decode(theirs.encode(sample(), kNow), kNow));
}

TEST(CallbackState, AlteredTokensAreRefused) {
  StateCodec codec("k");
  auto token = codec.encode(sample(), kNow);
  auto dot = token.find('.');
  for (size_t i = 0; i < token.size(); ++i) {
    if (i == dot) continue;
    auto altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(codec.decode(altered, kNow)) << i;
  }
  EXPECT_FALSE(codec.decode(token.substr(0, dot), kNow));
  EXPECT_FALSE(codec.decode(token.substr(0, token.size() - 1), kNow));
  EXPECT_FALSE(codec.decode(token + "A", kNow));
  EXPECT_FALSE(codec.decode(token + ".x", kNow));
}

TEST(CallbackState, PayloadChangedAndResignedWithAnotherKeyIsRefused) {
  StateCodec codec("k");
  const std::string payload = "1|t-acme|hangup||0|1|0|1|9999999999|call-1";
  ASSERT_TRUE(codec.decode(signed_token("k", payload), kNow)) << "well formed";
  EXPECT_FALSE(codec.decode(signed_token("guess", payload), kNow));
}

TEST(CallbackState, MalformedTokensAreRefused) {
  StateCodec codec("k");
  for (const char* token : {"", ".", "abc", "abc.", ".abc", "!!!.!!!", "a.b.c"}) {
    EXPECT_FALSE(codec.decode(token, kNow)) << token;
  }
}

TEST(CallbackState, SignedButBadPayloadsAreRefused) {
  StateCodec codec("k");
  ASSERT_TRUE(codec.decode(signed_token("k", "1|t|hangup||0|1|0|1|9999999999|c"), kNow));
  // A call id may hold the separator: it is the last field.
  auto odd = codec.decode(signed_token("k", "1|t|hangup||0|1|0|1|9999999999|c|d"), kNow);
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->call_id, "c|d");
  for (const std::string& payload : {
           std::string("not a state"),
           std::string("2|t|hangup||0|1|0|1|9999999999|c"),     // unknown version
           std::string("1|t|extension||0|1|0|1|9999999999|c"),  // no id for an extension
           std::string("1|t|nowhere|x|0|1|0|1|9999999999|c"),
           std::string("1|t|hangup||x|1|0|1|9999999999|c"),
           std::string("1|t|hangup||0|1|0|1|99999x9999|c"),
           std::string("1|t|hangup||0|1|0|1"),  // fields missing
       }) {
    EXPECT_FALSE(codec.decode(signed_token("k", payload), kNow)) << payload;
  }
}

}  // namespace
}  // namespace pbx::routing
