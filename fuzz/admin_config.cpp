// The admin API's configuration bodies: every resource's create and update (check_body) and the
// settings PATCH (check_settings_patch), read as the handlers read them (http::json_body). The
// input is a line naming the write ("extensions create", "ivr_menus patch", "settings"; any
// other line picks one by its length), then the body. Checking never throws, and what it
// accepts is what may be stored: every field of its kind, within its limits, storable text,
// and a schedule the router can read.

#include "admin/resources.hpp"
#include "admin/settings.hpp"
#include "check.hpp"
#include "core/error.hpp"
#include "http/json_body.hpp"
#include "routing/business_hours.hpp"

#include <string>
#include <vector>

namespace {

using pbx::admin::Field;
using pbx::admin::Json;

struct Write {
  const pbx::admin::Resource* resource;  // null: the settings
  bool creating;
  std::string line;
};

std::vector<Write> writes() {
  std::vector<Write> out;
  for (const auto& r : pbx::admin::routing_resources()) {
    if (r.creatable) out.push_back({&r, true, r.name + " create"});
    out.push_back({&r, false, r.name + " patch"});
  }
  out.push_back({nullptr, false, "settings"});
  return out;
}

bool kind_ok(const Field& f, const Json& v) {
  switch (f.kind) {
    case pbx::admin::Kind::text:
      return v.is_string();
    case pbx::admin::Kind::integer:
      return v.is_number_integer();
    case pbx::admin::Kind::boolean:
      return v.is_boolean();
    case pbx::admin::Kind::json:
      return true;
  }
  return false;
}

// Every writable field present in an accepted object is of its kind and within its limits.
void check_accepted(const std::vector<Field>& fields, const Json& merged) {
  for (const auto& f : fields) {
    if (!f.writable) continue;
    auto it = merged.find(f.name);
    if (it == merged.end()) continue;
    if (it->is_null()) {
      PBX_CHECK(!f.required);
      continue;
    }
    PBX_CHECK(kind_ok(f, *it));
    PBX_CHECK(!f.limits.exceeded_by(*it));
    PBX_CHECK(pbx::fuzz::storable(it->dump()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto all = writes();
  auto rest = pbx::fuzz::bytes(data, size);
  auto line = pbx::fuzz::take_line(rest);
  const Write* write = &all[line.size() % all.size()];
  for (const auto& w : all) {
    if (w.line == line) write = &w;
  }

  pbx::http::Request req;
  req.headers.emplace_back("content-type", "application/json");
  req.body = std::string(rest);
  Json body;
  try {
    body = pbx::http::json_body(req);
  } catch (const pbx::Error&) {
    return 0;
  }

  pbx::admin::Errors errors;
  if (write->resource == nullptr) {
    pbx::admin::check_settings_patch(body, errors);
    if (errors.empty()) {
      PBX_CHECK(body.is_object());
      check_accepted(pbx::admin::settings_fields(), body);
    }
  } else {
    const auto& r = *write->resource;
    auto merged = pbx::admin::defaults_of(r);
    pbx::admin::check_body(r, body, merged, write->creating, errors);
    if (errors.empty()) {
      check_accepted(r.fields, merged);
      if (r.name == "business_hours") {
        std::vector<std::string> problems;
        auto tz = merged.value("timezone", Json("UTC"));
        auto schedule = pbx::routing::parse_schedule(
            tz.is_string() ? tz.get<std::string>() : "UTC", merged.value("weekly", Json::object()),
            merged.value("exceptions", Json::array()), &problems);
        PBX_CHECK(schedule.has_value() && problems.empty());
      }
    }
  }
  // Every message names the body, a member the body sent, or a declared field (or a path in it).
  const auto& fields = write->resource ? write->resource->fields : pbx::admin::settings_fields();
  for (const auto& [field, message] : errors) {
    PBX_CHECK(!message.empty());
    bool named = field == "body" || (body.is_object() && body.contains(field));
    for (const auto& f : fields) named = named || field.rfind(f.name, 0) == 0;
    PBX_CHECK(named);
  }
  return 0;
}
