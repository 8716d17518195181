#include "http/router.hpp"

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

}  // namespace
}  // namespace pbx::http
