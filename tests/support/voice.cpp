#include "support/voice.hpp"

#include "core/url.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pbx::testing {

namespace {

std::string describe(const pugi::xml_node& node) {
  std::string name = node.name();
  std::string text = node.child_value();
  if (name == "Dial" || name == "Gather") {
    std::string inner;
    for (const auto& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (!inner.empty()) inner += ",";
      inner += child.name() + std::string(":") + child.child_value();
    }
    return name + "[" + inner + "]";
  }
  return text.empty() ? name : name + "(" + text + ")";
}

std::string summarize(const pugi::xml_document& doc) {
  std::string out;
  for (const auto& verb : doc.child("Response").children()) {
    if (verb.type() != pugi::node_element) continue;
    if (!out.empty()) out += " ";
    out += describe(verb);
  }
  return out;
}

}  // namespace

std::string Cxml::summary() const { return summarize(doc); }

std::string summarize_cxml(const std::string& xml) {
  pugi::xml_document doc;
  return doc.load_string(xml.c_str()) ? summarize(doc) : "";
}

std::string Cxml::attr(const std::string& xpath, const std::string& name) const {
  auto node = doc.select_node(xpath.c_str()).node();
  return node ? node.attribute(name.c_str()).value() : "";
}

std::string Cxml::action() const {
  auto node = doc.select_node("//*[@action]").node();
  return node ? node.attribute("action").value() : "";
}

VoiceClient::VoiceClient(std::string base_url, std::string key, std::string public_base_url)
    : base_url_(std::move(base_url)),
      key_(std::move(key)),
      public_base_url_(std::move(public_base_url)) {}

Cxml VoiceClient::post(const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
  return send("POST", path, body, headers);
}

Cxml VoiceClient::send(const std::string& method, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
  auto r = http_.request(method, base_url_ + path, body, headers);
  Cxml c;
  c.status = r.status;
  c.raw = r.body;
  c.request_id = r.headers["x-request-id"];
  EXPECT_EQ(r.headers["content-type"], "application/xml; charset=utf-8") << path;
  EXPECT_TRUE(c.doc.load_string(r.body.c_str())) << "not XML: " << r.body;
  return c;
}

Cxml VoiceClient::route(const std::map<std::string, std::string>& params) {
  return post("/api/voice/route", nlohmann::json(params).dump(),
              {{"Authorization", "Bearer " + key_}, {"Content-Type", "application/json"}});
}

Cxml VoiceClient::callback(const std::string& action_url,
                           const std::map<std::string, std::string>& params) {
  EXPECT_EQ(action_url.rfind(public_base_url_ + "/api/voice/", 0), 0u)
      << "action URL not absolute on the tenant's public address: " << action_url;
  return post(action_url.substr(public_base_url_.size()), nlohmann::json(params).dump(),
              {{"Authorization", "Bearer " + key_}, {"Content-Type", "application/json"}});
}

Cxml VoiceClient::callback_get(const std::string& action_url,
                               const std::map<std::string, std::string>& params) {
  EXPECT_EQ(action_url.rfind(public_base_url_ + "/api/voice/", 0), 0u)
      << "action URL not absolute on the tenant's public address: " << action_url;
  auto path = action_url.substr(public_base_url_.size());
  auto query = url::encode_form(url::Params(params.begin(), params.end()));
  if (!query.empty()) path += (path.find('?') == std::string::npos ? "?" : "&") + query;
  return send("GET", path, "", {{"Authorization", "Bearer " + key_}});
}

}  // namespace pbx::testing
