#include "http/router.hpp"
#include "http/server.hpp"

#include <gtest/gtest.h>

namespace pbx::http {
namespace {

Response ok(Request&) { return Response::json(200, {{"ok", true}}); }

TEST(Router, SplitsPathsIntoTheirNonEmptySegments) {
  EXPECT_EQ(split_path("/customers/self/domains/d1"),
            (std::vector<std::string>{"customers", "self", "domains", "d1"}));
  EXPECT_EQ(split_path("//a///b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_path("a"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(split_path("/").empty());
  EXPECT_TRUE(split_path("").empty());
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router r;
  r.add("GET", "/api/v1/cdrs/{id}", {}, ok);
  r.add("GET", "/api/v1/cdrs/stats", {}, ok);
  r.add("POST", "/api/v1/dead-letters/{id}/replay", {}, ok);

  auto m = r.match("GET", "/api/v1/cdrs/abc");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/cdrs/{id}");
  EXPECT_EQ(*url::find_param(m.params, "id"), "abc");

  m = r.match("GET", "/api/v1/cdrs/stats");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/cdrs/stats");  // literal wins over {id}

  m = r.match("POST", "/api/v1/dead-letters/7/replay/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(*url::find_param(m.params, "id"), "7");
}

TEST(Router, UnknownPathIsNotFoundAndOtherMethodListsAllow) {
  Router r;
  r.add("GET", "/health", {}, ok);
  r.add("POST", "/things", {}, ok);
  r.add("GET", "/things", {}, ok);
  auto m = r.match("GET", "/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.allow.empty());
  m = r.match("DELETE", "/things");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Router, ReplySendsOnlyOnce) {
  int sent = 0;
  Reply reply([&](Response) { ++sent; });
  reply(Response::json(200, {}));
  reply(Response::json(500, {}));
  EXPECT_EQ(sent, 1);
}

TEST(ErrorResponse, JsonBodyHasTheContractShape) {
  auto r = error_response(Error::validation({{"number", "already exists"}, {"number", "too long"}}),
                          ErrorStyle::json, "rid-1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "validation_failed");
  EXPECT_EQ(body["error"]["request_id"], "rid-1");
  EXPECT_EQ(body["error"]["details"]["fields"]["number"].size(), 2u);
}

TEST(ErrorResponse, HeadersTravelWithTheError) {
  auto r = error_response(Error::method_not_allowed("GET, POST"), ErrorStyle::json, "x");
  EXPECT_EQ(r.status, 405);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  r = error_response(Error::rate_limited(7), ErrorStyle::json, "x");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers[0].second, "7");
}

TEST(ErrorResponse, CxmlRoutesRejectOnAuthAndApologiseOtherwise) {
  auto r = error_response(Error::unauthorized(), ErrorStyle::cxml, "x");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.content_type, "application/xml; charset=utf-8");
  EXPECT_NE(r.body.find("<Response><Reject reason=\"rejected\"/></Response>"), std::string::npos);
  r = error_response(Error::internal(), ErrorStyle::cxml, "x");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<Hangup/>"), std::string::npos);
  EXPECT_EQ(r.body.find("internal"), std::string::npos);
}

TEST(ErrorResponse, InternalErrorsLeakNothing) {
  auto r = error_response(Error::internal(), ErrorStyle::json, "x");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["message"], "internal error");
}

}  // namespace
}  // namespace pbx::http
