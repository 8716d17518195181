#include "core/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <nlohmann/json.hpp>

#include <cstdio>

namespace pbx::log {

namespace {

constexpr std::string_view kSecretParam = "token=";
constexpr std::string_view kRedacted = "[redacted]";

void append_escaped(std::string_view text, spdlog::memory_buf_t& dest) {
  auto put = [&](std::string_view s) { dest.append(s.data(), s.data() + s.size()); };
  char code[8];
  auto put_code = [&](const char* format, unsigned value) {
    int n = std::snprintf(code, sizeof code, format, value);
    dest.append(code, code + n);
  };
  // Runs of characters that need no escaping are copied whole.
  size_t plain = 0;
  auto replace = [&](size_t at, size_t width) {
    put(text.substr(plain, at - plain));
    plain = at + width;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    auto next = [&](size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0U;
    };
    if (c == '\n' || c == '\r' || c == '\t') {
      replace(i, 1);
      put(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
    } else if (c < 0x20 || c == 0x7f) {
      replace(i, 1);
      put_code("\\x%02x", c);
    } else if (c == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) {
      replace(i, 2);
      put_code("\\u%04x", next(1));
      i += 1;
    } else if (c == 0xe2 && next(1) == 0x80 && (next(2) == 0xa8 || next(2) == 0xa9)) {
      replace(i, 3);
      put_code("\\u%04x", 0x2000U + (next(2) - 0x80U));
      i += 2;
    }
  }
  put(text.substr(plain));
}

// %E: the message, redacted, with its control characters escaped, for the text log format,
// where a line break from a request value would otherwise start a line of the attacker's
// choosing.
class EscapedMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    append_escaped(redact(std::string_view(msg.payload.data(), msg.payload.size())), dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessageFlag>();
  }
};

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

}  // namespace

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == "json") {
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":%j})");
  } else {
    formatter->add_flag<EscapedMessageFlag>('E').set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %E");
  }
  return formatter;
}

std::string escape_controls(std::string_view text) {
  spdlog::memory_buf_t buf;
  append_escaped(text, buf);
  return {buf.data(), buf.size()};
}

void init(const std::string& level, const std::string& format) {
  auto logger =
      std::make_shared<spdlog::logger>("pbxd", std::make_shared<spdlog::sinks::stdout_sink_mt>());
  logger->set_formatter(make_formatter(format));
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
