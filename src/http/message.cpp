#include "http/message.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cctype>

namespace pbx::http {

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

const std::string& Request::path_param(std::string_view name) const {
  static const std::string kEmpty;
  const auto* v = url::find_param(path_params, name);
  return v != nullptr ? *v : kEmpty;
}

std::string Request::media_type() const {
  auto ct = header("content-type");
  if (!ct) return {};
  std::string out(ct->substr(0, ct->find(';')));
  out.erase(std::remove_if(out.begin(), out.end(), [](unsigned char c) { return std::isspace(c); }),
            out.end());
  return text::to_lower(out);
}

Response Response::json(int status, const nlohmann::json& body) {
  return {status,
          "application/json",
          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          {},
          {}};
}

Response Response::xml(int status, std::string body) {
  return {status, "application/xml; charset=utf-8", std::move(body), {}, {}};
}

Response Response::text(int status, std::string body, std::string content_type) {
  return {status, std::move(content_type), std::move(body), {}, {}};
}

Response Response::stream(int status, std::string content_type, BodyProducer producer) {
  return {status, std::move(content_type), {}, {}, std::move(producer)};
}

}  // namespace pbx::http
