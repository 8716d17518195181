#include "simulator/timeline.hpp"

#include <cctype>
#include <cstdio>

namespace pbx::simulator {

namespace {

struct Palette {
  bool on;
  std::string paint(const std::string& text, const char* code) const {
    return on ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  }
};

// The path of a URL with its query elided: callback state tokens are long and opaque.
std::string short_url(const std::string& url) {
  auto scheme = url.find("://");
  auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string out = path == std::string::npos ? "/" : url.substr(path);
  if (auto q = out.find('?'); q != std::string::npos) out = out.substr(0, q) + "?...";
  return out;
}

std::string offset(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+7.1fs", static_cast<double>(ms) / 1000);
  return buf;
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string render_text(const Report& report, bool colour) {
  Palette p{colour};
  const auto& c = report.call;
  std::string out = p.paint("call " + c.session, "1") + "  " + c.from + " -> " + c.to + " (" +
                    c.direction + ", " + c.domain + ")\n";
  for (const auto& e : report.timeline) {
    bool verb = !e.what.empty() && std::isupper(static_cast<unsigned char>(e.what.front()));
    std::string line = "  " + p.paint(offset(e.offset_ms), "2") + "  ";
    line += verb ? p.paint(pad(e.what, 24), "36") : pad(e.what, 24);
    if (!e.method.empty()) {
      auto status = e.status ? std::to_string(e.status) : std::string("---");
      line += " " + e.method + " " + short_url(e.url) + " " +
              p.paint(status, e.status == 200 ? "32" : "31");
      if (!e.detail.empty()) line += "  " + e.detail;
    } else if (!e.detail.empty()) {
      line += " " + e.detail;
    }
    while (line.back() == ' ') line.pop_back();
    out += (e.problem ? p.paint(line, "31") : line) + "\n";
  }
  out += "  " + report.disposition + ", duration " + std::to_string(report.duration) +
         " s, billsec " + std::to_string(report.billsec) + " s, call " + report.status + "\n";
  if (report.problems.empty()) return out + p.paint("as scripted", "32") + "\n";
  out += p.paint("NOT as scripted:", "1;31") + "\n";
  for (const auto& problem : report.problems) out += "  - " + problem + "\n";
  return out;
}

nlohmann::json report_json(const Report& report) {
  nlohmann::json events = nlohmann::json::array();
  for (const auto& e : report.timeline) {
    nlohmann::json j{{"offset_ms", e.offset_ms}, {"what", e.what}, {"detail", e.detail}};
    if (!e.method.empty()) {
      j["method"] = e.method;
      j["url"] = e.url;
      j["status"] = e.status;
    }
    if (e.problem) j["problem"] = true;
    events.push_back(std::move(j));
  }
  return {{"ok", report.exit_code() == 0},
          {"exit_code", report.exit_code()},
          {"session", report.call.session},
          {"call_id", report.call.call_id},
          {"status", report.status},
          {"disposition", report.disposition},
          {"duration", report.duration},
          {"billsec", report.billsec},
          {"answered", report.call.answer_ms != 0},
          {"problems", report.problems},
          {"timeline", std::move(events)}};
}

std::string render_json(const Report& report) { return report_json(report).dump(2) + "\n"; }

}  // namespace pbx::simulator
