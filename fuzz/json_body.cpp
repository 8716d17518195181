// JSON request bodies of the admin API (http/json_body.hpp) and the Content-Type that admits
// them. The input is a Content-Type line, then the body. json_body throws only pbx::Error
// (415, 400, or 422 for text holding a control character other than tab, CR and LF), and
// accepts exactly what an independent reader accepts (nlohmann's parser bounding the nesting
// through its callback, where the service scans brackets first), with the same value.

#include "http/json_body.hpp"
#include "check.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

#include <algorithm>
#include <string>

namespace {

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) {
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
  });
}

// Nesting is bounded by the reader, so the recursion is too.
bool has_control(const nlohmann::json& value) {
  if (value.is_string()) return has_control(value.get_ref<const std::string&>());
  if (value.is_array()) {
    return std::any_of(value.begin(), value.end(), [](const auto& v) { return has_control(v); });
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (has_control(key) || has_control(item)) return true;
    }
  }
  return false;
}

// The same rule as json::parse_untrusted, written another way.
std::optional<nlohmann::json> reference_parse(const std::string& body) {
  if (body.find('\0') != std::string::npos) return std::nullopt;
  bool too_deep = false;
  nlohmann::json::parser_callback_t limit = [&](int depth, nlohmann::json::parse_event_t event,
                                                nlohmann::json&) {
    if (event == nlohmann::json::parse_event_t::object_start ||
        event == nlohmann::json::parse_event_t::array_start) {
      too_deep = too_deep || depth >= pbx::json::kMaxDepth;
    }
    return !too_deep;
  };
  auto parsed = nlohmann::json::parse(body, limit, false);
  if (too_deep || parsed.is_discarded()) return std::nullopt;
  return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto rest = pbx::fuzz::bytes(data, size);
  pbx::http::Request req;
  req.headers.emplace_back("content-type", std::string(pbx::fuzz::take_line(rest)));
  req.body = std::string(rest);
  auto media_type = req.media_type();
  PBX_CHECK(media_type.find_first_of(" \t;") == std::string::npos);

  std::optional<nlohmann::json> parsed;
  int status = 200;
  try {
    parsed = pbx::http::json_body(req);
  } catch (const pbx::Error& e) {
    status = e.status();
  }
  PBX_CHECK(status == 200 || status == 400 || status == 415 || status == 422);
  PBX_CHECK((status == 415) == !pbx::http::is_json_media_type(media_type));
  if (status == 415) return 0;
  auto expected = reference_parse(req.body);
  if (status == 422) {
    PBX_CHECK(expected && has_control(*expected));
    return 0;
  }
  PBX_CHECK(parsed.has_value() == expected.has_value());
  if (parsed) PBX_CHECK(*parsed == *expected && !has_control(*parsed));
  return 0;
}
