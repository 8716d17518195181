#include "simulator/script.hpp"

#include <charconv>

namespace pbx::simulator {

namespace {

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

}  // namespace

std::string_view DialOutcome::dial_status() const {
  switch (kind) {
    case Kind::answer:
      return "completed";
    case Kind::no_answer:
      return "no-answer";
    case Kind::busy:
      return "busy";
    case Kind::failed:
      break;
  }
  return "failed";
}

std::string DialOutcome::describe() const {
  if (kind == Kind::answer) return "answer:" + std::to_string(seconds);
  return std::string(dial_status());
}

std::vector<std::string> parse_digits(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : split(text)) {
    if (part.find_first_not_of("0123456789*#") != std::string_view::npos) {
      throw ScriptError("--digits: \"" + std::string(part) + "\" is not keys 0-9, * and #");
    }
    out.emplace_back(part);
  }
  return out;
}

std::vector<DialOutcome> parse_dials(std::string_view text) {
  std::vector<DialOutcome> out;
  for (auto part : split(text)) {
    DialOutcome o;
    if (part == "no-answer" || part == "noanswer") {
      o.kind = DialOutcome::Kind::no_answer;
    } else if (part == "busy") {
      o.kind = DialOutcome::Kind::busy;
    } else if (part == "failed") {
      o.kind = DialOutcome::Kind::failed;
    } else if (part.rfind("answer", 0) == 0) {
      auto rest = part.substr(6);
      if (!rest.empty()) {
        auto digits = rest.substr(1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), o.seconds);
        if (rest.front() != ':' || digits.empty() || ec != std::errc{} ||
            end != digits.data() + digits.size() || o.seconds < 0) {
          throw ScriptError("--dial: \"" + std::string(part) + "\" is not answer:<seconds>");
        }
      }
    } else {
      throw ScriptError("--dial: \"" + std::string(part) +
                        "\" is not answer[:seconds], no-answer, busy or failed");
    }
    out.push_back(o);
  }
  return out;
}

bool parse_voicemail(std::string_view text) {
  if (text == "yes") return true;
  if (text == "none" || text == "no") return false;
  throw ScriptError("--voicemail: \"" + std::string(text) + "\" is not yes or none");
}

}  // namespace pbx::simulator
