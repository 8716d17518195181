#include "simulator/cxml_reader.hpp"

#include "core/text.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

namespace pbx::simulator {

namespace {

using Kind = Verb::Kind;

constexpr std::array<std::pair<std::string_view, Kind>, 9> kVerbs{{{"Say", Kind::say},
                                                                   {"Play", Kind::play},
                                                                   {"Pause", Kind::pause},
                                                                   {"Dial", Kind::dial},
                                                                   {"Gather", Kind::gather},
                                                                   {"Record", Kind::record},
                                                                   {"Hangup", Kind::hangup},
                                                                   {"Reject", Kind::reject},
                                                                   {"Redirect", Kind::redirect}}};
constexpr std::array<std::string_view, 5> kNouns{"Number", "Sip", "Conference", "Service",
                                                 "Header"};

[[noreturn]] void refuse(const std::string& message) { throw CxmlError(message); }

std::string tag(const pugi::xml_node& n) {
  std::string out = "<";  // appended: GCC 12 at -O3 misreports "<" + string (-Wrestrict)
  return out.append(n.name()).append(">");
}

bool is_noun(std::string_view name) {
  return std::find(kNouns.begin(), kNouns.end(), name) != kNouns.end();
}

// A hint for the common slip of writing a verb in another case.
std::string unknown(const pugi::xml_node& n, std::string_view where) {
  std::string name = n.name();
  std::string message = "unknown " + std::string(where) + " " + tag(n);
  for (auto [verb, kind] : kVerbs) {
    if (text::iequals(verb, name)) {
      message += " (names are case-sensitive: <" + std::string(verb) + ">)";
    }
  }
  return message;
}

std::string content(const pugi::xml_node& n) {
  std::string text = n.text().get();
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

int number(const pugi::xml_node& n, const char* name, int fallback = 0) {
  auto a = n.attribute(name);
  if (!a) return fallback;
  std::string_view v = a.value();
  int value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc{} || end != v.data() + v.size() || value < 0) {
    refuse(tag(n) + " attribute " + name + "=\"" + std::string(v) + "\" is not a number");
  }
  return value;
}

std::string url_attribute(const pugi::xml_node& n, const char* name) {
  auto a = n.attribute(name);
  if (!a) return {};
  std::string url = a.value();
  if (!fetchable_url(url)) {
    refuse(tag(n) + " " + name + " URL \"" + url + "\" has no http(s) scheme and host");
  }
  return url;
}

void no_children(const pugi::xml_node& n) {
  for (auto child : n.children()) {
    if (child.type() == pugi::node_element) {
      refuse(tag(child) + " is not allowed inside " + tag(n));
    }
  }
}

Verb verb(const pugi::xml_node& n);

void read_dial(const pugi::xml_node& n, Verb& v) {
  v.timeout = number(n, "timeout");
  v.action = url_attribute(n, "action");
  for (auto child : n.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string name = child.name();
    if (!is_noun(name)) {
      bool is_verb =
          std::any_of(kVerbs.begin(), kVerbs.end(), [&](const auto& k) { return k.first == name; });
      refuse(is_verb ? tag(child) + " is not allowed inside <Dial>" : unknown(child, "noun"));
    }
    no_children(child);
    if (name == "Header") {
      if (std::string_view(child.attribute("name").value()).rfind("X-", 0) != 0) {
        refuse("<Header> name must start with X-");
      }
      continue;
    }
    auto value = content(child);
    if (value.empty()) refuse(tag(child) + " inside <Dial> is empty");
    v.targets.push_back(name + ":" + value);
  }
  if (v.targets.empty()) {
    auto value = content(n);
    if (value.empty()) refuse("<Dial> has nothing to dial");
    v.targets.push_back((value.rfind("sip:", 0) == 0 ? "Sip:" : "Number:") + value);
  }
}

void read_gather(const pugi::xml_node& n, Verb& v) {
  v.action = url_attribute(n, "action");
  v.timeout = number(n, "timeout", 5);
  number(n, "numDigits");
  v.action_on_empty_result = std::string_view(n.attribute("actionOnEmptyResult").value()) == "true";
  for (auto child : n.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = child.name();
    if (name != "Say" && name != "Play" && name != "Pause") {
      bool known = is_noun(name) || std::any_of(kVerbs.begin(), kVerbs.end(),
                                                [&](const auto& k) { return k.first == name; });
      refuse(known ? tag(child) + " is not allowed inside <Gather> (only Say, Play, Pause)"
                   : unknown(child, "verb"));
    }
    v.prompts.push_back(verb(child));
  }
}

Verb verb(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto known =
      std::find_if(kVerbs.begin(), kVerbs.end(), [&](const auto& k) { return k.first == name; });
  if (known == kVerbs.end()) {
    refuse(is_noun(name) ? tag(n) + " is only allowed inside <Dial>" : unknown(n, "verb"));
  }
  Verb v;
  v.kind = known->second;
  if (auto m = n.attribute("method")) {
    v.method = m.value();
    if (v.method != "GET" && v.method != "POST") {
      refuse(tag(n) + " method \"" + v.method + "\" is neither GET nor POST");
    }
  }
  switch (v.kind) {
    case Kind::dial:
      read_dial(n, v);
      return v;
    case Kind::gather:
      read_gather(n, v);
      return v;
    case Kind::say:
      v.text = content(n);
      break;
    case Kind::play:
    case Kind::redirect:
      v.text = content(n);
      if (!fetchable_url(v.text)) {
        refuse(tag(n) + " URL \"" + v.text + "\" has no http(s) scheme and host");
      }
      break;
    case Kind::pause:
      v.timeout = number(n, "length", 1);
      break;
    case Kind::record:
      v.action = url_attribute(n, "action");
      v.timeout = number(n, "timeout", 5);
      number(n, "maxLength");
      break;
    case Kind::reject:
      v.text = n.attribute("reason").as_string("rejected");
      if (v.text != "rejected" && v.text != "busy" && v.text != "congestion" &&
          v.text != "failed") {
        refuse("<Reject> reason \"" + v.text + "\" is not rejected, busy, congestion or failed");
      }
      break;
    case Kind::hangup:
      break;
  }
  no_children(n);
  return v;
}

}  // namespace

bool fetchable_url(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.rfind(scheme, 0) == 0) {
      auto rest = url.substr(scheme.size());
      auto host = rest.substr(0, rest.find_first_of("/?#"));
      return !host.empty() && host.front() != ':' && host.find(' ') == std::string_view::npos;
    }
  }
  return false;
}

std::string rebase_url(std::string_view url, std::string_view base) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto path = url.find_first_of("/?#", scheme_end + 3);
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base) + (path == std::string_view::npos ? "/" : std::string(url.substr(path)));
}

std::vector<Verb> read_cxml(std::string_view text) {
  pugi::xml_document doc;
  auto parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    refuse("not XML: " + std::string(parsed.description()) + " at offset " +
           std::to_string(parsed.offset));
  }
  auto root = doc.document_element();
  if (std::string_view(root.name()) != "Response") {
    refuse("the root element is " + (root ? tag(root) : std::string("missing")) +
           ", not <Response>");
  }
  std::vector<Verb> verbs;
  for (auto child : root.children()) {
    if (child.type() == pugi::node_pcdata &&
        std::string_view(child.value()).find_first_not_of(" \t\r\n") != std::string_view::npos) {
      refuse("text outside any verb in <Response>");
    }
    if (child.type() == pugi::node_element) verbs.push_back(verb(child));
  }
  return verbs;
}

}  // namespace pbx::simulator
