// Every field the admin API writes has a size limit declared with it, enforced before anything
// else reads the value, and listed in docs/limits.md.
#include "admin/limits.hpp"
#include "admin/resources.hpp"
#include "admin/settings.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pbx::admin {
namespace {

struct Fields {
  std::string where;
  const std::vector<Field>* fields;
};

std::vector<Fields> every_field_list() {
  std::vector<Fields> out;
  for (const auto& r : routing_resources()) out.push_back({r.path, &r.fields});
  out.push_back({"/api/v1/settings", &settings_fields()});
  return out;
}

// Checks a body as its owner's write would: a resource's create, or the settings PATCH.
Errors check(const std::string& where, const Json& body) {
  Errors errors;
  for (const auto& r : routing_resources()) {
    if (r.path != where) continue;
    auto merged = defaults_of(r);
    check_body(r, body, merged, true, errors);
    return errors;
  }
  check_settings_patch(body, errors);
  return errors;
}

std::vector<std::string> messages_for(const Errors& errors, const std::string& field) {
  std::vector<std::string> out;
  for (const auto& [f, m] : errors) {
    if (f == field) out.push_back(m);
  }
  return out;
}

TEST(Limits, EveryWritableStringOrJsonFieldDeclaresOne) {
  for (const auto& [where, fields] : every_field_list()) {
    for (const auto& f : *fields) {
      if (!f.writable) continue;
      if (f.kind == Kind::text) {
        EXPECT_GT(f.limits.max_length, 0U) << where << " " << f.name;
      } else if (f.kind == Kind::json) {
        EXPECT_GT(f.limits.max_length, 0U) << where << " " << f.name;
        EXPECT_GT(f.limits.max_items, 0U) << where << " " << f.name;
      }
    }
  }
}

TEST(Limits, AValueOverItsLimitIsRefusedBeforeItsCheckReadsIt) {
  for (const auto& [where, fields] : every_field_list()) {
    for (const auto& f : *fields) {
      if (!f.writable || (f.kind != Kind::text && f.kind != Kind::json)) continue;
      const auto& limits = f.limits;
      auto too_long = std::string(limits.max_length + 1, 'a');
      auto errors = check(where, {{f.name, too_long}});
      EXPECT_EQ(
          messages_for(errors, f.name),
          std::vector<std::string>{"at most " + std::to_string(limits.max_length) + " characters"})
          << where << " " << f.name;
      if (f.kind != Kind::json) continue;
      auto many = Json::array();
      for (size_t i = 0; i <= limits.max_items; ++i) many.push_back(i);
      errors = check(where, {{f.name, many}});
      EXPECT_EQ(
          messages_for(errors, f.name),
          std::vector<std::string>{"at most " + std::to_string(limits.max_items) + " entries"})
          << where << " " << f.name;
      // Few entries, many bytes.
      auto big = Json::array({std::string(limits.max_length, 'a')});
      errors = check(where, {{f.name, big}});
      EXPECT_EQ(messages_for(errors, f.name),
                std::vector<std::string>{"at most " + std::to_string(limits.max_length) +
                                         " bytes of JSON"})
          << where << " " << f.name;
    }
  }
}

TEST(Limits, TextIsCountedInCharactersNotBytes) {
  Limits limits{3};
  EXPECT_EQ(limits.exceeded_by(Json("\xc3\xa9\xc3\xa9\xc3\xa9")), std::nullopt);  // "ééé"
  EXPECT_EQ(limits.exceeded_by(Json("abcd")), "at most 3 characters");
}

TEST(Limits, BusinessHoursSchedulesAreBounded) {
  // Both were once unbounded: any number of exceptions, named at any length.
  auto exceptions = Json::array();
  for (int i = 0; i < 401; ++i) {
    exceptions.push_back({{"date", "2026-12-25"}, {"name", "x"}, {"closed", true}});
  }
  auto errors = check("/api/v1/business-hours", {{"exceptions", exceptions}});
  EXPECT_EQ(messages_for(errors, "exceptions"), std::vector<std::string>{"at most 400 entries"});
  errors = check(
      "/api/v1/business-hours",
      {{"exceptions",
        Json::array(
            {{{"date", "2026-12-25"}, {"name", std::string(100'000, 'x')}, {"closed", true}}})}});
  EXPECT_EQ(messages_for(errors, "exceptions"),
            std::vector<std::string>{"at most 64000 bytes of JSON"});
  auto day = Json::array();
  for (int m = 0; m < 1000; m += 2) {
    auto at = [](int minutes) { return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60); };
    day.push_back({{"start", at(m)}, {"end", at(m + 1)}});
  }
  errors = check("/api/v1/business-hours", {{"weekly", {{"mon", day}}}});
  EXPECT_EQ(messages_for(errors, "weekly"), std::vector<std::string>{"at most 8192 bytes of JSON"});
}

TEST(Limits, SettingsTimezoneIsBoundedBeforeTheZoneIsLookedUp) {
  Errors errors;
  check_settings_patch({{"timezone", std::string(1'000'000, 'x')}}, errors);
  EXPECT_EQ(messages_for(errors, "timezone"), std::vector<std::string>{"at most 64 characters"});
}

TEST(Limits, EveryCreatableResourceCountsAgainstAQuota) {
  auto statements = routing_resource_statements();
  for (const auto& r : routing_resources()) {
    if (!r.creatable) continue;
    EXPECT_TRUE(r.quota) << r.name;
    auto name = "res_" + r.name + "_quota";
    EXPECT_TRUE(std::any_of(statements.begin(), statements.end(), [&](const store::Statement& s) {
      return name == s.name;
    })) << name;
  }
}

// The table in docs/limits.md is made from the declarations: PBX_UPDATE_DOCS=1 rewrites it.
TEST(Limits, TheDocumentedTableIsTheDeclaredOne) {
  const std::string path = std::string(PBX_FIXTURES_DIR) + "/../../docs/limits.md";
  const std::string begin = "<!-- limits table: generated -->\n";
  const std::string end = "<!-- end of the limits table -->\n";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto doc = buffer.str();
  auto a = doc.find(begin), b = doc.find(end);
  ASSERT_NE(a, std::string::npos) << "no '" << begin << "' in " << path;
  ASSERT_NE(b, std::string::npos) << "no '" << end << "' in " << path;
  auto documented = doc.substr(a + begin.size(), b - a - begin.size());
  if (std::getenv("PBX_UPDATE_DOCS") != nullptr) {
    doc.replace(a + begin.size(), documented.size(), limits_table());
    std::ofstream(path) << doc;
    return;
  }
  EXPECT_EQ(documented, limits_table())
      << "docs/limits.md is out of date: run the unit test with PBX_UPDATE_DOCS=1";
}

}  // namespace
}  // namespace pbx::admin
