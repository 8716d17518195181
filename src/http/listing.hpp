#pragma once

// The one listing codec of the admin API (docs/api.md, "Lists"): the query string of a list
// (?limit=, ?cursor= and the list's own parameters), the opaque keyset cursor bound to the list
// and order that issued it, and the {"data": [...], "next_cursor": ...} page. Pure: no I/O.

#include "core/error.hpp"
#include "core/micros.hpp"
#include "core/url.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pbx::http {

inline constexpr int kDefaultLimit = 50;
inline constexpr int kMaxLimit = 500;

// A position in a keyset-paginated list: the last shown row's time and id.
struct Cursor {
  std::string list;  // the list and order it belongs to ("cdrs:-started_at", ...)
  Micros at = 0;
  std::string id;
};

std::string encode_cursor(const Cursor& c);
// nullopt when the text is not a cursor of `list` (malformed, tampered, another list or order,
// an id that is not a uuid, a time outside kFirstMicros..kLastMicros).
std::optional<Cursor> decode_cursor(std::string_view text, std::string_view list);

struct Page {
  int limit = kDefaultLimit;
  std::optional<Cursor> after;  // nullopt: the first page
};

// A ?limit= value: an integer from 1 to kMaxLimit, else nullopt.
std::optional<int> parse_limit(std::string_view text);

// One of a list's own parameters: applies it, adding to `errors` when its value is bad; false
// when `name` is none of them.
using ParamReader =
    std::function<bool(const std::string& name, const std::string& value, Error::FieldErrors&)>;

// Hands every parameter to `read`; a name given twice or unknown to `read` is an error.
void read_params(const url::Params& query, const ParamReader& read, Error::FieldErrors& errors);

// The paging parameters and whatever `extra` reads, adding to `errors`. The cursor is decoded
// once every parameter is read, against list() (a list's order may be one of its parameters);
// an empty cursor is the first page.
Page read_list_query(const url::Params& query, const ParamReader& extra,
                     const std::function<std::string_view()>& list, Error::FieldErrors& errors);
// The same for a list of one order; throws Error::validation naming every bad parameter.
Page parse_list_query(const url::Params& query, std::string_view list,
                      const ParamReader& extra = nullptr);

// A page from rows fetched one beyond page.limit: item(i) of the first page.limit rows and,
// when there were more, the cursor after the last one shown, made of position(i): its time and
// id.
nlohmann::json page_json(
    std::size_t fetched, const Page& page, std::string_view list,
    const std::function<nlohmann::json(std::size_t)>& item,
    const std::function<std::pair<Micros, std::string>(std::size_t)>& position);

}  // namespace pbx::http
