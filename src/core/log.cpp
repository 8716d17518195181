#include "core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <nlohmann/json.hpp>

namespace pbx::log {

namespace {

constexpr std::string_view kSecretParam = "token=";
constexpr std::string_view kRedacted = "[redacted]";

// %j: the message, redacted, as a JSON string (quoted and escaped), for the json log format.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto text = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    auto quoted =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// %m: the message, redacted, for the text log format.
class TextMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto text = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextMessageFlag>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> formatter(const std::string& format) {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "json") {
    f->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":%j})");
  } else {
    f->add_flag<TextMessageFlag>('m').set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %m");
  }
  return f;
}

void init(const std::string& level, const std::string& format) {
  auto logger =
      std::make_shared<spdlog::logger>("pbxd", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  logger->set_formatter(formatter(format));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

std::string redact(std::string_view text) {
  std::string out;
  size_t done = 0;
  for (size_t at = text.find(kSecretParam); at != std::string_view::npos;
       at = text.find(kSecretParam, at + 1)) {
    if (at == 0 || (text[at - 1] != '?' && text[at - 1] != '&')) continue;
    auto value = at + kSecretParam.size();
    auto end = text.find_first_of("& \t\r\n\"'#<>", value);
    if (end == std::string_view::npos) end = text.size();
    out.append(text.substr(done, value - done)).append(kRedacted);
    done = end;
    at = end - 1;
  }
  if (done == 0) return std::string(text);
  out.append(text.substr(done));
  return out;
}

}  // namespace pbx::log
