#include "http/console.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace pbx::http {

namespace {

constexpr std::string_view kNotBuilt =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>pbxd</title></head>"
    "<body><h1>pbxd</h1><p>The web console was not built into this binary: it needs Node.js "
    "and <code>npm ci</code> in <code>web/</code> (scripts/install-deps.sh installs both) "
    "before pbxd is built. The admin API answers under <code>/api/v1</code>.</p></body></html>";

// True when Accept-Encoding lists gzip (or *) without q=0.
bool accepts_gzip(const Request& req) {
  auto header = req.header("accept-encoding");
  if (!header) return false;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = text::trim_ows(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    auto semi = item.find(';');
    auto coding = text::to_lower(text::trim_ows(item.substr(0, semi)));
    if (coding != "gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    auto param = text::to_lower(text::trim_ows(item.substr(semi + 1)));
    param.erase(std::remove(param.begin(), param.end(), ' '), param.end());
    bool zero = param == "q=0" ||
                (param.starts_with("q=0.") && param.find_first_not_of('0', 4) == std::string::npos);
    return !zero;
  }
  return false;
}

bool etag_matches(const Request& req, std::string_view etag) {
  auto header = req.header("if-none-match");
  return header && (text::trim_ows(*header) == "*" || header->find(etag) != std::string_view::npos);
}

void add_security_headers(Response& res) {
  res.headers.emplace_back("Content-Security-Policy", std::string(kConsoleCsp));
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
}

Response serve(const ConsoleAsset& asset, std::string_view version, const Request& req,
               std::string_view cache_control) {
  bool gzip = !asset.gzip.empty() && accepts_gzip(req);
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict on "\"" + std::string.
  std::string etag = "\"";
  etag.append(version).append("-").append(asset.name).append(gzip ? "-gz\"" : "\"");
  Response res;
  res.content_type = std::string(console_content_type(asset.name));
  if (etag_matches(req, etag)) {
    res.status = 304;
  } else {
    res.body = std::string(gzip ? asset.gzip : asset.body);
    if (gzip) res.headers.emplace_back("Content-Encoding", "gzip");
  }
  res.headers.emplace_back("ETag", std::move(etag));
  res.headers.emplace_back("Cache-Control", std::string(cache_control));
  if (!asset.gzip.empty()) res.headers.emplace_back("Vary", "Accept-Encoding");
  add_security_headers(res);
  return res;
}

const ConsoleAsset* find(const ConsoleBundle& bundle, std::string_view name) {
  for (const auto& a : bundle.assets)
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace

std::string_view console_content_type(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
  }};
  for (const auto& [ext, type] : kTypes)
    if (name.ends_with(ext)) return type;
  return "application/octet-stream";
}

Response console_index(const ConsoleBundle& bundle, const Request& req) {
  if (const auto* index = find(bundle, "index.html"))
    return serve(*index, bundle.version, req, "no-cache");
  auto res = Response::text(200, std::string(kNotBuilt), "text/html; charset=utf-8");
  res.headers.emplace_back("Cache-Control", "no-cache");
  add_security_headers(res);
  return res;
}

Response console_asset(const ConsoleBundle& bundle, const Request& req) {
  const auto& name = req.path_param("file");
  const auto* asset = find(bundle, name);
  // An old version's asset is gone: answering it with today's bytes under an immutable
  // cache lifetime would pin a mix of versions in the browser.
  if (asset == nullptr || name == "index.html" || req.path_param("version") != bundle.version)
    throw Error::not_found("no such console file");
  return serve(*asset, bundle.version, req, "public, max-age=31536000, immutable");
}

void add_console_routes(Router& router, const ConsoleBundle& bundle) {
  router.add("GET", "/", Doc{"console", "The web console (HTML)"},
             [&bundle](Request& req) { return console_index(bundle, req); });
  router.add("GET", "/console/{version}/{file}",
             Doc{"console",
                 "A file of the web console, cached for as long as its version lives",
                 Access::none,
                 {{"responses", {{"404", {{"description", "no such file in this version"}}}}}}},
             [&bundle](Request& req) { return console_asset(bundle, req); });
}

}  // namespace pbx::http
