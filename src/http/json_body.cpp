#include "http/json_body.hpp"

#include "core/error.hpp"

namespace pbx::http {

namespace {

constexpr int kMaxDepth = 64;

}  // namespace

bool is_json_media_type(const std::string& media_type) {
  return media_type == "application/json" ||
         (media_type.rfind("application/", 0) == 0 && media_type.size() > 5 &&
          media_type.compare(media_type.size() - 5, 5, "+json") == 0);
}

nlohmann::json json_body(const Request& req) {
  if (!is_json_media_type(req.media_type()))
    throw Error::unsupported_media_type("application/json");
  bool too_deep = false;
  nlohmann::json::parser_callback_t limit = [&](int d, nlohmann::json::parse_event_t event,
                                                nlohmann::json&) {
    if (event == nlohmann::json::parse_event_t::object_start ||
        event == nlohmann::json::parse_event_t::array_start) {
      if (d >= kMaxDepth) too_deep = true;
    }
    return !too_deep;
  };
  // The parser takes a NUL byte for the end of the text: "{}\0junk" would pass.
  if (req.body.find('\0') != std::string::npos) {
    throw Error::bad_request("invalid_json", "the body is not valid JSON");
  }
  auto parsed = nlohmann::json::parse(req.body, limit, false);
  if (too_deep) throw Error::bad_request("invalid_json", "JSON nested too deeply");
  if (parsed.is_discarded()) throw Error::bad_request("invalid_json", "the body is not valid JSON");
  return parsed;
}

}  // namespace pbx::http
