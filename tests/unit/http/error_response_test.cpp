#include "http/error_response.hpp"

#include <gtest/gtest.h>

namespace pbx::http {
namespace {

Response ok(Request&) { return Response::json(200, {}); }

TEST(ErrorResponse, JsonBodyHasTheContractShape) {
  auto r = error_response(Error::validation({{"number", "already exists"}, {"number", "too long"}}),
                          "rid-1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "validation_failed");
  EXPECT_EQ(body["error"]["request_id"], "rid-1");
  EXPECT_EQ(body["error"]["details"]["fields"]["number"].size(), 2u);
}

TEST(ErrorResponse, HeadersTravelWithTheError) {
  auto r = error_response(Error::method_not_allowed("GET, POST"), "x");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  r = error_response(Error::rate_limited(7), "x");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers[0].second, "7");
}

TEST(ErrorResponse, InternalErrorsLeakNothing) {
  auto r = error_response(Error::internal(), "x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "internal error");
}

TEST(ErrorResponse, ARouteWithoutARendererAnswersTheJsonBody) {
  Router router;
  router.add("GET", "/api/v1/extensions", {}, ok);
  auto r = error_response(Error::not_found(), *router.routes().front(), "rid-2");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["request_id"], "rid-2");
}

TEST(ErrorResponse, ARouteWithARendererAnswersWhatItRenders) {
  Router router;
  router.add("POST", "/api/voice/route", {}, ok, ErrorStyle::cxml,
             [](const Error& e, const std::string& rid) {
               return Response::xml(299, std::string(e.code()) + " " + rid);
             });
  auto r = error_response(Error::forbidden(), *router.routes().front(), "rid-3");
  EXPECT_EQ(r.status, 299);
  EXPECT_EQ(r.body, "forbidden rid-3");
}

TEST(ErrorResponse, ARouteWhoseErrorsAreNotJsonMustBringItsRenderer) {
  Router router;
  EXPECT_THROW(router.add("POST", "/api/voice/route", {}, ok, ErrorStyle::cxml),
               std::invalid_argument);
  EXPECT_TRUE(router.routes().empty());
}

}  // namespace
}  // namespace pbx::http
