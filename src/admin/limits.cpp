#include "admin/limits.hpp"

#include "admin/resources.hpp"
#include "admin/settings.hpp"

namespace pbx::admin {

namespace {

void rows_of(std::string& out, const std::string& where, const std::vector<Field>& fields) {
  for (const auto& f : fields) {
    if (!f.writable || (f.kind != Kind::text && f.kind != Kind::json)) continue;
    out += "| `" + where + "` | `" + f.name + "` | " + f.limits.describe() + " |\n";
  }
}

}  // namespace

std::string limits_table() {
  std::string out = "| object | field | at most |\n|---|---|---|\n";
  for (const auto& r : routing_resources()) rows_of(out, r.path, r.fields);
  rows_of(out, "/api/v1/settings", settings_fields());
  return out;
}

}  // namespace pbx::admin
