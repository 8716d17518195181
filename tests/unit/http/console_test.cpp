#include "http/console.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace pbx::http {
namespace {

const ConsoleBundle kBundle{"v1",
                            {{"index.html", "<html>index</html>", "GZINDEX"},
                             {"app.js", "console.log(1)", "GZAPP"},
                             {"app.css", "body{}", ""}}};

Request get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
            url::Params params = {}) {
  Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.headers = std::move(headers);
  r.path_params = std::move(params);
  return r;
}

std::string header(const Response& res, std::string_view name) {
  auto it = std::find_if(res.headers.begin(), res.headers.end(),
                         [&](const auto& h) { return h.first == name; });
  return it == res.headers.end() ? "" : it->second;
}

void expect_locked_down(const Response& res) {
  EXPECT_EQ(header(res, "Content-Security-Policy"), kConsoleCsp);
  EXPECT_NE(kConsoleCsp.find("default-src 'self'"), std::string_view::npos);
  EXPECT_NE(kConsoleCsp.find("frame-ancestors 'none'"), std::string_view::npos);
  EXPECT_EQ(kConsoleCsp.find("unsafe-inline"), std::string_view::npos);
  EXPECT_EQ(kConsoleCsp.find("unsafe-eval"), std::string_view::npos);
  EXPECT_EQ(header(res, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff");
}

TEST(Console, ContentTypes) {
  EXPECT_EQ(console_content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(console_content_type("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(console_content_type("app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(console_content_type("logo.svg"), "image/svg+xml");
  EXPECT_EQ(console_content_type("VERSION"), "application/octet-stream");
}

TEST(Console, IndexIsRevalidatedAndLockedDown) {
  auto res = console_index(kBundle, get("/"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "<html>index</html>");
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header(res, "Cache-Control"), "no-cache");
  EXPECT_EQ(header(res, "ETag"), "\"v1-index.html\"");
  EXPECT_EQ(header(res, "Content-Encoding"), "");
  expect_locked_down(res);
}

TEST(Console, AssetsAreImmutableUnderTheirVersion) {
  auto res = console_asset(kBundle,
                           get("/console/v1/app.js", {}, {{"version", "v1"}, {"file", "app.js"}}));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "console.log(1)");
  EXPECT_EQ(res.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(res, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(res, "Vary"), "Accept-Encoding");
  expect_locked_down(res);
}

TEST(Console, UnknownFilesAndOtherVersionsAreNotFound) {
  auto status = [](std::string version, std::string file) {
    try {
      console_asset(kBundle, get("/console", {}, {{"version", version}, {"file", file}}));
      return 200;
    } catch (const Error& e) {
      return e.status();
    }
  };
  EXPECT_EQ(status("v1", "nope.js"), 404);
  EXPECT_EQ(status("v0", "app.js"), 404);
  EXPECT_EQ(status("v1", "index.html"), 404);  // the page itself is served at / only
  EXPECT_EQ(status("v1", "..%2Fapp.js"), 404);
}

TEST(Console, GzipWhenTheClientTakesIt) {
  url::Params p{{"version", "v1"}, {"file", "app.js"}};
  auto gz = console_asset(kBundle, get("/", {{"accept-encoding", "gzip, deflate, br"}}, p));
  EXPECT_EQ(gz.body, "GZAPP");
  EXPECT_EQ(header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header(gz, "ETag"), "\"v1-app.js-gz\"");
  for (const char* refused : {"deflate, br", "gzip;q=0", "gzip; q=0.000", "identity"}) {
    auto plain = console_asset(kBundle, get("/", {{"accept-encoding", refused}}, p));
    EXPECT_EQ(plain.body, "console.log(1)") << refused;
    EXPECT_EQ(header(plain, "Content-Encoding"), "") << refused;
  }
  auto weighted = console_asset(kBundle, get("/", {{"accept-encoding", "br;q=1, GZIP;q=0.5"}}, p));
  EXPECT_EQ(weighted.body, "GZAPP");
  // No smaller encoding was built: the plain bytes, with no Vary.
  auto css = console_asset(
      kBundle, get("/", {{"accept-encoding", "gzip"}}, {{"version", "v1"}, {"file", "app.css"}}));
  EXPECT_EQ(css.body, "body{}");
  EXPECT_EQ(header(css, "Vary"), "");
}

TEST(Console, MatchingEtagAnswersNotModified) {
  url::Params p{{"version", "v1"}, {"file", "app.js"}};
  auto res = console_asset(kBundle, get("/", {{"if-none-match", "\"v1-app.js\""}}, p));
  EXPECT_EQ(res.status, 304);
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(header(res, "ETag"), "\"v1-app.js\"");
  auto stale = console_index(kBundle, get("/", {{"if-none-match", "\"v0-index.html\""}}));
  EXPECT_EQ(stale.status, 200);
}

TEST(Console, WithoutABuiltConsoleThePageSaysSo) {
  ConsoleBundle empty;
  auto res = console_index(empty, get("/"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
  EXPECT_NE(res.body.find("not built"), std::string::npos);
  expect_locked_down(res);
}

TEST(Console, RoutesServeThePageAndItsAssets) {
  Router router;
  add_console_routes(router, kBundle);
  auto index = router.match("GET", "/");
  ASSERT_NE(index.route, nullptr);
  auto asset = router.match("GET", "/console/v1/app.js");
  ASSERT_NE(asset.route, nullptr);
  EXPECT_EQ(url::find_param(asset.params, "file") ? *url::find_param(asset.params, "file") : "",
            "app.js");
  EXPECT_EQ(router.match("POST", "/").allow, "GET");
}

// The bundle built into this binary (when Node was there to build it) names only files it has.
TEST(Console, EmbeddedBundleIsWhole) {
  const auto& bundle = embedded_console();
  if (bundle.version.empty()) GTEST_SKIP() << "the console was not built into this binary";
  auto index = console_index(bundle, get("/"));
  std::string prefix = "/console/" + std::string(bundle.version) + "/";
  size_t at = 0;
  int referenced = 0;
  while ((at = index.body.find(prefix, at)) != std::string::npos) {
    at += prefix.size();
    auto name = index.body.substr(at, index.body.find('"', at) - at);
    ++referenced;
    EXPECT_NO_THROW(console_asset(
        bundle, get("/", {}, {{"version", std::string(bundle.version)}, {"file", name}})))
        << name;
  }
  EXPECT_GE(referenced, 2);
  EXPECT_EQ(index.body.find("<script>"), std::string::npos);  // no inline script
}

}  // namespace
}  // namespace pbx::http
