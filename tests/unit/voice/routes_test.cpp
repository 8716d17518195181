// The voice routes as the transport sees them: how their errors reach Cloudonix.
#include "voice/routes.hpp"

#include "http/error_response.hpp"
#include "voice/errors.hpp"

#include <gtest/gtest.h>

namespace pbx::voice {
namespace {

// Stores that are never reached (connections open lazily): no request here gets past the key.
struct Deps {
  store::PgPool pg{store::PgOptions{"postgresql://127.0.0.1:1/none"}, {}};
  store::RedisPool redis{store::RedisOptions{"redis://127.0.0.1:1"}};
  crypto::SecretBox box{{std::string(32, 'k')}};
  store::TenantDirectory directory{pg, box, nullptr};
  routing::StateCodec codec{std::string(32, 's')};

  http::Router router() {
    http::Router r;
    add_voice_routes(r, VoiceDeps{directory, pg, redis, codec});
    return r;
  }
};

TEST(VoiceRoutes, EveryRouteAnswersItsErrorsAsCxmlInTheRoutingEnginesWords) {
  Deps deps;
  auto router = deps.router();
  ASSERT_EQ(router.routes().size(), 8u);
  for (const auto& route : router.routes()) {
    EXPECT_EQ(route->style, http::ErrorStyle::cxml) << route->pattern;
    auto r = http::error_response(Error::internal(), *route, "rid");
    EXPECT_EQ(r.status, 200) << route->pattern;
    EXPECT_EQ(r.body, apology_response().body) << route->pattern;
  }
}

TEST(VoiceRoutes, AnUnknownKeyIsRejectedWith401) {
  Deps deps;
  auto router = deps.router();
  auto match = router.match("POST", "/api/voice/route");
  ASSERT_NE(match.route, nullptr);
  http::Request req;
  req.method = "POST";
  req.path = "/api/voice/route";
  req.headers.emplace_back("authorization", "Bearer pbxk_unknown");
  try {
    match.route->handler(req, http::Reply([](http::Response) { FAIL() << "answered"; }));
    FAIL() << "an unknown key was let through";
  } catch (const Error& e) {
    auto r = http::error_response(e, *match.route, "rid");
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.body.find(R"(<Response><Reject reason="rejected"/></Response>)"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace pbx::voice
