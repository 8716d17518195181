#include "http/listing.hpp"

#include "core/crypto.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace pbx::http {

std::string encode_cursor(const Cursor& c) {
  nlohmann::json j = {{"l", c.list}, {"t", c.at}, {"i", c.id}};
  return crypto::base64url(j.dump());
}

std::optional<Cursor> decode_cursor(std::string_view text, std::string_view list) {
  auto raw = crypto::from_base64url(text);
  // The parser takes a NUL byte for the end of the text, which would allow trailing bytes.
  if (!raw || raw->find('\0') != std::string::npos) return std::nullopt;
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || j.size() != 3 || !j.contains("l") || !j["l"].is_string() ||
      j["l"].get<std::string>() != list || !j.contains("t") || !j["t"].is_number_integer() ||
      !j.contains("i") || !j["i"].is_string() || !text::is_uuid(j["i"].get<std::string>())) {
    return std::nullopt;
  }
  // A time PostgreSQL cannot compare against would fail the query: a 500 instead of a 422.
  if (j["t"].is_number_unsigned() && j["t"].get<std::uint64_t>() > std::uint64_t(kLastMicros)) {
    return std::nullopt;
  }
  auto at = j["t"].get<Micros>();
  if (at < kFirstMicros || at > kLastMicros) return std::nullopt;
  return Cursor{std::string(list), at, j["i"].get<std::string>()};
}

std::optional<int> parse_limit(std::string_view text) {
  int n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < 1 || n > kMaxLimit) {
    return std::nullopt;
  }
  return n;
}

void read_params(const url::Params& query, const ParamReader& read, Error::FieldErrors& errors) {
  std::set<std::string> seen;
  for (const auto& [name, value] : query) {
    if (!seen.insert(name).second) {
      errors.emplace_back(name, "given more than once");
    } else if (!read || !read(name, value, errors)) {
      errors.emplace_back(name, "unknown parameter");
    }
  }
}

Page read_list_query(const url::Params& query, const ParamReader& extra,
                     const std::function<std::string_view()>& list, Error::FieldErrors& errors) {
  Page page;
  std::optional<std::string> cursor;
  read_params(
      query,
      [&](const std::string& name, const std::string& value, Error::FieldErrors& errs) {
        if (name == "limit") {
          auto n = parse_limit(value);
          if (!n)
            errs.emplace_back(name, "must be an integer from 1 to " + std::to_string(kMaxLimit));
          page.limit = n.value_or(kDefaultLimit);
        } else if (name == "cursor") {
          cursor = value;
        } else {
          return extra && extra(name, value, errs);
        }
        return true;
      },
      errors);
  if (cursor && !cursor->empty()) {
    page.after = decode_cursor(*cursor, list());
    if (!page.after) errors.emplace_back("cursor", "is not a cursor of this list and order");
  }
  return page;
}

Page parse_list_query(const url::Params& query, std::string_view list, const ParamReader& extra) {
  Error::FieldErrors errors;
  auto page = read_list_query(
      query, extra, [list] { return list; }, errors);
  if (!errors.empty()) throw Error::validation(errors);
  return page;
}

nlohmann::json page_json(
    std::size_t fetched, const Page& page, std::string_view list,
    const std::function<nlohmann::json(std::size_t)>& item,
    const std::function<std::pair<Micros, std::string>(std::size_t)>& position) {
  auto shown = std::min(fetched, static_cast<std::size_t>(std::max(page.limit, 0)));
  nlohmann::json data = nlohmann::json::array();
  for (std::size_t i = 0; i < shown; ++i) data.push_back(item(i));
  nlohmann::json next = nullptr;
  if (fetched > shown && shown > 0) {
    auto [at, id] = position(shown - 1);
    next = encode_cursor({std::string(list), at, std::move(id)});
  }
  return {{"data", std::move(data)}, {"next_cursor", std::move(next)}};
}

}  // namespace pbx::http
