#include "routing/call.hpp"

#include "core/json.hpp"
#include "core/text.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

namespace pbx::routing {

namespace {

std::string first_of(const url::Params& params, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    const auto* v = url::find_param(params, name);
    if (v && !v->empty()) return *v;
  }
  return {};
}

}  // namespace

Direction parse_direction(std::string_view value) {
  auto d = text::to_lower(value);
  if (d == "subscriber") return Direction::subscriber;
  if (d == "outbound-api") return Direction::outbound_api;
  return Direction::inbound;
}

DialResult dial_result(std::string_view status) {
  if (status == "completed" || status == "answered") return DialResult::answered;
  for (std::string_view known : {"", "busy", "no-answer", "failed", "canceled", "unknown"}) {
    if (status == known) return DialResult::not_answered;
  }
  return DialResult::unrecognised;
}

CallRequest parse_call(const url::Params& params) {
  CallRequest c;
  c.call_id = first_of(params, {"Session", "CallSid", "SessionData.token"});
  c.from = first_of(params, {"From"});
  c.to = first_of(params, {"To"});
  c.direction = parse_direction(first_of(params, {"Direction"}));
  c.domain = first_of(params, {"Domain", "AccountSid"});
  c.dial_status = text::to_lower(first_of(params, {"DialCallStatus", "CallStatus"}));
  if (c.dial_status == "noanswer") c.dial_status = "no-answer";
  c.digits = first_of(params, {"Digits"});
  c.recording_url = first_of(params, {"RecordingUrl"});
  auto duration = first_of(params, {"RecordingDuration"});
  int value = 0;
  auto [ptr, ec] = std::from_chars(duration.data(), duration.data() + duration.size(), value);
  if (ec == std::errc() && value > 0) c.recording_duration = value;
  return c;
}

namespace {

// Collects what params_from_json keeps while the parser walks the text.
class ScalarCollector : public nlohmann::json_sax<nlohmann::json> {
 public:
  static constexpr auto kMaxDepth = static_cast<size_t>(json::kMaxDepth);
  url::Params params;

  bool null() override { return true; }
  bool boolean(bool value) override { return scalar(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return scalar(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return scalar(std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return scalar(text); }
  bool string(string_t& value) override {
    if (depth_ == 2 && in_session_data_ && key_ == "token") {
      params.emplace_back("SessionData.token", value);
      return true;
    }
    return scalar(value);
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (depth_ == 0) is_object_ = true;
    if (depth_ == 1) in_session_data_ = key_ == "SessionData";
    return ++depth_ <= kMaxDepth;
  }
  bool key(string_t& value) override {
    key_ = value;
    return true;
  }
  bool end_object() override {
    if (--depth_ == 1) in_session_data_ = false;
    return true;
  }
  bool start_array(std::size_t) override { return ++depth_ <= kMaxDepth; }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
  bool complete() const { return is_object_ && depth_ == 0; }

 private:
  bool scalar(const std::string& value) {
    if (depth_ == 1) params.emplace_back(key_, value);
    return true;
  }

  size_t depth_ = 0;
  bool is_object_ = false;
  bool in_session_data_ = false;
  std::string key_;
};

}  // namespace

url::Params params_from_json(std::string_view body) {
  // The parser takes a NUL byte for the end of the text: "{}\0junk" would pass.
  if (body.find('\0') != std::string_view::npos) return {};
  ScalarCollector collector;
  bool ok = nlohmann::json::sax_parse(body.begin(), body.end(), &collector,
                                      nlohmann::json::input_format_t::json, true);
  if (!ok || !collector.complete()) return {};
  return std::move(collector.params);
}

}  // namespace pbx::routing
