// JSON request bodies of the admin API (http/json_body.hpp) and the Content-Type that admits
// them. The input is a Content-Type line, then the body. json_body throws only pbx::Error
// (415 or 400), and accepts exactly what the webhook reader accepts, under the same nesting
// bound, with the same value.

#include "http/json_body.hpp"
#include "check.hpp"
#include "core/error.hpp"
#include "webhooks/body.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto rest = pbx::fuzz::bytes(data, size);
  pbx::http::Request req;
  req.headers.emplace_back("content-type", std::string(pbx::fuzz::take_line(rest)));
  req.body = std::string(rest);
  auto media_type = req.media_type();
  PBX_CHECK(media_type.find_first_of(" \t;") == std::string::npos);

  std::optional<nlohmann::json> parsed;
  try {
    parsed = pbx::http::json_body(req);
  } catch (const pbx::Error& e) {
    PBX_CHECK(e.status() == 415 || e.status() == 400);
    PBX_CHECK((e.status() == 415) == !pbx::http::is_json_media_type(media_type));
  }
  if (!pbx::http::is_json_media_type(media_type)) return 0;
  auto expected = pbx::webhooks::parse_json(req.body);
  PBX_CHECK(parsed.has_value() == expected.has_value());
  if (parsed) PBX_CHECK(*parsed == *expected);
  return 0;
}
