#include "support/admin_client.hpp"

namespace pbx::testing {

const nlohmann::json& ApiResult::fields() const {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!body.is_object() || !body.contains("error")) return empty;
  const auto& details = body["error"]["details"];
  return details.contains("fields") ? details["fields"] : empty;
}

ApiResult AdminClient::send(const std::string& method, const std::string& path,
                            const std::string& body, std::map<std::string, std::string> headers) {
  headers["Authorization"] = "Bearer " + token_;
  if (!body.empty()) headers.emplace("Content-Type", "application/json");
  auto r = http_.request(method, base_url_ + path, body, headers);
  ApiResult out;
  out.status = r.status;
  out.headers = r.headers;
  out.body = nlohmann::json::parse(r.body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

ApiResult AdminClient::get(const std::string& path) { return send("GET", path, ""); }

ApiResult AdminClient::post(const std::string& path, const nlohmann::json& body,
                            std::map<std::string, std::string> headers) {
  return send("POST", path, body.dump(), std::move(headers));
}

ApiResult AdminClient::patch(const std::string& path, const nlohmann::json& body) {
  return send("PATCH", path, body.dump());
}

ApiResult AdminClient::del(const std::string& path) { return send("DELETE", path, ""); }

std::string login(const std::string& base_url, const std::string& email,
                  const std::string& password) {
  HttpClient http;
  auto r = http.post_json(base_url + "/api/v1/auth/login",
                          nlohmann::json{{"email", email}, {"password", password}}.dump());
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return r.status == 200 && j.is_object() ? j.value("access_token", "") : "";
}

}  // namespace pbx::testing
