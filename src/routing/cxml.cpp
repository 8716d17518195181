#include "routing/cxml.hpp"

#include "core/text.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <string>

namespace pbx::routing::cxml {

namespace {

// Sets the value of an attribute or text node (pugixml copies it). XML 1.0 has no way to carry
// control characters other than tab and line breaks (pugixml would write references that strict
// parsers refuse, and a NUL would cut the text): they are dropped. Only text that holds one is
// copied here first, so the rendering hot path copies nothing.
template <class Node>
void set_xml_chars(Node node, const std::string& value) {
  if (std::none_of(value.begin(), value.end(), text::is_bare_control)) {
    node.set_value(value.c_str());
    return;
  }
  std::string kept;
  std::copy_if(value.begin(), value.end(), std::back_inserter(kept),
               [](char c) { return !text::is_bare_control(c); });
  node.set_value(kept.c_str());
}

void attr(pugi::xml_node node, const char* name, const std::string& value) {
  if (!value.empty()) set_xml_chars(node.append_attribute(name), value);
}

void attr(pugi::xml_node node, const char* name, int value) {
  if (value > 0) node.append_attribute(name).set_value(value);
}

void flag(pugi::xml_node node, const char* name, bool value) {
  node.append_attribute(name).set_value(value ? "true" : "false");
}

void text(pugi::xml_node node, const std::string& value) {
  set_xml_chars(node.append_child(pugi::node_pcdata), value);
}

// An action with the method it is to be fetched with: the callbacks take GET too, but POST is
// said outright rather than left to a default a platform may not share.
void action(pugi::xml_node node, const std::string& url) {
  if (url.empty()) return;
  attr(node, "action", url);
  node.append_attribute("method").set_value("POST");
}

struct Writer {
  pugi::xml_node parent;

  void operator()(const Say& v) {
    auto n = parent.append_child("Say");
    attr(n, "voice", v.voice);
    attr(n, "language", v.language);
    text(n, v.text);
  }
  void operator()(const Play& v) { text(parent.append_child("Play"), v.url); }
  void operator()(const Pause& v) {
    auto n = parent.append_child("Pause");
    attr(n, "length", v.length);
  }
  void operator()(const Dial& v) {
    auto n = parent.append_child("Dial");
    action(n, v.action);
    attr(n, "timeout", v.timeout);
    attr(n, "callerId", v.caller_id);
    for (const auto& t : v.targets) {
      switch (t.kind) {
        case Target::Kind::number:
          text(n.append_child("Number"), t.value);
          break;
        case Target::Kind::sip:
          text(n.append_child("Sip"), t.value);
          break;
        case Target::Kind::conference: {
          auto c = n.append_child("Conference");
          flag(c, "beep", t.beep);
          attr(c, "maxParticipants", t.max_participants);
          if (t.record) attr(c, "record", std::string("record-from-start"));
          text(c, t.value);
          break;
        }
      }
    }
  }
  void operator()(const Gather& v) {
    auto n = parent.append_child("Gather");
    action(n, v.action);
    attr(n, "input", std::string("dtmf"));
    attr(n, "numDigits", v.num_digits);
    attr(n, "timeout", v.timeout);
    if (v.action_on_empty_result) flag(n, "actionOnEmptyResult", true);
    Writer inner{n};
    for (const auto& p : v.prompts) std::visit(inner, p);
  }
  void operator()(const Record& v) {
    auto n = parent.append_child("Record");
    action(n, v.action);
    attr(n, "maxLength", v.max_length);
    flag(n, "playBeep", v.play_beep);
    attr(n, "finishOnKey", v.finish_on_key);
  }
  void operator()(const Hangup&) { parent.append_child("Hangup"); }
  void operator()(const Reject& v) {
    auto n = parent.append_child("Reject");
    attr(n, "reason", v.reason);
  }
  void operator()(const Redirect& v) {
    auto n = parent.append_child("Redirect");
    n.append_attribute("method").set_value("POST");
    text(n, v.url);
  }
};

// Straight into a string: an ostringstream per answer is measurable on the hot path.
struct StringWriter : pugi::xml_writer {
  std::string text;
  void write(const void* data, size_t size) override {
    text.append(static_cast<const char*>(data), size);
  }
};

}  // namespace

std::string render(const Document& doc) {
  pugi::xml_document xml;
  auto decl = xml.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  Writer writer{xml.append_child("Response")};
  for (const auto& verb : doc.verbs) std::visit(writer, verb);
  StringWriter out;
  xml.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return std::move(out.text);
}

}  // namespace pbx::routing::cxml
