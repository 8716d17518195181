#include "cloudonix/body.hpp"

#include "core/text.hpp"

#include <cstddef>

namespace pbx::cloudonix {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string without_nul(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\0') {
      out.append(kReplacement);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

nlohmann::json without_nul(const nlohmann::json& value) {
  if (value.is_string()) return without_nul(value.get_ref<const std::string&>());
  if (value.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(without_nul(v));
    return out;
  }
  if (value.is_object()) {
    auto out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) out[without_nul(k)] = without_nul(v);
    return out;
  }
  return value;
}

std::string dump_lenient(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string dump_for_storage(const nlohmann::json& value) {
  auto text = dump_lenient(value);
  // The escape only appears when some string holds a NUL (or literally spells it, which the
  // deep copy below leaves as it was).
  if (text.find("\\u0000") == std::string::npos) return text;
  return dump_lenient(without_nul(value));
}

std::string storable_text(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    auto len = raw[i] == '\0' ? 0 : text::utf8_sequence(raw, i);
    if (len == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(raw.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace pbx::cloudonix
